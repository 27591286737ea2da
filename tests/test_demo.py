"""Demo data (`flask demo load`, `flask demo logins`)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sop_admin import demo
from sop_admin.demo.offices import LEVELS, SUPERADMIN
from sop_admin.models import (
    AccessLevel,
    Channel,
    Classification,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    Escalation,
    Office,
    RegisterCounter,
    SopStatus,
    SopVersion,
    StepKind,
    User,
    utcnow,
)

COUNT = 24
CODES = {"DPK", "YGY", "BKS", "DKI", "JTG"}


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def loaded(runner, db):
    """The demo loaded through the CLI with a small number of complaints."""
    before = utcnow()
    result = runner.invoke(args=["demo", "load", "--complaints", str(COUNT),
                                 "--seed", "7"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return before, result.output


def test_demo_load_creates_five_offices_with_active_sops(loaded, db):
    offices = db.session.scalars(sa.select(Office)).all()
    assert {office.code for office in offices} == CODES
    versions = db.session.scalars(sa.select(SopVersion)).all()
    assert len(versions) == 5
    for version in versions:
        assert version.status == SopStatus.ACTIVE
        assert version.activated_at is not None
        assert len(version.steps) >= 3
        assert [s.kind for s in version.steps].count(StepKind.START) == 1
        assert version.office.code in CODES
    assert "5 kantor/offices" in loaded[1]
    assert f"{COUNT} pengaduan/complaints" in loaded[1]


def test_demo_load_creates_users_of_every_level_holding_lanes(loaded, db):
    hashes = set()
    for office in db.session.scalars(sa.select(Office)):
        for suffix, level in LEVELS:
            user = db.session.scalar(
                sa.select(User).filter_by(username=f"{office.code.lower()}.{suffix}")
            )
            assert user is not None and user.office == office
            assert user.access_level == level
            hashes.add(user.password_hash)
            assert all(role.office_id == office.id for role in user.roles)
            assert not any(re.search("masyarakat|pelapor", r.name, re.I)
                           for r in user.roles)
        staff = db.session.scalar(
            sa.select(User).filter_by(username=f"{office.code.lower()}.staf"))
        assert staff.roles, f"{office.code}: staf holds no SOP position"
    superadmin = db.session.scalar(sa.select(User).filter_by(username=SUPERADMIN))
    assert superadmin.is_superadmin and superadmin.access_level == AccessLevel.ADMIN
    hashes.add(superadmin.password_hash)
    assert len(hashes) == 1  # argon2 is slow: one check covers every account
    assert superadmin.check_password(demo.DEMO_PASSWORD)
    assert _count(db, User) == 5 * len(LEVELS) + 1


def test_demo_load_complaints_are_registered_and_recent(loaded, db):
    before, _ = loaded
    complaints = db.session.scalars(sa.select(Complaint)).all()
    assert len(complaints) == COUNT
    numbers = [c.register_no for c in complaints]
    assert len(set(numbers)) == COUNT
    for complaint in complaints:
        code, year, serial = complaint.register_no.split("/")
        assert code == complaint.office.code and re.fullmatch(r"\d{6}", serial)
        assert before - timedelta(days=91) <= complaint.received_at <= utcnow()
        assert complaint.sop_version.office_id == complaint.office_id
        step = complaint.sop_version.step(complaint.current_step_number or 0)
        assert (step is None) == (complaint.status == ComplaintStatus.NEW)
        if complaint.status == ComplaintStatus.CLOSED:
            assert step.kind == StepKind.END
            assert complaint.received_at <= complaint.closed_at <= utcnow()
        else:
            assert complaint.closed_at is None
        if complaint.anonymous:
            assert not complaint.reporter_name and not complaint.reporter_contact
    assert {c.channel for c in complaints} == set(Channel)
    assert {c.classification for c in complaints} == set(Classification)
    assert all(c.lapor_tracking_id for c in complaints if c.channel == Channel.LAPOR)
    counters = db.session.scalars(sa.select(RegisterCounter)).all()
    assert sum(c.last_value for c in counters) == COUNT  # no gaps


@pytest.fixture
def walked(db):
    """More complaints than `loaded`, directly: enough for every kind of case."""
    now = utcnow()
    demo.load(complaints=150, seed=3, now=now)
    db.session.flush()
    return now


def _expected_next(step, answer):
    if step.kind == StepKind.DECISION:
        return step.if_yes if answer else step.if_no
    return step.successors[0]


def test_demo_complaints_follow_their_sop_flow(walked, db):
    now = walked
    complaints = db.session.scalars(sa.select(Complaint)).all()
    rows = db.session.scalars(sa.select(ComplaintStep).order_by(ComplaintStep.id))
    by_complaint = {}
    for row in rows:
        by_complaint.setdefault(row.complaint_id, []).append(row)
    decisions = set()
    for complaint in complaints:
        version, steps = complaint.sop_version, by_complaint.get(complaint.id, [])
        if complaint.status == ComplaintStatus.NEW:
            assert steps == [] and complaint.current_step_number is None
            continue
        first = steps[0]
        assert version.step(first.step_number).kind == StepKind.START
        assert first.started_at == complaint.received_at
        for before, after in zip(steps, steps[1:], strict=False):
            step = version.step(before.step_number)
            assert after.step_number == _expected_next(step, before.answer)
            assert (before.answer is not None) == (step.kind == StepKind.DECISION)
            if before.answer is not None:
                decisions.add(before.answer)
            assert before.completed_at == after.started_at <= now
            assert before.actor.office_id == complaint.office_id
        last = steps[-1]
        assert last.step_number == complaint.current_step_number
        if complaint.status == ComplaintStatus.CLOSED:
            assert version.step(last.step_number).kind == StepKind.END
            assert complaint.closed_at == last.completed_at <= now
        else:
            assert last.completed_at is None
            assert complaint.step_due_at == last.due_at
            assert all(s.completed_at is not None for s in steps[:-1])
    assert decisions == {True, False}  # both branches are taken somewhere
    statuses = {c.status for c in complaints}
    assert statuses == set(ComplaintStatus)
    open_steps = {c.current_step_number for c in complaints
                  if c.status == ComplaintStatus.IN_PROGRESS}
    assert len(open_steps) > 2  # still open at various steps


def test_demo_has_late_steps_and_overdue_complaints(walked, db):
    now = walked
    late_done = db.session.scalar(
        sa.select(sa.func.count()).select_from(ComplaintStep).where(
            ComplaintStep.completed_at > ComplaintStep.due_at))
    on_time = db.session.scalar(
        sa.select(sa.func.count()).select_from(ComplaintStep).where(
            ComplaintStep.completed_at <= ComplaintStep.due_at))
    assert 0 < late_done < on_time
    overdue = db.session.scalar(
        sa.select(sa.func.count()).select_from(Complaint).where(
            Complaint.status == ComplaintStatus.IN_PROGRESS,
            sa.or_(Complaint.step_due_at < now, Complaint.due_at < now)))
    assert overdue > 0


def test_demo_escalates_steps_still_open_past_their_deadline(walked, db):
    now = walked
    escalations = db.session.scalars(sa.select(Escalation)).all()
    assert escalations
    for escalation in escalations:
        record = escalation.step
        assert escalation.escalated_at == now
        assert record.completed_at is None and record.due_at < now
        assert escalation.complaint.status == ComplaintStatus.IN_PROGRESS
        assert record.escalation_level >= escalation.level
        lane_roles = {lane.role_id for lane in escalation.complaint.sop_version.lanes}
        assert escalation.target_role_id in lane_roles


def test_demo_steps_are_done_by_holders_of_their_lane(walked, db):
    rows = db.session.scalars(
        sa.select(ComplaintStep).where(ComplaintStep.completed_at.isnot(None)))
    for row in rows:
        step = row.complaint.sop_version.step(row.step_number)
        if step.kind == StepKind.END:
            continue
        actor = row.actor
        public = re.search("masyarakat|pelapor", step.lane.name, re.I)
        if public:
            assert actor.access_level == AccessLevel.STAFF
        else:
            assert actor.holds_role(step.lane.role_id), (actor, step.lane.name)


def test_demo_load_if_empty_second_run_adds_nothing(loaded, runner, db):
    result = runner.invoke(args=["demo", "load", "--if-empty", "--complaints", "5"])
    assert result.exit_code == 0, result.output
    assert "tidak dimuat" in result.output
    assert _count(db, Office) == 5
    assert _count(db, Complaint) == COUNT


def test_demo_load_twice_without_if_empty_refuses(loaded, runner, db):
    result = runner.invoke(args=["demo", "load", "--complaints", "5"])
    assert result.exit_code == 1
    assert "already loaded" in result.output
    assert _count(db, Complaint) == COUNT


def test_demo_load_failure_leaves_nothing(runner, db, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("rusak / broken")

    monkeypatch.setattr(demo, "make_complaints", broken)
    result = runner.invoke(args=["demo", "load", "--complaints", "5"])
    assert result.exit_code == 1
    assert "broken" in result.output
    assert _count(db, Office) == 0
    assert _count(db, User) == 0
    assert _count(db, SopVersion) == 0


def test_demo_load_same_seed_gives_same_complaints(db):
    now = utcnow()

    def snapshot(seed: int):
        demo.load(complaints=12, seed=seed, now=now)
        rows = sorted(
            (c.register_no, c.reporter_name, c.subject, c.channel, c.status,
             c.current_step_number, c.received_at)
            for c in db.session.scalars(sa.select(Complaint))
        ) + db.session.execute(
            sa.select(ComplaintStep.step_number, ComplaintStep.started_at,
                      ComplaintStep.completed_at, ComplaintStep.answer)
            .order_by(ComplaintStep.id)).all()
        db.session.rollback()
        return rows

    first = snapshot(5)
    assert snapshot(5) == first
    assert snapshot(6) != first


def test_demo_logins_lists_every_demo_user(loaded, runner, db):
    result = runner.invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "username"
    for user in db.session.scalars(sa.select(User)):
        row = next(line for line in lines if line.split()[0] == user.username)
        assert user.office.code in row and demo.DEMO_PASSWORD in row
    assert len(lines) == 2 + 5 * len(LEVELS) + 1


def test_demo_logins_hides_a_changed_password(loaded, runner, db):
    user = db.session.scalar(sa.select(User).filter_by(username="dpk.staf"))
    user.set_password("another-password")
    db.session.commit()
    result = runner.invoke(args=["demo", "logins"])
    row = next(line for line in result.output.splitlines()
               if line.startswith("dpk.staf"))
    assert demo.DEMO_PASSWORD not in row and "changed" in row


def test_demo_logins_empty_database_says_so(runner):
    result = runner.invoke(args=["demo", "logins"])
    assert result.exit_code == 0
    assert "flask demo load" in result.output


def test_demo_user_can_log_in_with_demo_password(loaded, client, db):
    response = client.post("/login", data={"username": "dpk.admin",
                                           "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
