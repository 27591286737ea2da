"""Deadline arithmetic: clock units, working days, holidays, office time zones."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_admin.deadlines import (
    NationalHolidays,
    WorkCalendar,
    add_working_days,
    add_working_time,
    calendar_for,
    complaint_deadlines,
    complaint_due_at,
    is_overdue,
    step_due_at,
    warning_at,
)
from sop_admin.errors import InvalidTimeStandard
from sop_admin.models import ClosureDay, Office, TimeUnit

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
JAKARTA = WorkCalendar(WIB)


def local(zone, *args) -> datetime:
    """An office-local wall time, handed to the functions as UTC."""
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def due(start, amount, unit, calendar=JAKARTA, interval=False):
    return step_due_at(start, amount, unit, interval, calendar)


def office(**kw) -> Office:
    values = dict(code="X", government="", name="Dinas", timezone="Asia/Jakarta",
                  opens_at=time(8), closes_at=time(16), forward_days=3,
                  respond_days=5, close_days=10)
    return Office(**{**values, **kw})


def test_step_due_at_minutes_adds_clock_time():
    start = local(WIB, 2026, 11, 27, 15, 58)
    assert due(start, 5, TimeUnit.MINUTE) == start + timedelta(minutes=5)


def test_step_due_at_hours_run_through_the_night():
    start = local(WIB, 2026, 11, 27, 15, 0)
    assert due(start, Decimal("2"), TimeUnit.HOUR) == start + timedelta(hours=2)


def test_step_due_at_1_x_24_jam_is_24_hours_over_a_weekend():
    start = local(WIB, 2026, 11, 27, 10, 0)  # Friday
    assert due(start, 24, TimeUnit.HOUR) == local(WIB, 2026, 11, 28, 10, 0)


def test_step_due_at_calendar_days_count_weekends():
    start = local(WIB, 2026, 11, 27, 10, 0)
    assert due(start, 2, TimeUnit.DAY) == local(WIB, 2026, 11, 29, 10, 0)


def test_step_due_at_friday_evening_one_working_day_is_monday_closing():
    start = local(WIB, 2026, 11, 27, 17, 0)
    assert due(start, 1, TimeUnit.WORKING_DAY) == local(WIB, 2026, 11, 30, 16, 0)


def test_step_due_at_before_opening_is_due_that_day_at_closing():
    start = local(WIB, 2026, 11, 30, 7, 0)
    assert due(start, 1, TimeUnit.WORKING_DAY) == local(WIB, 2026, 11, 30, 16, 0)


def test_step_due_at_inside_office_hours_keeps_the_local_time():
    start = local(WIB, 2026, 11, 30, 10, 15)
    assert due(start, 1, TimeUnit.WORKING_DAY) == local(WIB, 2026, 12, 1, 10, 15)


def test_step_due_at_half_working_day_is_half_the_office_hours():
    start = local(WIB, 2026, 11, 30, 14, 0)
    expected = local(WIB, 2026, 12, 1, 10, 0)
    assert due(start, Decimal("0.5"), TimeUnit.WORKING_DAY) == expected


def test_step_due_at_friday_before_independence_day_skips_the_holiday():
    start = local(WIB, 2026, 8, 14, 17, 0)  # Monday 17 August is a holiday
    assert due(start, 1, TimeUnit.WORKING_DAY) == local(WIB, 2026, 8, 18, 16, 0)


def test_national_holidays_include_idul_fitri_2026_cuti_bersama():
    national = NationalHolidays()
    for day in (18, 19, 20, 23, 24):
        assert date(2026, 3, day) in national
    assert date(2026, 3, 25) not in national


def test_step_due_at_over_idul_fitri_2026_skips_cuti_bersama():
    start = local(WIB, 2026, 3, 17, 10, 0)  # Tuesday before Nyepi and Lebaran
    assert due(start, 1, TimeUnit.WORKING_DAY) == local(WIB, 2026, 3, 25, 10, 0)
    assert due(start, 2, TimeUnit.WORKING_DAY) == local(WIB, 2026, 3, 26, 10, 0)


def test_step_due_at_skips_an_office_closure_day():
    calendar = calendar_for(office(), [ClosureDay(day=date(2026, 11, 30), reason="x")])
    start = local(WIB, 2026, 11, 27, 17, 0)
    assert due(start, 1, TimeUnit.WORKING_DAY, calendar) == local(
        WIB, 2026, 12, 1, 16, 0
    )


def test_calendar_for_accepts_plain_dates():
    calendar = calendar_for(office(), [date(2026, 11, 30)])
    assert calendar.closure_days == {date(2026, 11, 30)}
    assert not calendar.is_working_day(date(2026, 11, 30))


def test_step_due_at_wita_office_uses_makassar_hours():
    calendar = calendar_for(office(timezone="Asia/Makassar"))
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday 17:00 WITA
    result = due(start, 1, TimeUnit.WORKING_DAY, calendar)
    assert result == local(WITA, 2026, 11, 30, 16, 0)
    assert result == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_step_due_at_same_moment_differs_between_wib_and_wit():
    start = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)  # 15:30 WIB, 17:30 WIT
    wib = due(start, 1, TimeUnit.WORKING_DAY, calendar_for(office()))
    wit = due(start, 1, TimeUnit.WORKING_DAY,
              calendar_for(office(timezone="Asia/Jayapura")))
    assert wib == local(WIB, 2026, 11, 30, 15, 30)
    assert wit == local(WIT, 2026, 11, 30, 16, 0)


def test_step_due_at_interval_or_missing_standard_gives_none():
    start = local(WIB, 2026, 11, 27, 10, 0)
    assert due(start, 1, TimeUnit.HOUR, interval=True) is None
    assert due(start, None, None) is None


def test_step_due_at_naive_start_is_refused():
    with pytest.raises(ValueError, match="naive"):
        due(datetime(2026, 11, 27, 10, 0), 5, TimeUnit.MINUTE)


def test_step_due_at_absurd_length_is_refused():
    start = local(WIB, 2026, 11, 27, 10, 0)
    with pytest.raises(InvalidTimeStandard, match="hari kerja"):
        due(start, 10**6, TimeUnit.WORKING_DAY)
    with pytest.raises(InvalidTimeStandard, match="terlalu panjang"):
        due(start, 10**6, TimeUnit.DAY)


def test_work_calendar_closing_before_opening_is_refused():
    with pytest.raises(ValueError, match="Jam buka"):
        WorkCalendar(WIB, opens_at=time(16), closes_at=time(8))


def test_complaint_deadlines_follow_the_office_limits():
    received = local(WIB, 2026, 11, 2, 10, 0)  # Monday
    limits = complaint_deadlines(received, office(), JAKARTA)
    assert limits.forward == local(WIB, 2026, 11, 5, 10, 0)
    assert limits.respond == local(WIB, 2026, 11, 9, 10, 0)
    assert limits.close == local(WIB, 2026, 11, 16, 10, 0)
    assert complaint_due_at(received, office(), JAKARTA) == limits.close


def test_complaint_due_at_uses_the_office_close_days():
    received = local(WIB, 2026, 11, 2, 10, 0)
    assert complaint_due_at(received, office(close_days=2), JAKARTA) == local(
        WIB, 2026, 11, 4, 10, 0
    )


def test_warning_at_working_day_falls_in_office_hours():
    start = local(WIB, 2026, 11, 27, 15, 0)  # Friday; 6 of 8 hours later
    result = warning_at(start, 1, TimeUnit.WORKING_DAY, False, JAKARTA)
    assert result == local(WIB, 2026, 11, 30, 13, 0)


def test_warning_at_clock_units_is_three_quarters_of_the_time():
    start = local(WIB, 2026, 11, 27, 15, 0)
    result = warning_at(start, 1, TimeUnit.HOUR, False, JAKARTA)
    assert result == start + timedelta(minutes=45)
    assert warning_at(start, 1, TimeUnit.HOUR, True, JAKARTA) is None


def test_is_overdue_only_after_the_deadline():
    deadline = local(WIB, 2026, 11, 27, 16, 0)
    assert not is_overdue(deadline, deadline)
    assert is_overdue(deadline, deadline + timedelta(seconds=1))
    assert not is_overdue(None, deadline)


# Property-based: working-day arithmetic around weekends and holidays.

CALENDARS = [
    WorkCalendar(WIB),
    WorkCalendar(WITA, opens_at=time(7, 30), closes_at=time(15, 30),
                 closure_days=frozenset({date(2026, 3, 25), date(2026, 12, 28)})),
    WorkCalendar(WIT, opens_at=time(9), closes_at=time(17),
                 closure_days=frozenset({date(2025, 4, 2), date(2027, 1, 4)})),
]
PROPERTY = settings(max_examples=100, deadline=None)
starts = st.datetimes(
    min_value=datetime(2024, 12, 1), max_value=datetime(2027, 10, 31),
    timezones=st.just(UTC),
)
calendars = st.sampled_from(CALENDARS)
day_counts = st.integers(min_value=0, max_value=25)


@PROPERTY
@given(start=starts, days=day_counts, calendar=calendars)
def test_add_working_days_lands_on_a_working_day_in_office_hours(
    start, days, calendar
):
    result = add_working_days(start, days, calendar).astimezone(calendar.timezone)
    assert calendar.is_working_day(result.date())
    assert result.weekday() < 5
    assert result.date() not in calendar.holidays
    assert result.date() not in calendar.closure_days
    assert calendar.opens_at < result.time() <= calendar.closes_at


@PROPERTY
@given(start=starts, first=day_counts, second=day_counts, calendar=calendars)
def test_add_working_days_n_then_m_equals_n_plus_m(start, first, second, calendar):
    stepwise = add_working_days(
        add_working_days(start, first, calendar), second, calendar
    )
    assert stepwise == add_working_days(start, first + second, calendar)


@PROPERTY
@given(start=starts, minutes=st.integers(min_value=1, max_value=60 * 8 * 30),
       calendar=calendars)
def test_add_working_time_is_never_before_the_start(start, minutes, calendar):
    result = add_working_time(start, timedelta(minutes=minutes), calendar)
    assert result > start
    assert result.tzinfo == UTC


@PROPERTY
@given(first=starts, second=starts, days=day_counts, calendar=calendars)
def test_add_working_days_is_monotonic_in_the_start(first, second, days, calendar):
    early, late = sorted((first, second))
    assert add_working_days(early, days, calendar) <= add_working_days(
        late, days, calendar
    )


@PROPERTY
@given(start=starts, amount=st.integers(min_value=1, max_value=10_000),
       unit=st.sampled_from([TimeUnit.MINUTE, TimeUnit.HOUR]))
def test_step_due_at_clock_units_add_exactly_that_time(start, amount, unit):
    seconds = amount * (60 if unit == TimeUnit.MINUTE else 3600)
    assert due(start, amount, unit) - start == timedelta(seconds=seconds)
