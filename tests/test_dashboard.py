"""Dashboard figures on hand-built data (run on SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sop_admin import dashboard
from sop_admin.models import (
    AccessLevel,
    Channel,
    Classification,
    ComplaintStatus,
    ComplaintStep,
    SopStatus,
)

NOW = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def office(make):
    return make.office("DSH")


@pytest.fixture
def version(make, office):
    """Steps 1-3 in the Admin Media Sosial lane, step 3 moved to Operator."""
    version = make.sop(office, status=SopStatus.ACTIVE,
                       lanes=("Masyarakat", "Operator", "Admin Media Sosial"))
    version.step(3).lane = version.lanes[1]
    return version


def _steps(make, db, version, number, durations, allowed=None, completed=NOW):
    """One complaint per duration (seconds), each with one completed step."""
    for seconds in durations:
        complaint = make.complaint(version.office, sop_version=version,
                                   status=ComplaintStatus.CLOSED, closed_at=completed)
        started = completed - timedelta(seconds=seconds)
        db.session.add(ComplaintStep(
            complaint_id=complaint.id, step_number=number, started_at=started,
            completed_at=completed,
            due_at=None if allowed is None else started + timedelta(seconds=allowed),
            within_standard=None if allowed is None else seconds <= allowed))
    db.session.flush()


def test_step_medians_odd_and_even_counts(make, db, office, version):
    _steps(make, db, version, 1, [60, 180, 120], allowed=150)
    _steps(make, db, version, 3, [60, 120, 240, 600])  # even: mean of 120, 240
    _steps(make, db, version, 2, [99999],
           completed=NOW - dashboard.MEDIAN_WINDOW - timedelta(days=1))  # too old
    other = make.sop(make.office(), status=SopStatus.ACTIVE)
    _steps(make, db, other, 1, [7200])
    db.session.commit()

    rows = dashboard.step_medians(office.id, NOW)
    assert [(r.step_number, r.completed, r.timed, r.within, r.median_seconds,
             r.allowed_seconds) for r in rows] == [
        (1, 3, 3, 2, pytest.approx(120, abs=0.01), pytest.approx(150, abs=0.01)),
        (3, 4, 0, 0, pytest.approx(180, abs=0.01), None)]
    assert rows[0].activity == "Menerima pengaduan" and rows[0].standard == "5 menit"

    everywhere = dashboard.step_medians(None, NOW)
    assert {(r.version_id, r.step_number) for r in everywhere} == {
        (version.id, 1), (version.id, 3), (other.id, 1)}
    assert next(r for r in everywhere if r.version_id == other.id
                ).median_seconds == pytest.approx(7200, abs=0.01)


def test_medians_of_many_groups_match_python(make, db, office, version):
    durations = [37, 5, 911, 64, 64, 3, 1200]
    _steps(make, db, version, 1, durations)
    _steps(make, db, version, 2, durations[:-1])
    db.session.commit()
    medians = {r.step_number: r.median_seconds
               for r in dashboard.step_medians(office.id, NOW)}
    assert medians[1] == pytest.approx(64, abs=0.01)
    assert medians[2] == pytest.approx((37 + 64) / 2, abs=0.01)


def test_month_breakdown_counts_this_month_in_office_zone(make, db, office):
    # 17:30 UTC on 31 October is 00:30 WIB on 1 November: this month.
    make.complaint(office, received_at=datetime(2026, 10, 31, 17, 30, tzinfo=UTC),
                   channel=Channel.X)
    make.complaint(office, received_at=datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    make.complaint(office, received_at=datetime(2026, 11, 3, tzinfo=UTC),
                   channel=Channel.X, status=ComplaintStatus.IN_PROGRESS,
                   classification=Classification.ASPIRATION)
    make.complaint(office, received_at=datetime(2026, 11, 4, tzinfo=UTC),
                   channel=Channel.EMAIL, status=ComplaintStatus.CLOSED)
    make.complaint(make.office(), received_at=datetime(2026, 11, 4, tzinfo=UTC))
    db.session.commit()

    figures = dashboard.month_breakdown(office.id, NOW, WIB)
    assert figures == {
        "channel": {"email": 1, "x": 2},
        "status": {"closed": 1, "in_progress": 1, "new": 1},
        "classification": {"aspiration": 1, "complaint": 2},
    }
    assert sum(dashboard.month_breakdown(None, NOW, WIB)["channel"].values()) == 4


def _at(make, version, number, **kw):
    return make.complaint(version.office, sop_version=version,
                          status=kw.pop("status", ComplaintStatus.IN_PROGRESS),
                          current_step_number=number, **kw)


def test_my_tasks_follow_the_roles_held(make, db, office, version):
    mine = _at(make, version, 1, step_due_at=NOW + timedelta(hours=2))
    mine_sooner = _at(make, version, 2, step_due_at=NOW + timedelta(hours=1))
    operators = _at(make, version, 3)
    new = make.complaint(office, sop_version=version)
    _at(make, version, 4, status=ComplaintStatus.CLOSED)
    other_version = make.sop(make.office(), status=SopStatus.ACTIVE)
    _at(make, other_version, 1)

    staff = make.user(office, AccessLevel.STAFF)
    staff.roles = [version.lanes[2].role]
    operator = make.user(office, AccessLevel.STAFF)
    operator.roles = [version.lanes[1].role]
    nobody = make.user(office, AccessLevel.STAFF)
    admin = make.user(office, AccessLevel.ADMIN)
    auditor = make.user(office, AccessLevel.AUDITOR)
    auditor.roles = [version.lanes[2].role]  # read-only: never acts
    db.session.commit()

    total, rows = dashboard.my_tasks(staff, office.id)
    assert total == 2
    assert [r.id for r in rows] == [mine_sooner.id, mine.id]
    assert rows[0].activity == "Apakah dapat dijawab?"
    assert [r.id for r in dashboard.my_tasks(operator, office.id)[1]] == [operators.id]
    assert dashboard.my_tasks(nobody, office.id) == (0, [])
    assert dashboard.my_tasks(auditor, office.id) == (0, [])
    total, rows = dashboard.my_tasks(admin, office.id)
    assert total == 4
    assert {r.id for r in rows} == {mine.id, mine_sooner.id, operators.id, new.id}
    assert dashboard.my_tasks(admin, office.id, limit=1)[0] == 4
    assert len(dashboard.my_tasks(admin, office.id, limit=1)[1]) == 1


def test_overdue_is_open_and_past_a_deadline(make, db, office, version):
    past, future = NOW - timedelta(hours=3), NOW + timedelta(hours=3)
    step_late = _at(make, version, 1, step_due_at=past, due_at=future)
    complaint_late = _at(make, version, 2, step_due_at=future,
                         due_at=NOW - timedelta(days=1))
    _at(make, version, 2, step_due_at=future, due_at=future)
    _at(make, version, 4, status=ComplaintStatus.CLOSED, due_at=past)
    _at(make, version, 3)  # no deadline at all
    elsewhere = make.sop(make.office(), status=SopStatus.ACTIVE)
    far = _at(make, elsewhere, 1, step_due_at=past)
    db.session.commit()

    total, rows = dashboard.overdue(office.id, NOW)
    assert total == 2
    assert [r.id for r in rows] == [complaint_late.id, step_late.id]
    assert rows[1].office_code == "DSH"
    assert {r.id for r in dashboard.overdue(None, NOW)[1]} == {
        step_late.id, complaint_late.id, far.id}


def test_office_counts_scoped(make, db, office):
    other = make.office()
    make.complaint(office)
    make.complaint(office, status=ComplaintStatus.CLOSED, closed_at=NOW)
    make.complaint(other, status=ComplaintStatus.IN_PROGRESS)
    make.sop(office, status=SopStatus.ACTIVE)
    make.sop(other, status=SopStatus.ACTIVE)
    db.session.commit()
    assert dashboard.office_counts(office.id, NOW, WIB) == {
        "new": 1, "in_progress": 0, "closed_this_month": 1, "active_sops": 1}
    assert dashboard.office_counts(None, NOW, WIB) == {
        "new": 1, "in_progress": 1, "closed_this_month": 1, "active_sops": 2}


def test_month_start_uses_office_zone():
    # 18:00 UTC on 31 Jan is 01:00 WIB on 1 Feb.
    start = dashboard.month_start(datetime(2026, 1, 31, 18, 0, tzinfo=UTC), WIB)
    assert start.astimezone(UTC) == datetime(2026, 1, 31, 17, 0, tzinfo=UTC)


def test_lists_soonest_deadline_first_then_undated_by_id(make, db, office, version):
    """Both engines: dated rows by the earlier of the two deadlines (ties by
    id), then rows without any deadline, also by id."""
    undated_first = _at(make, version, 1)
    whole_only = _at(make, version, 1, due_at=NOW + timedelta(hours=2))
    step_sooner = _at(make, version, 1, step_due_at=NOW + timedelta(hours=1),
                      due_at=NOW + timedelta(hours=5))
    tie = _at(make, version, 1, due_at=NOW + timedelta(hours=1))
    undated_last = make.complaint(office, sop_version=version)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    order = [step_sooner.id, tie.id, whole_only.id, undated_first.id, undated_last.id]
    for limit in (10, 4, 3, 2):
        total, rows = dashboard.my_tasks(admin, office.id, limit=limit)
        assert (total, [r.id for r in rows]) == (5, order[:limit])
    assert [r.id for r in dashboard.my_tasks(admin, None)[1]] == order


def test_unbounded_counts_stop_past_the_cap(make, db, office, version, monkeypatch):
    monkeypatch.setattr(dashboard, "COUNT_CAP", 2)
    late = [_at(make, version, 1, step_due_at=NOW - timedelta(hours=h))
            for h in (1, 2, 3)]
    make.complaint(office, sop_version=version)
    for _ in range(3):
        make.complaint(office, status=ComplaintStatus.CLOSED, closed_at=NOW)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    assert dashboard.office_counts(office.id, NOW, WIB) == {
        "new": 1, "in_progress": 3, "closed_this_month": 3, "active_sops": 1}
    total, rows = dashboard.overdue(office.id, NOW)
    assert (total, [r.id for r in rows]) == (3, [c.id for c in reversed(late)])
    total, rows = dashboard.my_tasks(admin, office.id)
    assert (total, len(rows)) == (3, 4)  # the list is not cut by the cap
    # One under the cap is exact.
    monkeypatch.setattr(dashboard, "COUNT_CAP", 3)
    assert dashboard.overdue(office.id, NOW)[0] == 3
    assert dashboard.my_tasks(admin, office.id)[0] == 4


def test_admin_tasks_total_from_the_open_counts(make, db, office, version, monkeypatch):
    """The view passes new + in_progress; the total then matches counting."""
    monkeypatch.setattr(dashboard, "COUNT_CAP", 2)
    for _ in range(2):
        _at(make, version, 1)
    make.complaint(office, sop_version=version)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    counts = dashboard.office_counts(office.id, NOW, WIB)
    passed = dashboard.my_tasks(admin, office.id,
                                open_count=counts["new"] + counts["in_progress"])
    assert passed == dashboard.my_tasks(admin, office.id)
    assert passed[0] == 3 and len(passed[1]) == 3
    monkeypatch.setattr(dashboard, "COUNT_CAP", 5)
    assert dashboard.my_tasks(admin, office.id, open_count=3)[0] == 3
    assert dashboard.my_tasks(admin, office.id, open_count=9)[0] == 6
