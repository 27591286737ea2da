"""Late steps passed up the chain (eskalasi), run by `flask sla check` from cron.

The SOPs print no escalation chain, so it is read from their flow, the way
the Depok SOP describes it in prose ("jika Operator Perangkat Daerah tidak
memberikan jawaban, admin meneruskan laporan kepada Koordinator Call
Center", who coordinates with the Kasie/Kabid):

- **Level 1: what the SOP does when an answer does not come.** From the late
  step follow the flow to the next decision (the late step itself if it is
  one), take its *Tidak* branch and go on (Tidak again at any later
  decision) to the first process or end step whose lane is neither the
  public's (Masyarakat/Pelapor) nor one the complaint has already been in.
  Depok: the operator silent at step 6 → Tidak → 8 (Admin Media Sosial,
  already involved) → 9 **Koordinator Call Center**.
- **Level 2: the lane of the SOP's end step**, where the report is closed and
  signed: Depok **Kasie/Kabid Informasi Komunikasi Publik**.

A level whose lane is the late step's own lane or the lane of the level
before it is left out, and the rest are numbered 1, 2 in that order, so an
SOP with no decision ahead (Jakarta) escalates once, to its end lane.

**When.** Level 1 is due as soon as the step is past its deadline; each
further level once the step is late by one more full time standard of the
step (the Waktu it is held to, counted as deadlines count it: working days
in working time), or by `SLA_ESCALATION_MINUTES` when that is set. A step
reaches each level at most once (`ComplaintStep.escalation_level`, and one
`Escalation` row per level); a run that finds several levels due (cron was
down) writes each of them. Both writes are captured by the audit triggers;
the outbox reacts to new Escalation rows by itself.

Like the other services this flushes and never commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import deadlines, workflow
from .models import (
    Complaint,
    ComplaintStep,
    Escalation,
    SopLane,
    SopStep,
    SopVersion,
    StepKind,
)


@dataclass(frozen=True)
class Planned:
    """One escalation written (or, in a dry run, that would be written)."""

    record: ComplaintStep
    level: int
    lane: SopLane
    late_by: timedelta

    @property
    def complaint(self) -> Complaint:
        return self.record.complaint


def _forward(step: SopStep, version: SopVersion) -> SopStep | None:
    """The step after a non-decision step on its drawn arrow."""
    successors = step.successors
    return version.step(successors[0]) if successors else None


def _level_one(step: SopStep, version: SopVersion,
               involved: set[int]) -> SopLane | None:
    """The lane the SOP turns to when the answer does not come (docstring)."""
    seen: set[int] = set()
    current: SopStep | None = step
    while current is not None and current.kind != StepKind.DECISION:
        seen.add(current.number)
        current = _forward(current, version)
        if current is not None and current.number in seen:
            return None
    while current is not None and current.number not in seen:
        seen.add(current.number)
        if current.kind == StepKind.DECISION:
            current = version.step(current.if_no) if current.if_no else None
            continue
        lane = current.lane
        if lane.id not in involved and not workflow.is_public_lane(lane):
            return lane
        current = _forward(current, version)
    return None


def _end_lane(version: SopVersion) -> SopLane | None:
    ends = [s for s in version.steps if s.kind == StepKind.END]
    return ends[-1].lane if ends else None


def chain(session: Session, complaint: Complaint,
          record: ComplaintStep) -> list[SopLane]:
    """The lanes a late step goes to, level 1 first (see the module docstring)."""
    version = complaint.sop_version
    step = version.step(record.step_number)
    if step is None:
        return []
    numbers = session.scalars(select(ComplaintStep.step_number).where(
        ComplaintStep.complaint_id == complaint.id))
    been = [version.step(n) for n in numbers]
    involved = {s.lane_id for s in been if s is not None}
    lanes: list[SopLane] = []
    for lane in (_level_one(step, version, involved), _end_lane(version)):
        if lane is None or lane.id == step.lane_id:
            continue
        if lanes and lanes[-1].id == lane.id:
            continue
        lanes.append(lane)
    return lanes


def thresholds(
    record: ComplaintStep,
    step: SopStep,
    levels: int,
    calendar: deadlines.WorkCalendar,
    interval: timedelta | None = None,
) -> list[datetime]:
    """When each level falls due: the deadline, then one interval more each."""
    if record.due_at is None or levels == 0:
        return []
    standard = workflow.time_standard(step)
    moments = [record.due_at]
    while len(moments) < levels:
        if interval is not None:
            moments.append(moments[-1] + interval)
            continue
        moments.append(deadlines.step_due_at(
            moments[-1], standard.time_amount, standard.time_unit, False, calendar))
    return moments


def check(
    session: Session,
    now: datetime,
    *,
    office_id: int | None = None,
    interval: timedelta | None = None,
    dry_run: bool = False,
) -> tuple[list[ComplaintStep], list[Planned]]:
    """Escalate every overdue open step as far as it is due at `now`.

    Returns the overdue steps looked at and the escalations made; with
    `dry_run` nothing is added or changed, the list says what would be.
    """
    overdue = workflow.overdue_steps(session, now, office_id=office_id)
    planned: list[Planned] = []
    calendars: dict[int, deadlines.WorkCalendar] = {}
    for record in overdue:
        complaint = record.complaint
        if complaint.sop_version is None:
            continue
        step = complaint.sop_version.step(record.step_number)
        lanes = chain(session, complaint, record)
        if step is None or record.escalation_level >= len(lanes):
            continue
        if complaint.office_id not in calendars:
            calendars[complaint.office_id] = workflow.office_calendar(complaint)
        moments = thresholds(record, step, len(lanes), calendars[complaint.office_id],
                             interval)
        for level, (lane, moment) in enumerate(zip(lanes, moments, strict=True), 1):
            if level <= record.escalation_level or now <= moment:
                continue
            planned.append(Planned(record, level, lane, now - record.due_at))
            if not dry_run:
                session.add(Escalation(
                    complaint_id=complaint.id, complaint_step_id=record.id,
                    level=level, target_role_id=lane.role_id,
                    target_label=lane.name, escalated_at=now))
                record.escalation_level = level
    session.flush()
    return overdue, planned
