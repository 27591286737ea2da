"""The home page counts the user's own office only."""

import re
from datetime import UTC, datetime

from sop_admin.models import AccessLevel, ComplaintStatus, SopStatus, utcnow
from sop_admin.views.index import month_start


def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def test_home_counts_own_office(make, db, login_as):
    office, other = make.office(), make.office()
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
                             "active_sops": 1}


def test_month_start_uses_office_zone(app):
    # 18:00 UTC on 31 Jan is 01:00 WIB on 1 Feb.
    start = month_start(datetime(2026, 1, 31, 18, 0, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2026, 1, 31, 17, 0, tzinfo=UTC)
