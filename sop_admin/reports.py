"""Figures of the daily and monthly complaint reports (SOP steps 12–14).

The seeds end with "Admin media sosial membuat laporan harian" and "...
menyiapkan laporan bulanan ... untuk diparaf": per office and SOP, how many
complaints came in by channel, classification and status, how many steps
were handled within their time standard, the median time each step took
against its standard, and what was overdue when the period ended.

Everything is counted by SQL aggregates (GROUP BY, and a median per step:
`percentile_cont` on PostgreSQL, window functions on SQLite), never by
loading the rows: a month of a busy office is 100 000 complaints. Only the
overdue list fetches rows, and at most `OVERDUE_LIMIT` of them.

A day or month is the office's own calendar (Office.timezone), turned into
UTC bounds [start, end). Plain functions returning dataclasses: the CLI,
the panel and the tests call the same code.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select

from .complaints import complaint_sop_version
from .errors import SopAdminError
from .extensions import db
from .models import (
    Channel,
    Classification,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    Office,
    Sop,
    SopStep,
    SopVersion,
    StepKind,
)
from .sql_stats import medians, seconds_between
from .workflow import is_public_lane

DAILY = "daily"
MONTHLY = "monthly"
#: Rows of the overdue list a report prints (the total is always counted).
OVERDUE_LIMIT = 100
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


class InvalidPeriod(SopAdminError):
    """A date or month that cannot be read."""


@dataclass(frozen=True)
class Period:
    """A local day or month of an office and its UTC bounds [start, end)."""

    kind: str
    first: date
    last: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class StepFigures:
    """How one SOP step went in the period (steps completed in the period)."""

    number: int
    activity: str
    lane: str
    standard: str
    #: Step records completed in the period.
    completed: int
    #: Of those, records that had a deadline, and those that met it.
    timed: int
    within: int
    #: Median seconds from start to completion; None when none completed.
    median_seconds: float | None

    @property
    def share(self) -> float | None:
        return self.within / self.timed if self.timed else None


@dataclass(frozen=True)
class OverdueStep:
    """A step still open, past its deadline, when the period ended."""

    register_no: str
    subject: str
    step_number: int
    activity: str
    due_at: datetime
    late_seconds: int


@dataclass(frozen=True)
class Report:
    office: Office
    version: SopVersion
    period: Period
    #: The moment the figures describe: the period's end, or now if earlier.
    as_of: datetime
    received: int
    by_channel: dict[Channel, int]
    by_classification: dict[Classification, int]
    by_status: dict[ComplaintStatus, int]
    #: Complaints closed in the period, and those closed by their deadline.
    closed: int
    closed_within: int
    steps: list[StepFigures]
    overdue: list[OverdueStep]
    overdue_total: int
    #: Positions (SOP lanes) that initial and sign the report, in order.
    signers: list[str]

    @property
    def timed(self) -> int:
        return sum(s.timed for s in self.steps)

    @property
    def within(self) -> int:
        return sum(s.within for s in self.steps)

    @property
    def within_share(self) -> float | None:
        return self.within / self.timed if self.timed else None


# -- periods ------------------------------------------------------------------


def office_zone(office: Office) -> ZoneInfo:
    return ZoneInfo(office.timezone or "Asia/Jakarta")


def _bounds(kind: str, first: date, last: date, office: Office) -> Period:
    zone = office_zone(office)
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC)
    return Period(kind, first, last, start, end)


def daily_period(day: date, office: Office) -> Period:
    return _bounds(DAILY, day, day, office)


def monthly_period(year: int, month: int, office: Office) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return _bounds(MONTHLY, first, following - timedelta(days=1), office)


def parse_day(text: str) -> date:
    """A date written YYYY-MM-DD."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidPeriod(
            f'Tanggal "{text}" tidak valid; tulis TTTT-BB-HH, mis. 2026-10-05 / '
            f'invalid date "{text}"; write YYYY-MM-DD'
        ) from None


def parse_month(text: str) -> tuple[int, int]:
    """A month written YYYY-MM."""
    match = _MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise InvalidPeriod(
            f'Bulan "{text}" tidak valid; tulis TTTT-BB, mis. 2026-10 / '
            f'invalid month "{text}"; write YYYY-MM'
        )
    return int(match[1]), int(match[2])


# -- which SOP ----------------------------------------------------------------


def report_versions(office: Office) -> list[SopVersion]:
    """One version per SOP of the office (the active one, else the latest):
    the SOPs a report can be made for, by number."""
    found = db.session.scalars(
        select(Sop).where(Sop.office_id == office.id).order_by(Sop.number, Sop.id)
    ).all()
    versions = (sop.active_version or sop.latest_version for sop in found)
    return [v for v in versions if v is not None]


def version_for(office: Office, version_id: int | None) -> SopVersion:
    """The SOP version a report names, which must be one of the office's;
    without one, the office's complaint SOP."""
    if version_id is None:
        version = complaint_sop_version(office)
    else:
        version = db.session.get(SopVersion, version_id)
    if version is None or version.office_id != office.id:
        raise SopAdminError(
            f"SOP tidak ditemukan di unit kerja {office.code} / "
            f"no such SOP in office {office.code}"
        )
    return version


# -- the figures ------------------------------------------------------------


def within_standard():
    """1 when a finished step met its deadline, 0 when it did not, NULL
    when the step has no deadline (a monitoring interval, no standard).

    The one place that decides "handled within standard": the workflow
    stores the verdict on the step when it completes
    (`complaint_steps.within_standard`), so the report reads it rather than
    comparing completed_at with due_at again.
    """
    return case(
        (ComplaintStep.within_standard.is_(None), None),
        (ComplaintStep.within_standard.is_(True), 1),
        else_=0,
    )


def build_report(office: Office, version: SopVersion, period: Period,
                 now: datetime) -> Report:
    """All figures of one report; `version` names the SOP (every version of
    it counts) and its steps' activities, lanes and standards label the table."""
    if version.office_id != office.id:
        raise SopAdminError(
            f"SOP {version.name} bukan milik unit kerja {office.code} / "
            f"SOP {version.name} does not belong to office {office.code}"
        )
    as_of = min(period.end, now)
    scope = and_(
        Complaint.office_id == office.id,
        Complaint.sop_version_id.in_(
            select(SopVersion.id).where(SopVersion.sop_id == version.sop_id)
        ),
    )
    received, by_channel, by_class, by_status = _counts(scope, period)
    closed, closed_within = _closures(scope, period)
    overdue, overdue_total = _overdue(scope, as_of, version)
    return Report(
        office=office, version=version, period=period, as_of=as_of,
        received=received, by_channel=by_channel, by_classification=by_class,
        by_status=by_status, closed=closed, closed_within=closed_within,
        steps=_steps(scope, period, version), overdue=overdue,
        overdue_total=overdue_total, signers=report_signers(version, period.kind),
    )


def _counts(scope, period: Period):
    """Complaints received in the period, grouped by channel, class and status."""
    rows = db.session.execute(
        select(Complaint.channel, Complaint.classification, Complaint.status,
               func.count())
        .where(scope, Complaint.received_at >= period.start,
               Complaint.received_at < period.end)
        .group_by(Complaint.channel, Complaint.classification, Complaint.status)
    ).all()
    channels = dict.fromkeys(Channel, 0)
    classes = dict.fromkeys(Classification, 0)
    statuses = dict.fromkeys(ComplaintStatus, 0)
    for channel, classification, status, n in rows:
        channels[channel] += n
        classes[classification] += n
        statuses[status] += n
    return sum(channels.values()), channels, classes, statuses


def _closures(scope, period: Period) -> tuple[int, int]:
    """Complaints closed in the period; those closed by their whole deadline."""
    on_time = and_(Complaint.due_at.is_not(None),
                   Complaint.closed_at <= Complaint.due_at)
    closed, within = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((on_time, 1), else_=0)), 0))
        .where(scope, Complaint.closed_at >= period.start,
               Complaint.closed_at < period.end)
    ).one()
    return closed, int(within)


def _completed_in(scope, period: Period):
    s = ComplaintStep
    return (
        select(s.step_number)
        .join(Complaint, Complaint.id == s.complaint_id)
        .where(scope, s.completed_at >= period.start, s.completed_at < period.end)
    )


def _steps(scope, period: Period, version: SopVersion) -> list[StepFigures]:
    """Per step: completed, timed, within standard, median duration."""
    ok = within_standard()
    s = ComplaintStep
    counts = _completed_in(scope, period).add_columns(
        func.count(), func.count(ok), func.coalesce(func.sum(ok), 0)
    ).group_by(s.step_number)
    durations = _completed_in(scope, period).add_columns(
        seconds_between(s.completed_at, s.started_at).label("v"))
    median = dict(db.session.execute(medians(durations)).all())
    rows = {r[0]: (*r[1:], median.get(r[0])) for r in db.session.execute(counts)}
    steps = {s.number: s for s in version.steps}
    out = []
    for number in sorted(set(rows) | set(steps)):
        step = steps.get(number)
        done, timed, within, median = rows.get(number, (0, 0, 0, None))
        out.append(StepFigures(
            number=number,
            activity=step.activity if step else "",
            lane=step.lane.name if step else "",
            standard=step.time_text if step else "",
            completed=done, timed=timed, within=int(within),
            median_seconds=None if median is None else float(median),
        ))
    return out


def _overdue(scope, as_of: datetime, version: SopVersion):
    """Steps open at `as_of` and past their deadline, oldest deadline first."""
    s = ComplaintStep
    open_late = and_(
        scope,
        s.due_at.is_not(None),
        s.due_at < as_of,
        s.started_at < as_of,
        or_(s.completed_at.is_(None), s.completed_at > as_of),
    )
    base = select(s.id).join(Complaint, Complaint.id == s.complaint_id).where(open_late)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        select(Complaint.register_no, Complaint.subject, s.step_number, s.due_at)
        .join(Complaint, Complaint.id == s.complaint_id)
        .where(open_late)
        .order_by(s.due_at, s.id)
        .limit(OVERDUE_LIMIT)
    ).all()
    activities = {st.number: st.activity for st in version.steps}
    items = [
        OverdueStep(register_no=reg, subject=subject, step_number=n,
                    activity=activities.get(n, ""), due_at=due,
                    late_seconds=int((as_of - due).total_seconds()))
        for reg, subject, n, due in rows
    ]
    return items, total


# -- who signs ----------------------------------------------------------------

_REPORT_WORDS = {DAILY: "laporan harian", MONTHLY: "laporan bulanan"}


def report_signers(version: SopVersion, kind: str) -> list[str]:
    """The positions that make, initial and sign this report, in step order.

    The seeds name them in their last steps: "Admin media sosial membuat
    laporan harian", "Koordinator Call Center menyiapkan laporan bulanan ...
    kepada Kasie/Kabid untuk diparaf", "Kasie/Kabid memeriksa laporan
    bulanan dan laporan diparaf", then the end step. So: the lanes of the
    steps that mention this report, then (for the monthly report) the lane
    of the end step; an SOP that names no report step gets the end step's
    lane, else its last lane.
    """
    steps: list[SopStep] = sorted(version.steps, key=lambda st: st.number)
    words = _REPORT_WORDS[kind]
    chosen = [st for st in steps if words in (st.activity or "").lower()]
    if kind == MONTHLY or not chosen:
        chosen += [st for st in steps if st.kind == StepKind.END]
    names = list(dict.fromkeys(st.lane.name for st in chosen
                               if st.lane and not is_public_lane(st.lane)))
    office_lanes = [lane for lane in version.lanes if not is_public_lane(lane)]
    if not names and office_lanes:
        names = [office_lanes[-1].name]
    return names
