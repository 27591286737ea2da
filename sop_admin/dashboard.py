"""Figures for the home dashboard, all counted by the database.

Every figure is one aggregate query (COUNT ... GROUP BY, a median) or a
short LIMITed list, so the page costs the same with a thousand complaints
or a million: nothing here loads all rows into Python.

`office_id=None` means every office (the superadmin's view); callers pass
the user's own office otherwise, so scoping is decided in one place, the
view. Times come in as aware UTC values; "this month" is a month of the
zone the caller passes (the office's).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, or_, select

from . import reports
from .extensions import db
from .models import (
    AccessLevel,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    Office,
    SopLane,
    SopStatus,
    SopStep,
    SopVersion,
    StepKind,
    User,
)
from .models.user import user_roles
from .sql_stats import medians, seconds_between

#: How far back the median handling times look.
MEDIAN_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class ComplaintRow:
    """One line of a dashboard list (my tasks, overdue)."""

    id: int
    register_no: str
    subject: str
    office_code: str
    step_number: int | None
    activity: str | None
    step_due_at: datetime | None
    due_at: datetime | None


@dataclass(frozen=True)
class StepMedian:
    """How long one SOP step took (median) against the time it was allowed."""

    version_id: int
    office_code: str
    sop_name: str
    step_number: int
    activity: str
    standard: str  #: the SOP's Waktu text, e.g. "1 x 24 jam"
    completed: int
    timed: int  #: completed with a deadline
    within: int  #: of those, done by it (the workflow's stored verdict)
    median_seconds: float
    allowed_seconds: float | None  #: median of due_at - started_at


def month_start(now: datetime, zone: ZoneInfo) -> datetime:
    """First moment of `now`'s month in `zone`, as an aware time."""
    local = now.astimezone(zone)
    return datetime.combine(local.date().replace(day=1), time.min, zone)


def _scoped(query: Select, office_id: int | None) -> Select:
    return query if office_id is None else query.where(Complaint.office_id == office_id)


def office_counts(office_id: int | None, now: datetime,
                  zone: ZoneInfo) -> dict[str, int]:
    """Open complaints by status, closed this month and active SOPs."""
    by_status = dict(db.session.execute(_scoped(
        select(Complaint.status, func.count())
        .where(Complaint.status != ComplaintStatus.CLOSED)
        .group_by(Complaint.status), office_id)
    ).all())
    closed = db.session.scalar(_scoped(
        select(func.count()).select_from(Complaint).where(
            Complaint.status == ComplaintStatus.CLOSED,
            Complaint.closed_at >= month_start(now, zone)), office_id))
    sops = select(func.count()).select_from(SopVersion).where(
        SopVersion.status == SopStatus.ACTIVE)
    if office_id is not None:
        sops = sops.where(SopVersion.office_id == office_id)
    return {
        "new": by_status.get(ComplaintStatus.NEW, 0),
        "in_progress": by_status.get(ComplaintStatus.IN_PROGRESS, 0),
        "closed_this_month": closed,
        "active_sops": db.session.scalar(sops),
    }


def overdue_clause(now: datetime):
    """Open and past the current step's deadline or the whole complaint's."""
    return and_(Complaint.status != ComplaintStatus.CLOSED,
                or_(Complaint.step_due_at < now, Complaint.due_at < now))


def _rows(query: Select, limit: int) -> tuple[int, list[ComplaintRow]]:
    """How many rows `query` matches, and the first `limit` of them."""
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(limit)).all()
    return total, [ComplaintRow(*row) for row in rows]


def _earliest_deadline():
    """The sooner of the step's and the complaint's deadline (NULLs skipped)."""
    step, whole = Complaint.step_due_at, Complaint.due_at
    return case((step.is_(None), whole), (whole.is_(None), step),
                (step < whole, step), else_=whole)


def _listing() -> Select:
    """Open complaints with their current step's activity (outer: a new one
    has no step yet), soonest deadline first, those without one last."""
    deadline = _earliest_deadline()
    return (
        select(Complaint.id, Complaint.register_no, Complaint.subject, Office.code,
               Complaint.current_step_number, SopStep.activity,
               Complaint.step_due_at, Complaint.due_at)
        .join(Office, Office.id == Complaint.office_id)
        .outerjoin(SopStep, and_(SopStep.version_id == Complaint.sop_version_id,
                                 SopStep.number == Complaint.current_step_number))
        .where(Complaint.status != ComplaintStatus.CLOSED)
        .order_by(deadline.is_(None), deadline, Complaint.id)
    )


def acts_on_steps(user: User) -> bool:
    """Read-only levels (records officer, auditor) never act on a step."""
    return user.is_superadmin or user.access_level in (AccessLevel.ADMIN,
                                                       AccessLevel.STAFF)


def my_tasks(user: User, office_id: int | None,
             limit: int = 10) -> tuple[int, list[ComplaintRow]]:
    """Open complaints waiting for `user`: at a step whose lane is a role the
    user holds; for an admin, every open complaint of the office."""
    if not acts_on_steps(user):
        return 0, []
    query = _scoped(_listing(), office_id)
    if not (user.is_superadmin or user.access_level == AccessLevel.ADMIN):
        held = select(user_roles.c.role_id).where(user_roles.c.user_id == user.id)
        query = (query.join(SopLane, SopLane.id == SopStep.lane_id)
                 .where(SopLane.role_id.in_(held)))
    return _rows(query, limit)


def overdue(office_id: int | None, now: datetime,
            limit: int = 10) -> tuple[int, list[ComplaintRow]]:
    """Overdue complaints (see `overdue_clause`), the most overdue first."""
    return _rows(_scoped(_listing().where(overdue_clause(now)), office_id), limit)


def month_breakdown(office_id: int | None, now: datetime,
                    zone: ZoneInfo) -> dict[str, dict[str, int]]:
    """Complaints received this month by channel, by status, by classification."""
    since = month_start(now, zone)
    figures = {}
    for name, column in (("channel", Complaint.channel),
                         ("status", Complaint.status),
                         ("classification", Complaint.classification)):
        rows = db.session.execute(_scoped(
            select(column, func.count())
            .where(Complaint.received_at >= since, Complaint.received_at <= now)
            .group_by(column).order_by(column), office_id)).all()
        figures[name] = {str(key): count for key, count in rows}
    return figures


def step_medians(office_id: int | None, now: datetime) -> list[StepMedian]:
    """Median time each SOP step took over the last `MEDIAN_WINDOW`, against
    the median time its deadline allowed (its standard as the office's
    calendar turned it into deadlines), per SOP version and step."""
    def per_step(value):
        query = (select(Complaint.sop_version_id, ComplaintStep.step_number,
                        value.label("v"))
                 .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
                 .where(ComplaintStep.completed_at.isnot(None),
                        ComplaintStep.completed_at >= now - MEDIAN_WINDOW))
        return {(version, number): float(median) for version, number, median
                in db.session.execute(medians(_scoped(query, office_id)))}

    step = ComplaintStep
    taken = per_step(seconds_between(step.completed_at, step.started_at))
    allowed = per_step(seconds_between(step.due_at, step.started_at))
    ok = reports.within_standard()
    counted = (select(Complaint.sop_version_id, ComplaintStep.step_number,
                      func.count(), func.count(ok), func.coalesce(func.sum(ok), 0))
               .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
               .where(ComplaintStep.completed_at.isnot(None),
                      ComplaintStep.completed_at >= now - MEDIAN_WINDOW)
               .group_by(Complaint.sop_version_id, ComplaintStep.step_number))
    counts = {(v, n): (done, timed, int(within)) for v, n, done, timed, within
              in db.session.execute(_scoped(counted, office_id))}
    if not counts:
        return []
    version_ids = {version for version, _ in counts}
    steps = db.session.execute(
        select(SopVersion.id, Office.code, SopVersion.name, SopStep.number,
               SopStep.activity, SopStep.time_text)
        .join(Office, Office.id == SopVersion.office_id)
        .join(SopStep, SopStep.version_id == SopVersion.id)
        .where(SopVersion.id.in_(version_ids), SopStep.kind != StepKind.END)
        .order_by(Office.code, SopVersion.name, SopVersion.id, SopStep.number)).all()
    return [
        StepMedian(version, code, name, number, activity, time_text,
                   *counts[version, number], taken[version, number],
                   allowed.get((version, number)))
        for version, code, name, number, activity, time_text in steps
        if (version, number) in counts
    ]
