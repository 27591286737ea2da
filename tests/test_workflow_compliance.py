"""Compliance stored on each completed step, and the Waktu a decision is held to."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sop_admin import sopfile, sops, workflow
from sop_admin.errors import TransitionNotAllowed
from sop_admin.models import AccessLevel, ComplaintStep

SOPS = Path(sops.__file__).parent / "demo" / "sops"
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB


def seed(name: str, make):
    version = sops.import_document(sopfile.load(SOPS / f"{name}.yaml"),
                                   activate=True, now=NOW)
    roles = [lane.role for lane in version.lanes if not workflow.is_public_lane(lane)]
    return version, make.user(version.office, roles=roles)


def records(db, complaint) -> dict[int, ComplaintStep]:
    rows = db.session.scalars(
        db.select(ComplaintStep).filter_by(complaint_id=complaint.id)
        .order_by(ComplaintStep.id)).all()
    return {row.step_number: row for row in rows}


def test_compliance_on_time_and_late_steps_are_stored(make, db):
    version, officer = seed("depok", make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    workflow.start(complaint, actor=officer, now=NOW)
    # Step 1 "5 menit": done after 4 minutes; step 2 "10 menit": after 25.
    workflow.advance(complaint, actor=officer, now=NOW + timedelta(minutes=4))
    workflow.advance(complaint, actor=officer, now=NOW + timedelta(minutes=29))
    rows = records(db, complaint)
    assert (rows[1].within_standard, rows[1].late_seconds) == (True, 0)
    assert (rows[2].within_standard, rows[2].late_seconds) == (False, 15 * 60)
    open_row = rows[3]
    assert (open_row.within_standard, open_row.late_seconds) == (None, None)


def test_compliance_late_by_a_fraction_of_a_second_counts_a_whole_second(make, db):
    version, officer = seed("depok", make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer,
                     now=NOW + timedelta(minutes=5, microseconds=1))
    row = records(db, complaint)[1]
    assert (row.within_standard, row.late_seconds) == (False, 1)


def test_compliance_of_a_monitoring_interval_step_is_null(make, db):
    """Bekasi step 1 is "1 Jam sekali": no deadline, so no compliance either."""
    version, officer = seed("bekasi", make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW + timedelta(days=3))
    row = records(db, complaint)[1]
    assert row.due_at is None
    assert (row.within_standard, row.late_seconds) == (None, None)


def test_compliance_of_the_end_step_is_on_time(make, db):
    version, officer = seed("bekasi", make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW + timedelta(minutes=3))
    end = records(db, complaint)[3]
    assert complaint.is_closed
    assert (end.within_standard, end.late_seconds) == (True, 0)


def test_decision_without_waktu_is_held_to_the_step_leading_into_it(make, db):
    """Depok 6 (operator answers?) has no Waktu: step 5's "10 menit" applies."""
    version, officer = seed("depok", make)
    assert workflow.time_standard(version.step(6)).number == 5
    assert workflow.time_standard(version.step(4)).number == 3
    assert workflow.time_standard(version.step(9)).number == 9
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    workflow.start(complaint, actor=officer, now=NOW)
    for answer in (None, None, None, False):  # 1 → 2 → 3 → 4 (Tidak) → 5
        workflow.advance(complaint, actor=officer, now=NOW, answer=answer)
    entered = NOW + timedelta(minutes=7)
    workflow.advance(complaint, actor=officer, now=entered)
    assert complaint.current_step_number == 6
    assert complaint.step_due_at == entered + timedelta(minutes=10)


def test_decision_without_waktu_and_no_timed_feeder_has_no_deadline(make, db):
    """Yogyakarta's start step has no Waktu, so nothing to inherit from it."""
    version, _officer = seed("yogyakarta", make)
    step = version.step(3)
    assert workflow.time_standard(step).number == 2
    step2 = version.step(2)
    step2.time_amount = step2.time_unit = None
    assert workflow.time_standard(step) is step


def test_reopen_by_staff_without_the_lane_role_is_allowed(make, db):
    version, officer = seed("bekasi", make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    clerk = make.user(version.office)
    auditor = make.user(version.office, AccessLevel.AUDITOR)
    with pytest.raises(TransitionNotAllowed, match="staf atau admin"):
        workflow.reopen(complaint, actor=auditor, reason="Keberatan", now=NOW)
    row = workflow.reopen(complaint, actor=clerk, reason="Keberatan", now=NOW)
    assert row.step_number == 1 and not complaint.is_closed
