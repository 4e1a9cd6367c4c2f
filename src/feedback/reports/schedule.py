"""When mailed reports are due (pure): working days, the first working day of a month, the
days before a wave closes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import holidays

from feedback.config import ReportSchedule
from feedback.errors import ConfigurationError

__all__ = [
    "DuePeriod",
    "WaveClosing",
    "WorkingDays",
    "before_closing",
    "monthly_period",
    "period_words",
]

ONE_DAY = dt.timedelta(days=1)
# The period of the days before a wave closes, as its dedupe keys name it.
WAVE_CLOSING = re.compile(r"wave-(.+)-closing")
SATURDAY = 5


class WorkingDays:
    """Monday to Friday, less the public holidays of a country (and subdivision), if any."""

    def __init__(self, country: str = "", subdivision: str = "") -> None:
        self.holidays: holidays.HolidayBase | None = None
        if not country:
            return
        try:
            self.holidays = holidays.country_holidays(country, subdiv=subdivision or None)
        except NotImplementedError as exc:
            raise ConfigurationError(
                f"FEEDBACK_HOLIDAY_COUNTRY and FEEDBACK_HOLIDAY_SUBDIVISION name no known "
                f"holiday calendar ({exc}); use an ISO 3166 code such as DE, and a "
                f"subdivision such as BY, or leave them empty for weekends only"
            ) from None

    @classmethod
    def of(cls, schedule: ReportSchedule) -> WorkingDays:
        return cls(schedule.holiday_country, schedule.holiday_subdivision)

    def is_working(self, day: dt.date) -> bool:
        return day.weekday() < SATURDAY and (self.holidays is None or day not in self.holidays)

    def first_of_month(self, day: dt.date) -> dt.date:
        """The first working day of ``day``'s month."""
        first = day.replace(day=1)
        while not self.is_working(first):
            first += ONE_DAY
        return first

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the last working day before it."""
        while not self.is_working(day):
            day -= ONE_DAY
        return day


@dataclass(frozen=True)
class WaveClosing:
    """An open wave: its period (2026-H2) and the last day it takes answers."""

    period: str
    closes_on: dt.date


@dataclass(frozen=True)
class DuePeriod:
    """A period a report is mailed for (its name, as in a dedupe key), due from ``due_on``:
    a month, the days before ``wave`` closes, or the days after ``closed_wave`` closed."""

    period: str
    due_on: dt.date
    wave: WaveClosing | None = None
    # The wave whose closing the report follows (the wave report), if any.
    closed_wave: str = ""


def monthly_period(today: dt.date, days: WorkingDays, catch_up_days: int) -> DuePeriod | None:
    """The month, when ``today`` is its first working day or at most ``catch_up_days`` after."""
    first = days.first_of_month(today)
    if first <= today <= first + catch_up_days * ONE_DAY:
        return DuePeriod(f"{today:%Y-%m}", first)
    return None


def before_closing(
    today: dt.date, wave: WaveClosing, schedule: ReportSchedule, days: WorkingDays
) -> DuePeriod | None:
    """The wave's "before closing" period, when ``today`` is its day: the working day
    ``days_before_closing`` days before the closing day (or the last one before that), up to
    ``catch_up_days`` after it, never after the closing day."""
    if not schedule.days_before_closing:
        return None
    due = days.on_or_before(wave.closes_on - schedule.days_before_closing * ONE_DAY)
    last = min(due + schedule.catch_up_days * ONE_DAY, wave.closes_on)
    if due <= today <= last:
        return DuePeriod(f"wave-{wave.period}-closing", due, wave)
    return None


def period_words(period: str) -> str:
    """A period's name in plain English, for staff pages: "the month 2026-12", "before wave
    2026-H2 closes"."""
    wave = WAVE_CLOSING.fullmatch(period)
    return f"before wave {wave[1]} closes" if wave else f"the month {period}"
