"""Figures for the home dashboard, all counted by the database.

Every figure is one aggregate query (COUNT ... GROUP BY, a median) or a
short LIMITed list, and nothing here loads all rows into Python. Sets that
only grow with the data (open complaints, overdue, my tasks) are counted up
to `COUNT_CAP` only, reading at most that many rows, and their lists read
only the rows shown, in the order of the index of an office's open
complaints (see the indexes of `Complaint`); so those figures cost the same
with a thousand complaints or a million. (The superadmin's every-office
view has no such index: its lists sort the open complaints.) Figures of one
month (received, closed) stay exact: a month is bounded.

`office_id=None` means every office (the superadmin's view); callers pass
the user's own office otherwise, so scoping is decided in one place, the
view. Times come in as aware UTC values; "this month" is a month of the
zone the caller passes (the office's).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, case, func, select

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
from .models.complaint import OPEN_STATUSES
from .models.user import user_roles
from .sql_stats import medians, seconds_between

#: How far back the median handling times look.
MEDIAN_WINDOW = timedelta(days=90)
#: Counts of sets that only grow stop one past this; the page shows such a
#: figure as "1.000+" (see `views.index.count_text`).
COUNT_CAP = 1000


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


def is_open():
    """New or in progress. Spelled as a list of inline values (not `!= closed`,
    not bound parameters) because that is the open-complaint indexes' WHERE
    clause word for word: SQLite uses a partial index only when the query
    states its predicate as constants, and PostgreSQL only in a plan made
    with the values known."""
    return Complaint.status.in_(bindparam(
        "open_statuses", [s.value for s in OPEN_STATUSES],
        expanding=True, literal_execute=True))


def capped_count(query: Select) -> int:
    """How many rows `query` matches, but at most `COUNT_CAP` + 1: more than
    the cap is shown as "1.000+", and reading stops there."""
    return db.session.scalar(select(func.count()).select_from(
        query.limit(COUNT_CAP + 1).subquery()))


def office_counts(office_id: int | None, now: datetime,
                  zone: ZoneInfo) -> dict[str, int]:
    """Open complaints by status (capped, see `capped_count`), closed this
    month (exact) and active SOPs."""
    def open_with(status):
        return capped_count(_scoped(select(Complaint.id).where(
            is_open(), Complaint.status == status), office_id))

    closed = db.session.scalar(_scoped(
        select(func.count()).select_from(Complaint).where(
            Complaint.status == ComplaintStatus.CLOSED,
            Complaint.closed_at >= month_start(now, zone)), office_id))
    sops = select(func.count()).select_from(SopVersion).where(
        SopVersion.status == SopStatus.ACTIVE)
    if office_id is not None:
        sops = sops.where(SopVersion.office_id == office_id)
    return {
        "new": open_with(ComplaintStatus.NEW),
        "in_progress": open_with(ComplaintStatus.IN_PROGRESS),
        "closed_this_month": closed,
        "active_sops": db.session.scalar(sops),
    }


def earliest_deadline():
    """The sooner of the step's and the complaint's deadline (NULLs skipped;
    NULL when both are). Rendered exactly as `EARLIEST_DEADLINE_SQL`, the
    expression the open-complaint indexes are on."""
    step, whole = Complaint.step_due_at, Complaint.due_at
    return case((step.is_(None), whole), (whole.is_(None), step),
                (step < whole, step), else_=whole)


def overdue_clause(now: datetime):
    """Open and past the current step's deadline or the whole complaint's,
    i.e. the earlier of the two is past: a range of the open-complaint index."""
    return and_(is_open(), earliest_deadline() < now)


def _listing(office_id: int | None) -> Select:
    """Open complaints with their current step's activity (outer: a new one
    has no step yet), unordered."""
    return _scoped(
        select(Complaint.id, Complaint.register_no, Complaint.subject, Office.code,
               Complaint.current_step_number, SopStep.activity,
               Complaint.step_due_at, Complaint.due_at)
        .join(Office, Office.id == Complaint.office_id)
        .outerjoin(SopStep, and_(SopStep.version_id == Complaint.sop_version_id,
                                 SopStep.number == Complaint.current_step_number))
        .where(is_open()), office_id)


def _capped_in_order(count: Select) -> int:
    """`capped_count` reading in the open-complaint index's order, so that
    it stops after the cap instead of first collecting every match."""
    return capped_count(count.order_by(earliest_deadline(), Complaint.id))


def _rows(listing: Select, limit: int,
          undated: bool = True) -> list[ComplaintRow]:
    """The first `limit` rows of `listing`: soonest deadline first, then by
    id those without one (unless `undated` is false: the listing has none).
    Two reads of the index, dated then (if rows are left) undated, because
    PostgreSQL and SQLite keep NULLs at opposite ends of it."""
    deadline = earliest_deadline()
    rows = db.session.execute(listing.where(deadline.isnot(None))
                              .order_by(deadline, Complaint.id).limit(limit)).all()
    if undated and len(rows) < limit:
        rows += db.session.execute(listing.where(deadline.is_(None))
                                   .order_by(Complaint.id)
                                   .limit(limit - len(rows))).all()
    return [ComplaintRow(*row) for row in rows]


def acts_on_steps(user: User) -> bool:
    """Read-only levels (records officer, auditor) never act on a step."""
    return user.is_superadmin or user.access_level in (AccessLevel.ADMIN,
                                                       AccessLevel.STAFF)


def my_tasks(user: User, office_id: int | None, limit: int = 10,
             open_count: int | None = None) -> tuple[int, list[ComplaintRow]]:
    """Open complaints waiting for `user`: at a step whose lane is a role the
    user holds; for an admin, every open complaint of the office, whose
    number the caller may pass as `open_count` (`office_counts`' new +
    in_progress) to spare counting them twice. The total is capped (see
    `capped_count`)."""
    if not acts_on_steps(user):
        return 0, []
    count = _scoped(select(Complaint.id).where(is_open()), office_id)
    listing = _listing(office_id)
    if user.is_superadmin or user.access_level == AccessLevel.ADMIN:
        total = (_capped_in_order(count) if open_count is None
                 else min(open_count, COUNT_CAP + 1))
        return total, _rows(listing, limit)
    held = select(user_roles.c.role_id).where(user_roles.c.user_id == user.id)
    count = count.join(SopStep, and_(
        SopStep.version_id == Complaint.sop_version_id,
        SopStep.number == Complaint.current_step_number))
    count, listing = (
        query.join(SopLane, SopLane.id == SopStep.lane_id)
        .where(SopLane.role_id.in_(held)) for query in (count, listing))
    return _capped_in_order(count), _rows(listing, limit)


def overdue(office_id: int | None, now: datetime,
            limit: int = 10) -> tuple[int, list[ComplaintRow]]:
    """Overdue complaints (see `overdue_clause`), the most overdue first;
    the total is capped (see `capped_count`)."""
    late = overdue_clause(now)
    return (_capped_in_order(_scoped(select(Complaint.id).where(late), office_id)),
            _rows(_listing(office_id).where(late), limit, undated=False))


def month_breakdown(office_id: int | None, now: datetime,
                    zone: ZoneInfo) -> dict[str, dict[str, int]]:
    """Complaints received this month by channel, by status, by
    classification: one pass over the month's rows grouped by all three (at
    most 11 x 3 x 3 groups), added up here; ix_complaints_office_received_kinds
    covers it."""
    since = month_start(now, zone)
    columns = (Complaint.channel, Complaint.status, Complaint.classification)
    figures = {"channel": Counter(), "status": Counter(), "classification": Counter()}
    for *keys, count in db.session.execute(_scoped(
            select(*columns, func.count())
            .where(Complaint.received_at >= since, Complaint.received_at <= now)
            .group_by(*columns), office_id)):
        for name, key in zip(figures, keys, strict=True):
            figures[name][str(key)] += count
    return {name: dict(sorted(counter.items())) for name, counter in figures.items()}


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
