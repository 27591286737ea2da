"""Demo complaints walked through their SOPs with the workflow service.

Each registered demo complaint is started and advanced by `workflow.start`
and `workflow.advance` with a `now` in the past, so its step rows,
deadlines and compliance are exactly what the panel would have recorded.
Steps are done by the demo user holding the step's lane (the staf user for
operational positions, the admin for supervisory ones, the clerk for the
public's lane). How long a step takes is drawn against its own deadline:
most finish within it, some run late. A complaint stops where its next
step would finish after `now` (so recent reports are still open), and a
few older ones stall at a step and stay overdue; `load` then escalates
those as `flask sla check` would have (sop_admin/escalation.py).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import workflow
from ..models import Complaint, SopStep, StepKind, User

#: Share of steps with a deadline that finish after it, and how late.
LATE_SHARE = 0.15
LATE_FACTOR = (1.1, 3.0)
ON_TIME_FACTOR = (0.1, 0.9)
#: A step without a deadline (the reporter's reply, a monitoring interval),
#: and a decision without one (answered by the officer who just acted).
UNTIMED = (timedelta(minutes=10), timedelta(hours=6))
UNTIMED_DECISION = (timedelta(minutes=2), timedelta(minutes=45))
#: Share of complaints left untouched at registration, and of those that
#: stall (after at most STALL_STEPS moves) and stay open past their deadline.
NOT_STARTED_SHARE = 0.04
STALL_SHARE = 0.15
STALL_STEPS = 6
#: Registration follows the post by this much.
REGISTER_DELAY = (timedelta(minutes=5), timedelta(hours=2))


@dataclass(frozen=True)
class Staffing:
    """Who does what in one demo office."""

    clerk: User  #: registers complaints and records the public's steps
    admin: User  #: acts on a lane nobody holds
    holders: dict[int, User] = field(default_factory=dict)  #: role id -> holder

    def actor_for(self, step: SopStep) -> User:
        if workflow.is_public_lane(step.lane):
            return self.clerk
        return self.holders.get(step.lane.role_id, self.admin)


def _duration(rng: random.Random, step: SopStep, started: datetime,
              due: datetime | None) -> timedelta:
    if due is None:
        low, high = (UNTIMED_DECISION if step.kind == StepKind.DECISION
                     else UNTIMED)
        return low + (high - low) * rng.random()
    allowed = max(due - started, timedelta(minutes=1))
    factor = rng.uniform(*(LATE_FACTOR if rng.random() < LATE_SHARE
                           else ON_TIME_FACTOR))
    return allowed * factor


def _answer(rng: random.Random, step: SopStep, visited: set[int]) -> bool:
    """Ya or Tidak, mostly Ya; a branch already taken is avoided so a loop
    in the SOP (ask the reporter again) is gone round at most once more."""
    answer = rng.random() < 0.6
    target = step.if_yes if answer else step.if_no
    other = step.if_no if answer else step.if_yes
    if target in visited and other not in visited:
        return not answer
    return answer


def walk(rng: random.Random, complaint: Complaint, staffing: Staffing,
         registered: datetime, now: datetime) -> None:
    """Start `complaint` at `registered` and advance it while its steps
    would have been finished before `now` (see module docstring)."""
    if complaint.sop_version is None or rng.random() < NOT_STARTED_SHARE:
        return
    version = complaint.sop_version
    row = workflow.start(complaint, actor=staffing.clerk, now=registered)
    stall_after = (rng.randint(1, STALL_STEPS) if rng.random() < STALL_SHARE
                   else None)
    visited = {row.step_number}
    done = 0
    while not complaint.is_closed and done < 3 * len(version.steps):
        step = version.step(row.step_number)
        finished = max(row.started_at, registered) + _duration(
            rng, step, row.started_at, row.due_at)
        if finished > now or done == stall_after:
            return
        answer = (_answer(rng, step, visited) if step.kind == StepKind.DECISION
                  else None)
        row = workflow.advance(complaint, actor=staffing.actor_for(step),
                               now=finished, answer=answer)
        visited.add(row.step_number)
        done += 1


def register_delay(rng: random.Random) -> timedelta:
    low, high = REGISTER_DELAY
    return low + (high - low) * rng.random()


def staffing(users: list[User]) -> Staffing:
    """The clerk (staf), the admin, and who holds each of the office's roles."""
    by_level = {user.access_level.value: user for user in users}
    holders = {role.id: user for user in users for role in user.roles}
    return Staffing(clerk=by_level["staff"], admin=by_level["admin"],
                    holders=holders)
