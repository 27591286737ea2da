"""Overdue complaints in the list: a "Terlambat" badge, a filter, the
deadline in the office zone, and a query count that does not grow."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from sop_admin.models import AccessLevel, ComplaintStatus, utcnow


@pytest.fixture
def office(make):
    return make.office("LAT")


def _row_of(page: str, register_no: str) -> str:
    start = page.index(register_no)
    return page[start:page.index("</tr>", start)]


def _numbers(page: str) -> set[str]:
    return set(re.findall(r"LAT/\d{4}/\d{6}", page))


@pytest.fixture
def cases(make, office):
    now = utcnow()
    past, future = now - timedelta(hours=2), now + timedelta(days=2)
    return {
        "step_late": make.complaint(office, status=ComplaintStatus.IN_PROGRESS,
                                    step_due_at=past, due_at=future),
        "whole_late": make.complaint(office, status=ComplaintStatus.IN_PROGRESS,
                                     step_due_at=future, due_at=past),
        "on_time": make.complaint(office, status=ComplaintStatus.IN_PROGRESS,
                                  step_due_at=future, due_at=future),
        "closed": make.complaint(office, status=ComplaintStatus.CLOSED,
                                 due_at=past, closed_at=now),
        "no_deadline": make.complaint(office),
    }


def test_overdue_rows_carry_a_text_badge(cases, make, db, login_as, office):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).get("/admin/complaint/").text
    for name, complaint in cases.items():
        row = _row_of(page, complaint.register_no)
        late = name in ("step_late", "whole_late")
        assert ('class="badge badge-danger overdue">Terlambat<' in row) == late, name


def test_overdue_filter_yes_and_no(cases, make, db, login_as, office):
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    page = client.get("/admin/complaint/").text
    assert "Terlambat" in page  # the filter is offered
    views = client.application.extensions["admin"][0]._views
    complaints = next(v for v in views if v.endpoint == "complaint")
    with client.application.test_request_context():
        yes = complaints.overdue_url()
    late = {cases["step_late"].register_no, cases["whole_late"].register_no}
    assert _numbers(client.get(yes).text) == late
    no = yes.replace("=1", "=0")
    everything = {c.register_no for c in cases.values()}
    assert _numbers(client.get(no).text) == everything - late


def test_deadline_column_in_office_zone(make, db, login_as, office):
    complaint = make.complaint(office, status=ComplaintStatus.IN_PROGRESS,
                               step_due_at=datetime(2099, 1, 2, 3, 4, tzinfo=UTC))
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).get("/admin/complaint/").text
    assert "Batas langkah" in page
    row = _row_of(page, complaint.register_no)
    assert "02-01-2099 10:04 WIB" in row  # 03:04 UTC
    assert "Terlambat<" not in row


@pytest.mark.parametrize("flt", ["", "?flt0_5=1"])
@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_constant(rows, flt, make, db, login_as, office,
                                   count_queries):
    past = utcnow() - timedelta(hours=1)
    for i in range(rows):
        make.complaint(office if i % 2 else make.office(),
                       status=ComplaintStatus.IN_PROGRESS, step_due_at=past)
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(root)
    client.get(f"/admin/complaint/{flt}")  # warm-up
    with count_queries() as statements:
        page = client.get(f"/admin/complaint/{flt}").text
    assert page.count("Terlambat</span>") == min(rows, 20)
    assert len(statements) <= 4, statements
    assert not any("count(" in s.lower() for s in statements)
