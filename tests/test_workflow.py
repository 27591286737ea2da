"""Walking complaints through their SOP (workflow.py): branches, roles, deadlines."""

import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sop_admin import workflow
from sop_admin.errors import TransitionNotAllowed
from sop_admin.models import (
    AccessLevel,
    AuditEntry,
    ClosureDay,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    User,
)
from sop_admin.timestd import parse_time_standard

WIB = ZoneInfo("Asia/Jakarta")
RECEIVED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
NOW = RECEIVED + timedelta(minutes=3)


def set_time(step, text: str) -> None:
    standard = parse_time_standard(text)
    step.time_text, step.time_amount = standard.text, standard.amount
    step.time_unit, step.time_is_interval = standard.unit, standard.is_interval


@pytest.fixture
def case(make, db):
    """An office, its active SOP (times parsed), an officer and a new complaint."""
    office = make.office("DPK")
    version = make.sop(office, status="active")
    for step in version.steps:
        set_time(step, step.time_text)
    officer_role = version.steps[0].lane.role
    officer = make.user(office, roles=[officer_role])
    complaint = make.complaint(office, sop_version=version, received_at=RECEIVED)
    db.session.flush()
    return office, version, officer, complaint


def rows(db, complaint) -> list[ComplaintStep]:
    return db.session.scalars(
        db.select(ComplaintStep)
        .filter_by(complaint_id=complaint.id)
        .order_by(ComplaintStep.id)
    ).all()


def test_start_enters_the_start_step_with_its_deadline(case, db):
    office, _version, officer, complaint = case
    row = workflow.start(complaint, actor=officer, now=NOW)
    assert row.step_number == 1
    assert row.started_at == RECEIVED
    assert row.due_at == RECEIVED + timedelta(minutes=5)
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.current_step_number == 1
    assert complaint.step_due_at == row.due_at
    # Ten working days from Monday 2 November 10:00 WIB.
    assert complaint.due_at == datetime(2026, 11, 16, 10, 0, tzinfo=WIB)


def test_start_twice_is_refused(case):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    with pytest.raises(TransitionNotAllowed, match="sudah diproses"):
        workflow.start(complaint, actor=officer, now=NOW)


def test_start_without_sop_is_refused(make, case):
    office, _version, officer, _complaint = case
    bare = make.complaint(office)
    with pytest.raises(TransitionNotAllowed, match="belum terhubung dengan SOP"):
        workflow.start(bare, actor=officer, now=NOW)


def test_start_by_an_auditor_is_refused(make, case):
    office, _version, _officer, complaint = case
    auditor = make.user(office, AccessLevel.AUDITOR)
    with pytest.raises(TransitionNotAllowed, match="staf atau admin"):
        workflow.start(complaint, actor=auditor, now=NOW)
    assert complaint.status == ComplaintStatus.NEW


def test_advance_yes_branch_walks_3_then_closes_at_4(case, db):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    t1, t2, t3 = (NOW + timedelta(minutes=m) for m in (2, 10, 50))
    decision = workflow.advance(complaint, actor=officer, now=t1, note="Diterima")
    # The decision has no Waktu: it is held to step 1's "5 menit".
    assert (decision.step_number, decision.due_at) == (2, t1 + timedelta(minutes=5))
    answer = workflow.advance(complaint, actor=officer, now=t2, answer=True)
    assert answer.step_number == 3
    assert answer.due_at == t2 + timedelta(hours=1)
    end = workflow.advance(complaint, actor=officer, now=t3, note="Sudah dijawab")
    assert end.step_number == 4
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.closed_at == t3
    assert complaint.step_due_at is None
    history = rows(db, complaint)
    assert [r.step_number for r in history] == [1, 2, 3, 4]
    assert [r.completed_at for r in history] == [t1, t2, t3, t3]
    assert [r.answer for r in history] == [None, True, None, None]
    assert history[0].note == "Diterima" and history[2].note == "Sudah dijawab"
    assert all(r.actor_id == officer.id for r in history)


def test_advance_no_branch_skips_step_3_and_closes(case, db):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    end = workflow.advance(complaint, actor=officer, now=NOW, answer=False)
    assert end.step_number == 4
    assert complaint.is_closed
    assert [r.step_number for r in rows(db, complaint)] == [1, 2, 4]
    assert rows(db, complaint)[1].answer is False


def test_advance_decision_without_answer_is_refused(case, db):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    with pytest.raises(TransitionNotAllowed, match="pilih Ya atau Tidak"):
        workflow.advance(complaint, actor=officer, now=NOW)
    assert complaint.current_step_number == 2
    assert rows(db, complaint)[-1].completed_at is None


def test_advance_answer_on_a_process_step_is_refused(case):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    with pytest.raises(TransitionNotAllowed, match="bukan keputusan"):
        workflow.advance(complaint, actor=officer, now=NOW, answer=True)


def test_advance_by_staff_without_the_lane_role_is_refused(make, case, db):
    office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    other = make.user(office, roles=[make.role(office, "Kasie IKP")])
    with pytest.raises(TransitionNotAllowed, match="Admin Media Sosial"):
        workflow.advance(complaint, actor=other, now=NOW)
    assert complaint.current_step_number == 1
    assert rows(db, complaint)[0].completed_at is None


def test_advance_by_auditor_or_other_office_is_refused_even_with_the_role(
    make, case
):
    office, version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    role = version.steps[0].lane.role
    auditor = make.user(office, AccessLevel.AUDITOR, roles=[role])
    stranger = make.user(make.office("BKS"), AccessLevel.ADMIN, roles=[role])
    for actor in (auditor, stranger):
        with pytest.raises(TransitionNotAllowed):
            workflow.advance(complaint, actor=actor, now=NOW)


def test_advance_public_lane_step_by_any_staff_but_not_an_auditor(make, case, db):
    office, version, officer, complaint = case
    version.step(1).lane = version.lanes[0]  # "Masyarakat": the reporter's step
    db.session.flush()
    workflow.start(complaint, actor=officer, now=NOW)
    auditor = make.user(office, AccessLevel.AUDITOR)
    with pytest.raises(TransitionNotAllowed, match="Masyarakat"):
        workflow.advance(complaint, actor=auditor, now=NOW)
    clerk = make.user(office)  # holds no role at all
    assert workflow.advance(complaint, actor=clerk, now=NOW).step_number == 2
    with pytest.raises(TransitionNotAllowed, match="Admin Media Sosial"):
        workflow.advance(complaint, actor=clerk, now=NOW, answer=True)


def test_advance_by_an_office_admin_without_the_role_is_allowed(make, case):
    office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    admin = make.user(office, AccessLevel.ADMIN)
    assert workflow.advance(complaint, actor=admin, now=NOW).step_number == 2


def test_advance_a_closed_complaint_is_refused(case):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW, answer=False)
    with pytest.raises(TransitionNotAllowed, match="sudah ditutup"):
        workflow.advance(complaint, actor=officer, now=NOW)


def test_advance_before_start_is_refused(case):
    _office, _version, officer, complaint = case
    with pytest.raises(TransitionNotAllowed, match="belum dimulai"):
        workflow.advance(complaint, actor=officer, now=NOW)


def test_advance_working_day_step_is_due_by_office_calendar(make, case, db):
    office, version, officer, complaint = case
    set_time(version.step(3), "1 hari kerja")
    db.session.add(ClosureDay(office=office, day=date(2026, 11, 9), reason="Rapat"))
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    friday_evening = datetime(2026, 11, 6, 17, 0, tzinfo=WIB)
    row = workflow.advance(complaint, actor=officer, now=friday_evening, answer=True)
    # Monday 9 November is a closure day: due Tuesday at closing time.
    assert row.due_at == datetime(2026, 11, 10, 16, 0, tzinfo=WIB)
    assert complaint.step_due_at == row.due_at


def _closed(case):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW, answer=False)
    return officer, complaint


def test_reopen_without_reason_is_refused(case):
    officer, complaint = _closed(case)
    with pytest.raises(TransitionNotAllowed, match="Alasan"):
        workflow.reopen(complaint, actor=officer, reason="  ", now=NOW)
    assert complaint.is_closed


def test_reopen_an_open_complaint_is_refused(case):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    with pytest.raises(TransitionNotAllowed, match="belum ditutup"):
        workflow.reopen(complaint, actor=officer, reason="Salah", now=NOW)


def test_reopen_returns_to_the_start_step_with_reason_and_new_deadline(
    case, monkeypatch
):
    officer, complaint = _closed(case)
    reasons = []
    monkeypatch.setattr(workflow, "set_reason", reasons.append)
    later = NOW + timedelta(days=1)
    row = workflow.reopen(complaint, actor=officer, reason="Pelapor keberatan",
                          now=later)
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.closed_at is None
    assert (row.step_number, row.started_at) == (1, later)
    assert row.due_at == later + timedelta(minutes=5)
    assert "Pelapor keberatan" in row.note
    assert complaint.due_at == datetime(2026, 11, 17, 10, 3, tzinfo=WIB)
    assert reasons == ["Pelapor keberatan"]  # handed to the audit trail
    assert workflow.advance(complaint, actor=officer, now=later).step_number == 2


def test_reopen_to_a_given_step_and_never_to_an_end(case):
    officer, complaint = _closed(case)
    with pytest.raises(TransitionNotAllowed, match="langkah 4"):
        workflow.reopen(complaint, actor=officer, reason="x", now=NOW, to_step=4)
    row = workflow.reopen(complaint, actor=officer, reason="Jawab ulang", now=NOW,
                          to_step=3)
    assert row.step_number == complaint.current_step_number == 3


def test_overdue_steps_lists_open_steps_past_their_deadline(make, case, db):
    office, version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    on_time = make.complaint(office, sop_version=version,
                             received_at=RECEIVED + timedelta(minutes=30))
    workflow.start(on_time, actor=officer, now=NOW)
    check = RECEIVED + timedelta(minutes=10)
    assert [r.complaint for r in workflow.overdue_steps(db.session, check)] == [
        complaint
    ]
    assert workflow.overdue_steps(db.session, check, office_id=office.id + 1) == []
    workflow.advance(complaint, actor=officer, now=check)
    assert workflow.overdue_steps(db.session, check) == []


def test_advance_from_a_stale_page_is_refused(case, db):
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    workflow.advance(complaint, actor=officer, now=NOW, expected_step=1)
    with pytest.raises(TransitionNotAllowed, match="sudah diproses oleh orang lain"):
        workflow.advance(complaint, actor=officer, now=NOW, expected_step=1)
    assert complaint.current_step_number == 2
    assert [r.step_number for r in rows(db, complaint)] == [1, 2]


def test_advance_two_officers_at_once_moves_the_complaint_once(
    app, case, db, monkeypatch
):
    """Both read step 1 before either writes; the second must be refused."""
    _office, _version, officer, complaint = case
    workflow.start(complaint, actor=officer, now=NOW)
    db.session.commit()
    ids = complaint.id, officer.id
    both_read = threading.Barrier(2)
    checked = workflow.may_act

    def may_act_then_wait(*args):
        allowed = checked(*args)
        both_read.wait(timeout=20)  # the next statement is the guarded UPDATE
        return allowed

    monkeypatch.setattr(workflow, "may_act", may_act_then_wait)
    outcomes: list[str] = []

    def officer_acts():
        with app.app_context():
            try:
                mine = db.session.get(Complaint, ids[0])
                actor = db.session.get(User, ids[1])
                workflow.advance(mine, actor=actor, now=NOW + timedelta(minutes=1))
                time.sleep(0.2)  # keep the lock while the other waits on it
                db.session.commit()
                outcomes.append("moved")
            except TransitionNotAllowed:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=officer_acts) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["moved", "refused"]
    db.session.expire_all()
    assert [r.step_number for r in rows(db, complaint)] == [1, 2]
    assert db.session.get(Complaint, ids[0]).current_step_number == 2


def test_reopen_reason_reaches_the_audit_trail(case, db):
    officer, complaint = _closed(case)
    db.session.commit()
    workflow.reopen(complaint, actor=officer, reason="Pelapor belum puas", now=NOW)
    db.session.flush()
    entries = db.session.scalars(
        db.select(AuditEntry).filter_by(table_name="complaints", operation="update")
        .order_by(AuditEntry.id.desc())
    ).all()
    assert entries and entries[0].reason == "Pelapor belum puas"
    assert '"in_progress"' in entries[0].new_values
