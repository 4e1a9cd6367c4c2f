"""Wave periods, the calendar and the reminder rule."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.surveys.waves import (
    InvitationProgress,
    Period,
    ReminderRule,
    SurveyCalendar,
    closing_instant,
    reminder_due,
)

SENT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 10, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "period"), [("2026-H1", Period(2026, 1)), (" 2026-h2", Period(2026, 2))]
)
def test_periods_parse_and_print(text: str, period: Period) -> None:
    assert Period.parse(text) == period
    assert str(Period.parse(text)) == text.strip().upper()


@pytest.mark.parametrize("text", ["2026-H3", "2026H1", "26-H1", "2026-Q1", ""])
def test_bad_periods_say_what_a_period_looks_like(text: str) -> None:
    with pytest.raises(ValueError, match="looks like 2026-H1"):
        Period.parse(text)


def test_previous_and_next_periods_cross_the_year() -> None:
    assert Period(2026, 1).previous == Period(2025, 2)
    assert Period(2026, 2).previous == Period(2026, 1)
    assert Period(2025, 2) < Period(2026, 1)
    assert Period(2025, 2).next == Period(2026, 1)
    assert Period(2026, 1).next == Period(2026, 2)


@pytest.mark.parametrize(
    ("day", "period"),
    [("2026-06-30", "2026-H1"), ("2026-07-01", "2026-H2"), ("2028-02-29", "2028-H1"),
     ("2026-12-31", "2026-H2"), ("2027-01-01", "2027-H1")],
)  # fmt: skip
def test_a_day_falls_in_its_half_year(day: str, period: str) -> None:
    assert str(Period.of(dt.date.fromisoformat(day))) == period


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2999, 6, 30)))
def test_a_half_year_runs_from_its_first_day_to_the_next_ones(day: dt.date) -> None:
    period = Period.of(day)
    assert period.first_day <= day < period.next.first_day
    assert Period.of(period.first_day) == period
    assert Period.of(period.next.first_day - dt.timedelta(days=1)) == period


def test_default_and_custom_calendars() -> None:
    assert SurveyCalendar().dates(Period(2026, 2)) == (dt.date(2026, 9, 1), dt.date(2026, 10, 15))
    custom = SurveyCalendar(h1_opens=(1, 15), h1_closes=(2, 28))
    assert custom.dates(Period(2027, 1)) == (dt.date(2027, 1, 15), dt.date(2027, 2, 28))
    with pytest.raises(ValueError, match="open before it closes"):
        SurveyCalendar(h2_opens=(11, 1), h2_closes=(10, 1))


def test_links_last_through_the_closing_day() -> None:
    assert closing_instant(dt.date(2026, 10, 15)) == CLOSES


def _progress(
    reminders: int = 0, last: dt.datetime | None = None, responded: bool = False
) -> InvitationProgress:
    return InvitationProgress(SENT, reminders, last, responded)


def test_the_first_reminder_comes_after_the_gap_and_the_third_never() -> None:
    assert not reminder_due(_progress(), SENT + dt.timedelta(days=6, hours=23), CLOSES)
    assert reminder_due(_progress(), SENT + dt.timedelta(days=7), CLOSES)
    second = _progress(1, SENT + dt.timedelta(days=7))
    assert not reminder_due(second, SENT + dt.timedelta(days=13), CLOSES)
    assert reminder_due(second, SENT + dt.timedelta(days=14), CLOSES)
    assert not reminder_due(
        _progress(2, SENT + dt.timedelta(days=14)), SENT + dt.timedelta(days=40), CLOSES
    )
    assert reminder_due(_progress(), SENT + dt.timedelta(days=3), CLOSES, ReminderRule(gap_days=3))


moments = st.datetimes(
    min_value=dt.datetime(2026, 8, 1),
    max_value=dt.datetime(2026, 12, 31),
    timezones=st.just(dt.UTC),
)


@given(
    sent=moments,
    now=moments,
    closes=moments,
    reminders=st.integers(0, 5),
    gap=st.integers(1, 30),
    since_last=st.one_of(st.none(), st.timedeltas(dt.timedelta(0), dt.timedelta(days=60))),
    responded=st.booleans(),
)
def test_reminder_rule_never_breaks_its_limits(
    sent: dt.datetime,
    now: dt.datetime,
    closes: dt.datetime,
    reminders: int,
    gap: int,
    since_last: dt.timedelta | None,
    responded: bool,
) -> None:
    last = sent + since_last if since_last is not None and reminders else None
    progress = InvitationProgress(sent, reminders, last, responded)
    if reminder_due(progress, now, closes, ReminderRule(gap_days=gap)):
        assert reminders < 2
        assert not responded
        assert now < closes
        assert now - (last or sent) >= dt.timedelta(days=gap)


@given(gap=st.integers(1, 20), step_hours=st.integers(1, 24))
def test_a_silent_contact_following_the_rule_gets_exactly_two_reminders_days_apart(
    gap: int, step_hours: int
) -> None:
    rule = ReminderRule(gap_days=gap)
    closes = SENT + dt.timedelta(days=3 * gap + 2)
    sent_reminders: list[dt.datetime] = []
    now = SENT
    while now < closes + dt.timedelta(days=1):
        progress = InvitationProgress(
            SENT, len(sent_reminders), (sent_reminders or [None])[-1], False
        )
        if reminder_due(progress, now, closes, rule):
            sent_reminders.append(now)
        now += dt.timedelta(hours=step_hours)
    assert len(sent_reminders) == 2
    mails = [SENT, *sent_reminders]
    assert all(b - a >= dt.timedelta(days=gap) for a, b in pairwise(mails))
