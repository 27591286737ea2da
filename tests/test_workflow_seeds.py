"""Every seed SOP walked to its end, down both branches of every decision."""

from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sop_admin import deadlines, sopfile, sops, workflow
from sop_admin.models import ComplaintStep, StepKind

SEEDS = sorted((Path(sops.__file__).parent / "demo" / "sops").glob("*.yaml"))
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
MAX_MOVES = 200


def distances_to(version, goals: list[int]) -> dict[int, int]:
    """Fewest moves from each step to one of `goals` (BFS over reversed arrows)."""
    incoming: dict[int, list[int]] = {}
    for step in version.steps:
        for target in step.successors:
            incoming.setdefault(target, []).append(step.number)
    distance = dict.fromkeys(goals, 0)
    queue = deque(goals)
    while queue:
        number = queue.popleft()
        for source in incoming.get(number, []):
            if source not in distance:
                distance[source] = distance[number] + 1
                queue.append(source)
    return distance


def walk(complaint, version, officer, forced: tuple[int, bool] | None):
    """Advance until closed; `forced` answers one decision the first time only.

    Other decisions steer towards the forced one while it is pending, then
    towards the nearest end.
    """
    ends = [s.number for s in version.steps if s.kind == StepKind.END]
    to_end = distances_to(version, ends)
    to_forced = distances_to(version, [forced[0]]) if forced else {}
    moments = (NOW + timedelta(minutes=m) for m in range(1, MAX_MOVES + 2))
    workflow.start(complaint, actor=officer, now=NOW)
    path = [complaint.current_step_number]
    while not complaint.is_closed:
        assert len(path) < MAX_MOVES, f"no end reached: {path}"
        step = version.step(complaint.current_step_number)
        answer = None
        if step.kind == StepKind.DECISION:
            if forced and forced[0] == step.number:
                answer, forced = forced[1], None
            else:
                distance = to_forced if forced else to_end
                answer = distance.get(step.if_yes, 10**6) <= distance.get(
                    step.if_no, 10**6
                )
        workflow.advance(complaint, actor=officer, now=next(moments), answer=answer)
        path.append(complaint.current_step_number)
    assert forced is None, f"decision {forced} never reached: {path}"
    return path


@pytest.fixture(params=SEEDS, ids=lambda p: p.stem)
def seed(request, make, db):
    """A seed SOP imported as active, and a staff member holding its office lanes.

    The public's lanes (Masyarakat/Pelapor) are held by nobody: any staff
    member records those steps.
    """
    version = sops.import_document(sopfile.load(request.param), activate=True, now=NOW)
    roles = [lane.role for lane in version.lanes if not workflow.is_public_lane(lane)]
    assert len(roles) < len(version.lanes) or request.param.stem == "bekasi"
    officer = make.user(version.office, roles=roles)
    return version, officer


def test_workflow_seed_every_decision_branch_reaches_an_end(seed, make, db):
    version, officer = seed
    decisions = [s.number for s in version.steps if s.kind == StepKind.DECISION]
    cases = [None] + [(n, a) for n in decisions for a in (True, False)]
    for forced in cases:
        complaint = make.complaint(version.office, sop_version=version,
                                   received_at=NOW)
        path = walk(complaint, version, officer, forced)
        assert version.step(path[-1]).kind == StepKind.END
        if forced:
            step = version.step(forced[0])
            assert (step.if_yes if forced[1] else step.if_no) in path


def test_workflow_seed_step_rows_carry_their_standard_deadline(seed, make, db):
    version, officer = seed
    complaint = make.complaint(version.office, sop_version=version, received_at=NOW)
    walk(complaint, version, officer, None)
    calendar = workflow.office_calendar(complaint)
    rows = db.session.scalars(
        db.select(ComplaintStep).filter_by(complaint_id=complaint.id)
    ).all()
    assert rows
    for row in rows:
        step = workflow.time_standard(version.step(row.step_number))
        assert row.due_at == deadlines.step_due_at(
            row.started_at, step.time_amount, step.time_unit, step.time_is_interval,
            calendar,
        )
        assert row.completed_at is not None and row.actor_id == officer.id
