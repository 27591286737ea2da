"""Escalation of late steps (escalation.py), `flask sla check` on a frozen clock."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sop_admin import escalation, sopfile, sops, workflow
from sop_admin.models import AuditEntry, Complaint, ComplaintStep, Escalation

SOPS = Path(sops.__file__).parent / "demo" / "sops"
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
COORDINATOR = "Koordinator Call Center"
KASIE = "Kasie/Kabid Informasi Komunikasi Publik"


def seed(name: str, make):
    version = sops.import_document(sopfile.load(SOPS / f"{name}.yaml"),
                                   activate=True, now=NOW)
    roles = [lane.role for lane in version.lanes if not workflow.is_public_lane(lane)]
    return version, make.user(version.office, roles=roles)


def walk_to(complaint, officer, answers: list[bool | None]):
    workflow.start(complaint, actor=officer, now=NOW)
    for answer in answers:
        workflow.advance(complaint, actor=officer, now=NOW, answer=answer)


#: Depok 1 → 2 → 3 → 4 (Tidak) → 5 → 6: the operator's decision, entered at NOW.
TO_OPERATOR = [None, None, None, False, None]


@pytest.fixture
def operator_waiting(make, db):
    """A Depok complaint waiting for the operator (step 6, due NOW + 10 min)."""
    version, officer = seed("depok", make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    walk_to(complaint, officer, TO_OPERATOR)
    assert complaint.current_step_number == 6
    assert complaint.step_due_at == NOW + timedelta(minutes=10)
    db.session.commit()
    return complaint


def sla(runner, now: datetime, *extra: str):
    result = runner.invoke(args=["sla", "check", "--now", now.isoformat(), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def escalations(db) -> list[tuple[int, int, str]]:
    db.session.rollback()
    rows = db.session.scalars(sa.select(Escalation).order_by(Escalation.id)).all()
    return [(e.step.step_number, e.level, e.target_label) for e in rows]


def test_sla_check_late_operator_goes_to_coordinator_then_kasie_once_each(
    runner, db, operator_waiting
):
    assert "0 eskalasi" in sla(runner, NOW + timedelta(minutes=10))  # not yet late
    output = sla(runner, NOW + timedelta(minutes=11))
    assert f"langkah/step 6: terlambat/late 1 menit/min -> level 1 {COORDINATOR}" in (
        output)
    assert "1 langkah terlambat / overdue steps, 1 eskalasi" in output
    assert escalations(db) == [(6, 1, COORDINATOR)]
    # Late by less than one more "10 menit": still level 1 only.
    sla(runner, NOW + timedelta(minutes=20))
    assert escalations(db) == [(6, 1, COORDINATOR)]
    output = sla(runner, NOW + timedelta(minutes=21))
    assert f"-> level 2 {KASIE}" in output
    assert escalations(db) == [(6, 1, COORDINATOR), (6, 2, KASIE)]
    output = sla(runner, NOW + timedelta(hours=5))  # re-runs add nothing
    assert "1 langkah terlambat / overdue steps, 0 eskalasi" in output
    assert len(escalations(db)) == 2
    record = db.session.scalar(sa.select(ComplaintStep).filter_by(
        complaint_id=operator_waiting.id, step_number=6))
    assert record.escalation_level == 2
    target = db.session.scalar(sa.select(Escalation).filter_by(level=1)).target_role
    assert target.name == COORDINATOR


def test_sla_check_catches_up_every_level_due_in_one_run(runner, db, operator_waiting):
    sla(runner, NOW + timedelta(hours=1))
    assert escalations(db) == [(6, 1, COORDINATOR), (6, 2, KASIE)]


def test_sla_check_dry_run_writes_nothing(runner, db, operator_waiting):
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    output = sla(runner, NOW + timedelta(hours=1), "--dry-run")
    assert f"level 1 {COORDINATOR}" in output and f"level 2 {KASIE}" in output
    assert "dry run" in output
    assert escalations(db) == []
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before
    record = db.session.scalar(sa.select(ComplaintStep).filter_by(step_number=6))
    assert record.escalation_level == 0


def test_sla_check_is_audited_as_cli(runner, db, operator_waiting):
    sla(runner, NOW + timedelta(minutes=11))
    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.table_name.in_(["escalations", "complaint_steps"]),
        AuditEntry.operation.in_(["insert", "update"]),
        AuditEntry.interface == "cli")).all()
    assert {e.table_name for e in entries} == {"escalations", "complaint_steps"}


def test_sla_check_only_the_given_office(runner, db, make, operator_waiting):
    make.office("BKS")
    db.session.commit()
    assert "0 langkah terlambat" in sla(runner, NOW + timedelta(hours=1),
                                        "--office", "bks")
    assert escalations(db) == []
    assert "1 langkah terlambat" in sla(runner, NOW + timedelta(hours=1),
                                        "--office", operator_waiting.office.code)


def test_sla_check_leaves_a_step_done_late_alone(runner, db, make, operator_waiting):
    officer = make.user(operator_waiting.office, is_superadmin=True)
    complaint = db.session.get(Complaint, operator_waiting.id)
    workflow.advance(complaint, actor=officer, now=NOW + timedelta(minutes=30),
                     answer=True)
    db.session.commit()
    assert "0 langkah terlambat" in sla(runner, NOW + timedelta(minutes=31))
    assert escalations(db) == []


def test_sla_check_bad_now_is_refused(runner, db):
    result = runner.invoke(args=["sla", "check", "--now", "kemarin"])
    assert result.exit_code != 0 and "ISO 8601" in result.output


def test_escalation_interval_from_config(app, db, operator_waiting):
    complaint = db.session.get(Complaint, operator_waiting.id)
    _overdue, planned = escalation.check(
        db.session, NOW + timedelta(minutes=14), interval=timedelta(minutes=3))
    assert [(p.level, p.lane.name) for p in planned] == [(1, COORDINATOR),
                                                         (2, KASIE)]
    assert complaint.id == planned[0].complaint.id


def _chain_at(make, db, name: str, answers: list[bool | None]) -> list[str]:
    version, officer = seed(name, make)
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    walk_to(complaint, officer, answers)
    record = workflow.open_record(complaint)
    return [lane.name for lane in escalation.chain(db.session, complaint, record)]


@pytest.mark.parametrize(("name", "answers", "expected"), [
    # Depok: the admin late before the decision still reaches the coordinator.
    ("depok", [None], [COORDINATOR, KASIE]),
    ("depok", [None, None, None, False], [COORDINATOR, KASIE]),
    # The coordinator late at step 9: Kasie/Kabid, who is also the end lane.
    ("depok", [*TO_OPERATOR, False, None], [KASIE]),
    # Kasie/Kabid late at step 16: nobody above it in the SOP.
    ("depok", [None, None, None, True, None, None, None], []),
    ("jawa-tengah", TO_OPERATOR, ["Pimpinan Redaksi"]),
    ("jakarta", [None, None], ["Bidang Pengembangan Kebudayaan (Seksi Data dan "
                               "Informasi)"]),
    ("yogyakarta", [None], ["Admin Pusat"]),
    ("yogyakarta", [None, None, True], ["Admin Pusat"]),
])
def test_escalation_chain_read_from_the_seed_flows(make, db, name, answers, expected):
    assert _chain_at(make, db, name, answers) == expected


def test_escalation_in_working_days_counts_working_time(make, db):
    """Jakarta step 3 ("1 hari kerja") entered Friday: level 1 after Monday's
    deadline only (the weekend is not late), and no level 2 (one lane up)."""
    version, officer = seed("jakarta", make)
    friday = datetime(2026, 11, 6, 3, 0, tzinfo=UTC)  # Friday 10:00 WIB
    complaint = make.complaint(version.office, sop_version=version, received_at=friday)
    workflow.start(complaint, actor=officer, now=friday)
    workflow.advance(complaint, actor=officer, now=friday)
    workflow.advance(complaint, actor=officer, now=friday)
    assert complaint.current_step_number == 3
    assert complaint.step_due_at == friday + timedelta(days=3)  # Monday 10:00 WIB
    sunday = friday + timedelta(days=2)
    assert escalation.check(db.session, sunday)[1] == []
    _overdue, planned = escalation.check(db.session, friday + timedelta(days=3,
                                                                        minutes=1))
    assert [(p.level, p.record.step_number) for p in planned] == [(1, 3)]
