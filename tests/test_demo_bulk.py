"""`flask demo bulk`: many complaints whose history follows their SOP."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from sop_admin import audit
from sop_admin.models import (
    AccessLevel,
    AuditEntry,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    RegisterCounter,
    StepKind,
)


@pytest.fixture
def offices(make, db):
    made = []
    for code in ("DPK", "YGY"):
        office = make.office(code=code)
        make.sop(office, number=f"{code}-1", status="active")
        make.user(office, AccessLevel.STAFF)
        made.append(office)
    db.session.commit()
    return made


def _follows_sop(complaint: Complaint, steps: list[ComplaintStep]) -> None:
    version = complaint.sop_version
    start = next(s for s in version.steps if s.kind == StepKind.START)
    assert steps[0].step_number == start.number
    assert steps[0].started_at == complaint.received_at
    for before, after in zip(steps, steps[1:], strict=False):
        step = version.step(before.step_number)
        if step.kind == StepKind.DECISION:
            assert before.answer is not None
            wanted = step.if_yes if before.answer else step.if_no
        else:
            assert before.answer is None
            wanted = step.successors[0]
        assert after.step_number == wanted
        assert before.completed_at == after.started_at
        assert before.actor_id == complaint.created_by_id
    last = steps[-1]
    assert complaint.current_step_number == last.step_number
    if complaint.status == ComplaintStatus.CLOSED:
        assert version.step(last.step_number).kind == StepKind.END
        assert complaint.closed_at == last.completed_at
        assert complaint.step_due_at is None
    else:
        assert complaint.status == ComplaintStatus.IN_PROGRESS
        assert last.completed_at is None and complaint.step_due_at == last.due_at
    for row in steps:
        if row.completed_at and row.due_at:
            assert row.within_standard == (row.completed_at <= row.due_at)
    assert complaint.due_at > complaint.received_at


def test_bulk_complaints_follow_their_sop_and_the_chain_verifies(offices, runner, db):
    result = runner.invoke(args=["demo", "bulk", "--complaints", "120"])
    assert result.exit_code == 0, result.output
    assert "120 pengaduan/complaints" in result.output and "rows/s" in result.output

    complaints = db.session.scalars(select(Complaint)).all()
    assert len(complaints) == 120
    assert {c.office.code for c in complaints} == {"DPK", "YGY"}
    statuses = Counter(c.status for c in complaints)
    assert statuses[ComplaintStatus.CLOSED] and statuses[ComplaintStatus.IN_PROGRESS]
    for complaint in complaints:
        steps = db.session.scalars(
            select(ComplaintStep).where(ComplaintStep.complaint_id == complaint.id)
            .order_by(ComplaintStep.id)).all()
        _follows_sop(complaint, steps)

    # Register numbers: unique, and each office's counter covers them all.
    assert len({c.register_no for c in complaints}) == 120
    for office in offices:
        taken = sum(c.office_id == office.id for c in complaints)
        assert db.session.scalar(select(func.sum(RegisterCounter.last_value)).where(
            RegisterCounter.office_id == office.id)) == taken

    # The audit rows are the triggers' own: one per write, all sealed.
    per_table = dict(db.session.execute(
        select(AuditEntry.table_name, func.count()).group_by(AuditEntry.table_name)
        .where(AuditEntry.table_name.in_(["complaints", "complaint_steps"]))).all())
    steps = db.session.scalar(select(func.count(ComplaintStep.id)))
    completed = db.session.scalar(select(func.count(ComplaintStep.id)).where(
        ComplaintStep.completed_at.is_not(None)))
    assert per_table == {"complaints": 2 * 120, "complaint_steps": steps + completed}
    checked = audit.verify(db.engine)
    assert checked.ok and checked.unsealed == 0
    assert checked.count >= 2 * 120 + steps + completed


def test_bulk_for_one_office(offices, runner, db):
    result = runner.invoke(args=["demo", "bulk", "--complaints", "5", "--office",
                                 "ygy"])
    assert result.exit_code == 0, result.output
    assert {c.office.code for c in db.session.scalars(select(Complaint))} == {"YGY"}


def test_bulk_without_offices_says_what_to_do(runner, db):
    result = runner.invoke(args=["demo", "bulk", "--complaints", "5"])
    assert result.exit_code == 1
    assert "flask demo load" in result.output
    assert db.session.scalar(select(func.count(Complaint.id))) == 0
