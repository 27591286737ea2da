"""The home dashboard: figures of the user's own office, the superadmin's
office selector, the lists per access level, and charts without inline script."""

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sop_admin import dashboard
from sop_admin.models import (
    AccessLevel,
    ComplaintStatus,
    ComplaintStep,
    SopStatus,
    utcnow,
)
from sop_admin.views.index import CHARTJS, count_text, duration_text


def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def _chart_data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="dashboard-data">(.*?)'
                      r"</script>", page, re.S)
    return json.loads(block.group(1))


@pytest.fixture
def offices(make):
    return make.office("HOM"), make.office("OTH")


def test_home_counts_own_office(make, db, login_as, offices):
    office, other = offices
    make.complaint(office)
    make.complaint(office, status=ComplaintStatus.IN_PROGRESS)
    make.complaint(office, status=ComplaintStatus.CLOSED, closed_at=utcnow())
    make.complaint(office, status=ComplaintStatus.CLOSED,
                   closed_at=datetime(2020, 1, 5, tzinfo=UTC))
    make.complaint(other)
    make.sop(office, status=SopStatus.ACTIVE)
    make.sop(other, status=SopStatus.ACTIVE)
    auditor = make.user(office, AccessLevel.AUDITOR)
    db.session.commit()
    page = login_as(auditor).get("/admin/").text
    assert _counts(page) == {"new": 1, "in_progress": 1, "closed_this_month": 1,
                             "active_sops": 1, "overdue": 0}
    assert 'id="audit-status"' in page  # the auditor keeps the chain status
    assert "Tugas saya" not in page  # read-only: no tasks
    assert 'id="office-selector"' not in page


def test_home_other_office_by_url_is_404(make, db, login_as, offices):
    office, other = offices
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert client.get(f"/admin/?office={other.id}").status_code == 404
    assert client.get(f"/admin/?office={office.id}").status_code == 200


def test_home_superadmin_picks_an_office_or_all(make, db, login_as, offices):
    office, other = offices
    make.complaint(office)
    make.complaint(other)
    make.complaint(other)
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(root)
    page = client.get("/admin/").text
    assert 'id="office-selector"' in page
    assert _counts(page)["new"] == 3
    page = client.get(f"/admin/?office={other.id}").text
    assert _counts(page)["new"] == 2
    assert f'<option value="{other.id}" selected>' in page
    assert client.get("/admin/?office=999999").status_code == 404
    assert client.get("/admin/?office=x").status_code == 404


def test_home_staff_tasks_and_overdue_link_to_complaints(make, db, login_as, offices):
    office, _ = offices
    version = make.sop(office, status=SopStatus.ACTIVE)
    late = make.complaint(office, sop_version=version, current_step_number=1,
                          status=ComplaintStatus.IN_PROGRESS,
                          step_due_at=utcnow() - timedelta(hours=1))
    staff = make.user(office, AccessLevel.STAFF)
    staff.roles = [version.lanes[1].role]
    db.session.commit()
    page = login_as(staff).get("/admin/").text
    assert _counts(page)["tasks"] == 1 and _counts(page)["overdue"] == 1
    assert page.count(f"/admin/proses/{late.id}\"") == 2  # the Proses page
    assert login_as(staff).get(f"/admin/proses/{late.id}").status_code == 200
    assert "Terlambat</span>" in page
    link = re.search(r'href="([^"]*flt[^"]*)"', page).group(1).replace("&amp;", "&")
    listing = login_as(staff).get(link).text
    assert late.register_no in listing


def test_home_charts_are_json_drawn_by_static_script(make, db, login_as, offices,
                                                     client):
    office, _ = offices
    version = make.sop(office, status=SopStatus.ACTIVE)
    now = utcnow()
    for minutes in (30, 90):
        complaint = make.complaint(office, sop_version=version, received_at=now,
                                   status=ComplaintStatus.CLOSED, closed_at=now)
        db.session.add(ComplaintStep(
            complaint_id=complaint.id, step_number=1,
            started_at=now - timedelta(minutes=minutes), completed_at=now,
            due_at=now - timedelta(minutes=minutes - 5), within_standard=False))
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).get("/admin/").text
    data = _chart_data(page)
    assert data["channel"] == {"labels": ["Facebook"], "values": [2]}
    assert data["status"] == {"labels": ["Selesai"], "values": [2]}
    assert data["steps"]["labels"] == ["1. Menerima pengaduan"]
    assert data["steps"]["median"] == [1.0]  # 60 minutes
    assert data["steps"]["allowed"] == [0.08]  # 5 minutes
    assert "1 jam" in page and "Melebihi standar" in page
    assert 'data-within="0/2">0/2 (0%)<' in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, (
            attributes, body[:80])
    assert f'src="/static/{CHARTJS}"' in page
    assert 'src="/static/js/dashboard.js"' in page
    for path in (CHARTJS, "js/dashboard.js"):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200 and len(response.data) > 500
        response.close()
    assert "cdn" not in page.lower()


def test_duration_text(app):
    assert duration_text(None) == "–"
    assert duration_text(20) == "< 1 menit"
    assert duration_text(45 * 60) == "45 menit"
    assert duration_text(3 * 3600 + 20 * 60) == "3 jam 20 menit"
    assert duration_text(2 * 86400 + 3 * 3600 + 59) == "2 hari 3 jam"


def test_count_text_in_indonesian_format_and_capped(app):
    with app.test_request_context():
        assert count_text(999) == "999"
        assert count_text(1000) == "1.000"
        assert count_text(1001) == "1.000+"


def test_home_capped_figures_say_so(make, db, login_as, offices, monkeypatch):
    office, _ = offices
    monkeypatch.setattr(dashboard, "COUNT_CAP", 1)
    for _ in range(2):
        make.complaint(office, status=ComplaintStatus.IN_PROGRESS,
                       step_due_at=utcnow() - timedelta(minutes=5))
    make.complaint(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).get("/admin/").text
    for key in ("in_progress", "tasks", "overdue"):
        assert f'data-count="{key}">1+<' in page
    assert 'data-count="new">1<' in page
    assert 'id="capped-note"' in page and "1+ berarti lebih dari 1" in page
    monkeypatch.setattr(dashboard, "COUNT_CAP", 3)
    page = login_as(admin).get("/admin/").text
    assert _counts(page)["tasks"] == 3 and 'id="capped-note"' not in page


def test_home_in_english(make, db, login_as, offices):
    office, _ = offices
    make.complaint(office, status=ComplaintStatus.IN_PROGRESS,
                   step_due_at=utcnow() - timedelta(minutes=5))
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    client.get("/lang/en")
    page = client.get("/admin/").text
    assert "My tasks" in page and "Complaints this month" in page
    assert "Tugas saya" not in page


def test_pinned_chartjs_is_the_version_its_folder_names():
    root = Path(__file__).resolve().parents[2] / "static"
    script = root / CHARTJS
    version = re.search(r"chartjs-([\d.]+)/", CHARTJS).group(1)
    assert script.read_text()[:60].splitlines()[1] == f" * Chart.js v{version}"
    source = (script.parent / "SOURCE.txt").read_text()
    assert hashlib.sha256(script.read_bytes()).hexdigest() in source
    assert (script.parent / "LICENSE.md").exists()
