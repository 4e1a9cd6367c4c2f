"""Wave periods ("2026-H2"), the twice-yearly calendar and the reminder rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = [
    "InvitationProgress",
    "Period",
    "ReminderRule",
    "SurveyCalendar",
    "closing_instant",
    "reminder_due",
]

PERIOD_PATTERN = re.compile(r"^(\d{4})-H([12])$")


@dataclass(frozen=True, order=True)
class Period:
    """A half year: ``2026-H1`` (January to June) or ``2026-H2`` (July to December)."""

    year: int
    half: int

    def __post_init__(self) -> None:
        if self.half not in (1, 2):
            raise ValueError(f"a half year is 1 or 2, got {self.half}")
        if not 2000 <= self.year <= 2999:
            raise ValueError(f"year {self.year} is out of range 2000-2999")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.match(text.strip().upper())
        if match is None:
            raise ValueError(
                f"a wave period looks like 2026-H1 or 2026-H2 (year, then H1 or H2), got {text!r}"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The half year ``day`` falls in."""
        return cls(day.year, 1 if day.month <= 6 else 2)

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"

    @property
    def first_day(self) -> dt.date:
        """1 January or 1 July; the half year runs to the next one's first day."""
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def previous(self) -> Period:
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    @property
    def next(self) -> Period:
        return Period(self.year, 2) if self.half == 1 else Period(self.year + 1, 1)


@dataclass(frozen=True)
class SurveyCalendar:
    """When each half year's wave opens and closes, as (month, day) pairs."""

    h1_opens: tuple[int, int] = (3, 1)
    h1_closes: tuple[int, int] = (4, 15)
    h2_opens: tuple[int, int] = (9, 1)
    h2_closes: tuple[int, int] = (10, 15)

    def __post_init__(self) -> None:
        for half in (1, 2):
            opens, closes = self.dates(Period(2001, half))
            if opens >= closes:
                raise ValueError(f"H{half} must open before it closes ({opens} >= {closes})")

    def dates(self, period: Period) -> tuple[dt.date, dt.date]:
        """The default opening and closing dates of the period's wave."""
        opens, closes = (
            (self.h1_opens, self.h1_closes) if period.half == 1 else (self.h2_opens, self.h2_closes)
        )
        return dt.date(period.year, *opens), dt.date(period.year, *closes)


def closing_instant(closes_on: dt.date) -> dt.datetime:
    """Links stay valid through the whole closing day (UTC)."""
    return dt.datetime.combine(closes_on + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


@dataclass(frozen=True)
class ReminderRule:
    """At most ``max_reminders``, each at least ``gap_days`` after the previous mail."""

    gap_days: int = 7
    max_reminders: int = 2

    def __post_init__(self) -> None:
        if self.gap_days < 1 or not 0 <= self.max_reminders <= 2:
            raise ValueError("reminders need a gap of at least one day and at most two reminders")


@dataclass(frozen=True)
class InvitationProgress:
    """What the reminder rule needs to know about one invitation."""

    sent_at: dt.datetime | None
    reminders_sent: int
    last_reminded_at: dt.datetime | None
    responded: bool


def reminder_due(
    invitation: InvitationProgress,
    now: dt.datetime,
    closes_at: dt.datetime,
    rule: ReminderRule | None = None,
) -> bool:
    """Whether a non-responder should get a reminder at ``now``."""
    rule = rule or ReminderRule()
    if invitation.responded or invitation.sent_at is None or now >= closes_at:
        return False
    if invitation.reminders_sent >= rule.max_reminders:
        return False
    last_mail = invitation.last_reminded_at or invitation.sent_at
    return now - last_mail >= dt.timedelta(days=rule.gap_days)
