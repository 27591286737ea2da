"""Deadlines (batas waktu) of SOP steps and complaints: computed here and only here.

Pure arithmetic: nothing here reads the clock or the database. Datetimes go in
and come out as aware UTC; the office's time zone is used only inside, because
office hours and "which day is it" are questions of local time.

Units of a time standard (see `timestd`):

- ``menit`` / ``jam`` (also ``1 x 24 jam``): time on the clock, nights and
  weekends included, so ``1 x 24 jam`` is exactly 24 hours.
- ``hari``: calendar days, same local time N days later.
- ``hari kerja``: working time of the office. A working day is Monday to
  Friday, not a national holiday, not a joint leave day (cuti bersama) and not
  one of the office's closure days; its working time runs from ``opens_at`` to
  ``closes_at``. **The rule:** a start inside office hours (after opening, up
  to and including closing) counts from that moment, and N working days end
  at the same local time on the N-th working day after it. A start outside
  office hours (before or at opening, after closing, or on a day off) counts
  as if made at the closing time of the last working day before it, so the
  deadline is the closing time of the N-th working day after that. Examples
  (WIB, 08:00-16:00): received Friday 17:00 with ``1 hari kerja`` is due
  Monday 16:00, or Tuesday 16:00 if Monday is a holiday; received Monday
  07:00 is due Monday 16:00; received Monday 10:00 is due Tuesday 10:00.
  Fractions (``0,5 hari kerja``) are that share of a working day's hours.
  Put another way, a working day is one working day's worth of office hours,
  so adding n then m working days is the same as adding n + m.
- ``N jam sekali`` is a monitoring interval ("check every N hours"), not a
  deadline: it gives None.

National holidays and cuti bersama come from the ``holidays`` package:
``country_holidays("ID", categories=("public", "government"))``. Its
"government" category holds the joint leave days set by the joint ministerial
decree (SKB 3 Menteri), e.g. 2026-03-20/23/24 around Idul Fitri. The package
knows them only for years it has decrees for (0.109: up to 2027); later years
get public holidays only, and offices enter the joint leave days as closure
days until the package catches up.
"""

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .errors import InvalidTimeStandard
from .models.sop import TimeUnit

#: Share of a step's time after which it is flagged as nearly late.
WARNING_FRACTION = Decimal("0.75")
#: Longest deadline accepted, so a mistyped standard cannot loop for ages.
MAX_DAYS = 3660
HOLIDAY_CATEGORIES = ("public", "government")

_CLOCK_SECONDS = {TimeUnit.MINUTE: 60, TimeUnit.HOUR: 3600, TimeUnit.DAY: 86400}


@lru_cache(maxsize=64)
def _national_year(year: int) -> frozenset[date]:
    dates = holidays.country_holidays("ID", years=year, categories=HOLIDAY_CATEGORIES)
    return frozenset(dates)


class NationalHolidays(Container[date]):
    """Indonesian national holidays and cuti bersama, any year, loaded on demand."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _national_year(day.year)


@dataclass(frozen=True)
class WorkCalendar:
    """When an office works: its time zone, hours and days off.

    `holidays` is any container of dates (national holidays and cuti bersama;
    tests pass a plain set); `closure_days` are the office's own days off.
    """

    timezone: ZoneInfo
    opens_at: time = time(8, 0)
    closes_at: time = time(16, 0)
    holidays: Container[date] = field(default_factory=NationalHolidays)
    closure_days: frozenset[date] = frozenset()

    def __post_init__(self):
        if not self.opens_at < self.closes_at:
            raise ValueError(
                "Jam buka kantor harus sebelum jam tutup / "
                f"office must open before it closes: {self.opens_at}-{self.closes_at}"
            )

    @property
    def day_seconds(self) -> int:
        """Length of one working day's office hours, in seconds."""
        return _seconds(self.closes_at) - _seconds(self.opens_at)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in self.closure_days
            and day not in self.holidays
        )

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, MAX_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise InvalidTimeStandard(
            f"Tidak ada hari kerja dalam {MAX_DAYS} hari setelah {day} / "
            f"no working day within {MAX_DAYS} days after {day}"
        )

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        for offset in range(1, MAX_DAYS + 1):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise InvalidTimeStandard(
            f"Tidak ada hari kerja dalam {MAX_DAYS} hari sebelum {day} / "
            f"no working day within {MAX_DAYS} days before {day}"
        )


def calendar_for(office, closure_days: Iterable = ()) -> WorkCalendar:
    """The calendar of an office; `closure_days` are ClosureDay rows or dates."""
    days = frozenset(d if isinstance(d, date) else d.day for d in closure_days)
    return WorkCalendar(
        timezone=ZoneInfo(office.timezone),
        opens_at=office.opens_at,
        closes_at=office.closes_at,
        closure_days=days,
    )


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _duration(seconds: Decimal) -> timedelta:
    """Exact to the microsecond: Decimal seconds never go through a float."""
    return timedelta(microseconds=int(seconds * 1_000_000))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware UTC datetime")
    return moment.astimezone(UTC)


def _anchor(local: datetime, calendar: WorkCalendar) -> datetime:
    """The working moment a start counts from (see the module docstring's rule)."""
    day, clock = local.date(), local.time()
    if calendar.is_working_day(day) and calendar.opens_at < clock <= calendar.closes_at:
        return local
    if not calendar.is_working_day(day) or clock <= calendar.opens_at:
        day = calendar.previous_working_day(day)
    return datetime.combine(day, calendar.closes_at, calendar.timezone)


def add_working_time(
    start: datetime, duration: timedelta, calendar: WorkCalendar
) -> datetime:
    """`start` plus `duration` of office hours, skipping days off; aware UTC."""
    local = _anchor(_utc(start).astimezone(calendar.timezone), calendar)
    remaining = duration
    while True:
        closing = datetime.combine(local.date(), calendar.closes_at, calendar.timezone)
        left_today = closing - local
        if remaining <= left_today:
            return (local + remaining).astimezone(UTC)
        remaining -= left_today
        day = calendar.next_working_day(local.date())
        local = datetime.combine(day, calendar.opens_at, calendar.timezone)


def add_working_days(start: datetime, days, calendar: WorkCalendar) -> datetime:
    """`start` plus `days` working days (may be fractional); aware UTC."""
    days = Decimal(days)
    if not 0 <= days <= MAX_DAYS:
        raise InvalidTimeStandard(
            f"Batas waktu {days} hari kerja di luar 0-{MAX_DAYS} / "
            f"{days} working days is outside 0-{MAX_DAYS}"
        )
    return add_working_time(start, _duration(days * calendar.day_seconds), calendar)


def step_due_at(
    start: datetime,
    amount: Decimal | int | None,
    unit: TimeUnit | None,
    is_interval: bool,
    calendar: WorkCalendar,
) -> datetime | None:
    """Deadline of a step started at `start`; None if its standard sets none."""
    if amount is None or unit is None or is_interval:
        return None
    if unit == TimeUnit.WORKING_DAY:
        return add_working_days(start, amount, calendar)
    seconds = Decimal(amount) * _CLOCK_SECONDS[unit]
    if not 0 <= seconds <= MAX_DAYS * 86400:
        raise InvalidTimeStandard(
            f"Batas waktu {amount} {unit.value} terlalu panjang / "
            f"{amount} {unit.value} is too long"
        )
    local = _utc(start).astimezone(calendar.timezone)
    # Wall-clock addition in the office zone: "2 hari" ends at the same local time.
    return (local + _duration(seconds)).astimezone(UTC)


def warning_at(
    start: datetime,
    amount: Decimal | int | None,
    unit: TimeUnit | None,
    is_interval: bool,
    calendar: WorkCalendar,
    fraction: Decimal = WARNING_FRACTION,
) -> datetime | None:
    """When a step has used `fraction` of its time, counted in the same unit.

    Counting working-day standards in working time keeps the warning inside
    office hours: 75% of "1 hari kerja" started Friday 15:00 falls on Monday
    morning, not on Sunday night.
    """
    if amount is None:
        return None
    return step_due_at(start, Decimal(amount) * fraction, unit, is_interval, calendar)


@dataclass(frozen=True)
class ComplaintDeadlines:
    """The whole-complaint limits counted from reception (SP4N-LAPOR! style)."""

    forward: datetime  #: verified and forwarded (disposisi)
    respond: datetime  #: the unit has responded
    close: datetime  #: closed; a report with no follow-up is closed by then


def complaint_deadlines(
    received_at: datetime, office, calendar: WorkCalendar
) -> ComplaintDeadlines:
    """Forward, respond and close deadlines from the office's working-day limits."""
    return ComplaintDeadlines(
        forward=add_working_days(received_at, office.forward_days, calendar),
        respond=add_working_days(received_at, office.respond_days, calendar),
        close=add_working_days(received_at, office.close_days, calendar),
    )


def complaint_due_at(received_at: datetime, office, calendar: WorkCalendar) -> datetime:
    """Whole-complaint deadline: `office.close_days` working days after reception."""
    return add_working_days(received_at, office.close_days, calendar)


def is_overdue(due_at: datetime | None, now: datetime) -> bool:
    """True once `now` is past the deadline; a step without one is never late."""
    return due_at is not None and _utc(now) > _utc(due_at)
