"""When mailed reports are due: working days, the month's first working day, the days before
a wave closes, and the settings that move them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.config import ReportSchedule, Settings
from feedback.errors import ConfigurationError
from feedback.reports.schedule import WaveClosing, WorkingDays, before_closing, monthly_period

ONE_DAY = dt.timedelta(days=1)
CALENDARS = [WorkingDays(), WorkingDays("DE", "BY"), WorkingDays("GB", "ENG"), WorkingDays("CN")]
DAYS = st.dates(dt.date(2024, 1, 1), dt.date(2032, 12, 31))
calendars = st.sampled_from(CALENDARS)


@given(DAYS, calendars)
def test_the_first_working_day_is_the_month_s_earliest_working_day(
    day: dt.date, days: WorkingDays
) -> None:
    first = days.first_of_month(day)
    assert (first.year, first.month) == (day.year, day.month)
    assert days.is_working(first)
    assert first.weekday() < 5
    earlier = day.replace(day=1)
    while earlier < first:
        assert not days.is_working(earlier)
        earlier += ONE_DAY


@given(DAYS, calendars, st.integers(0, 5))
def test_a_month_is_due_from_its_first_working_day_for_the_catch_up_days(
    day: dt.date, days: WorkingDays, catch_up: int
) -> None:
    first = days.first_of_month(day)
    due = monthly_period(day, days, catch_up)
    if first <= day <= first + catch_up * ONE_DAY:
        assert due is not None
        assert (due.period, due.due_on, due.wave) == (f"{day:%Y-%m}", first, None)
    else:
        assert due is None


@given(DAYS, DAYS, calendars, st.integers(0, 14), st.integers(0, 5))
def test_a_wave_is_due_on_a_working_day_before_it_closes_and_never_after(
    today: dt.date, closes_on: dt.date, days: WorkingDays, before: int, catch_up: int
) -> None:
    schedule = ReportSchedule(days_before_closing=before, catch_up_days=catch_up)
    wave = WaveClosing("2026-H2", closes_on)
    due = before_closing(today, wave, schedule, days)
    if due is None:
        return
    assert before > 0
    assert days.is_working(due.due_on)
    assert due.due_on <= closes_on - before * ONE_DAY
    assert due.due_on <= today <= min(due.due_on + catch_up * ONE_DAY, closes_on)
    assert (due.period, due.wave) == ("wave-2026-H2-closing", wave)


def test_public_holidays_are_not_working_days_only_where_they_are_kept() -> None:
    new_year, christmas_monday = dt.date(2027, 1, 1), dt.date(2028, 12, 25)
    assert WorkingDays().is_working(new_year)
    assert not WorkingDays("DE").is_working(new_year)
    assert WorkingDays("DE").first_of_month(new_year) == dt.date(2027, 1, 4)
    assert not WorkingDays("GB", "ENG").is_working(christmas_monday)
    # Epiphany is a holiday in Bavaria, not in Berlin.
    assert not WorkingDays("DE", "BY").is_working(dt.date(2027, 1, 6))
    assert WorkingDays("DE", "BE").is_working(dt.date(2027, 1, 6))


def test_the_schedule_is_read_from_the_environment() -> None:
    assert Settings.from_env({}).report_schedule == ReportSchedule()
    env = {"FEEDBACK_REPORTS_MONTHLY": "off", "FEEDBACK_REPORTS_DAYS_BEFORE_CLOSING": "0",
           "FEEDBACK_HOLIDAY_COUNTRY": "de", "FEEDBACK_HOLIDAY_SUBDIVISION": "by",
           "FEEDBACK_REPORTS_CATCH_UP_DAYS": "1"}  # fmt: skip
    assert Settings.from_env(env).report_schedule == ReportSchedule(False, 0, "DE", "BY", 1)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("FEEDBACK_REPORTS_MONTHLY", "yes", "on or off"),
        ("FEEDBACK_REPORTS_DAYS_BEFORE_CLOSING", "-1", "whole number of days"),
        ("FEEDBACK_REPORTS_CATCH_UP_DAYS", "two", "whole number of days"),
    ],
)
def test_a_bad_schedule_setting_is_refused_with_its_name(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says) as refused:
        Settings.from_env({name: value})
    assert name in str(refused.value)


@pytest.mark.parametrize(("country", "subdivision"), [("XX", ""), ("DE", "ZZ")])
def test_an_unknown_holiday_calendar_is_refused(country: str, subdivision: str) -> None:
    with pytest.raises(ConfigurationError, match="FEEDBACK_HOLIDAY_COUNTRY"):
        WorkingDays(country, subdivision)
