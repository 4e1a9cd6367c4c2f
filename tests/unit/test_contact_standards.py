"""Contact standards: the tier's visits and calls per period, met, due or overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.accounts.standards import (
    StandardState,
    account_standard,
    missed_last_period,
    period_of,
    requirement_status,
    spacing_days,
)
from feedback.config import (
    DEFAULT_CONTACT_STANDARDS,
    ContactRequirement,
    ContactStandards,
    Settings,
)
from feedback.errors import ConfigurationError

TWO_VISITS_A_QUARTER = ContactRequirement("visit", 2, "quarter")
A_CALL_A_MONTH = ContactRequirement("call", 1, "month")
days = st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31))
requirements = st.builds(
    ContactRequirement,
    st.sampled_from(["visit", "call"]),
    st.integers(1, 4),
    st.sampled_from(["month", "quarter"]),
)


def test_the_defaults_are_the_domain_standards() -> None:
    standards = Settings().contact_standards
    assert standards.of("A") == (TWO_VISITS_A_QUARTER, A_CALL_A_MONTH)
    assert standards.of("B") == (ContactRequirement("visit", 1, "quarter"), A_CALL_A_MONTH)
    assert standards.of("C") == (ContactRequirement("call", 1, "quarter"),)
    assert standards.of("D") == ()
    assert ContactStandards.parse(DEFAULT_CONTACT_STANDARDS) == standards


def test_standards_are_configurable_from_the_environment() -> None:
    env = {"FEEDBACK_CONTACT_STANDARDS": "A: 3 visits per quarter; D: 1 call each quarter"}
    standards = Settings.from_env(env).contact_standards
    assert standards.of("A") == (ContactRequirement("visit", 3, "quarter"),)
    assert standards.of("B") == ()
    assert standards.of("D") == (ContactRequirement("call", 1, "quarter"),)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("A: 2 visits a week", "tier A says '2 visits a week'"),
        ("E: 1 call a month", "each part starts with a tier (A, B, C or D)"),
        ("A 1 call a month", "each part starts with a tier"),
        ("B: 0 calls a month", "tier B says '0 calls a month'"),
    ],
)
def test_a_standard_that_cannot_be_read_is_refused_with_an_example(text: str, words: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ContactStandards.parse(text)
    assert words in refused.value.message
    assert "for example 'A: 2 visits a quarter, 1 call a month;" in refused.value.message


def test_periods_are_calendar_months_and_quarters() -> None:
    assert period_of(dt.date(2026, 12, 4), 1) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert period_of(dt.date(2026, 12, 4), 3) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_of(dt.date(2028, 2, 29), 1) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert period_of(dt.date(2027, 1, 1), 3) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert spacing_days(TWO_VISITS_A_QUARTER) == 45
    assert spacing_days(A_CALL_A_MONTH) == 30


def test_met_due_and_overdue_on_examples() -> None:
    today = dt.date(2026, 12, 4)
    met = requirement_status(A_CALL_A_MONTH, [dt.date(2026, 12, 1)], today)
    assert (met.state, met.done, met.last) == (StandardState.met, 1, dt.date(2026, 12, 1))
    # November's call was 14 days ago: December's is due, not late.
    due = requirement_status(A_CALL_A_MONTH, [dt.date(2026, 11, 20)], today)
    assert (due.state, due.done) == (StandardState.due, 0)
    late = requirement_status(A_CALL_A_MONTH, [dt.date(2026, 10, 20)], today)
    assert late.state is StandardState.overdue
    never = requirement_status(TWO_VISITS_A_QUARTER, [], today)
    assert (never.state, never.last) == (StandardState.overdue, None)
    one_of_two = requirement_status(TWO_VISITS_A_QUARTER, [dt.date(2026, 11, 1)], today)
    assert (one_of_two.state, one_of_two.done) == (StandardState.due, 1)


def test_an_account_is_as_late_as_its_latest_requirement() -> None:
    today = dt.date(2026, 12, 4)
    visits = [dt.date(2026, 10, 5), dt.date(2026, 11, 30)]
    on_time = account_standard(
        (TWO_VISITS_A_QUARTER, A_CALL_A_MONTH), {"visit": visits, "call": [today]}, today
    )
    assert on_time.state is StandardState.met
    assert (on_time.last_visit, on_time.last_call) == (dt.date(2026, 11, 30), today)
    no_calls = account_standard((TWO_VISITS_A_QUARTER, A_CALL_A_MONTH), {"visit": visits}, today)
    assert no_calls.state is StandardState.overdue
    assert account_standard((), {"visit": visits}, today).state is StandardState.none


@given(requirements, st.lists(days, max_size=12), days)
def test_met_means_the_period_holds_as_many_contacts_as_asked(
    requirement: ContactRequirement, contacts: list[dt.date], today: dt.date
) -> None:
    start, end = period_of(today, requirement.months)
    status = requirement_status(requirement, contacts, today)
    in_period = [day for day in contacts if start <= day <= today]
    assert start <= today <= end
    assert status.done == len(in_period)
    assert (status.state is StandardState.met) == (len(in_period) >= requirement.count)


@given(requirements, st.lists(days, max_size=12), days, st.lists(days, max_size=4))
def test_contacts_after_today_change_nothing(
    requirement: ContactRequirement, contacts: list[dt.date], today: dt.date, more: list[dt.date]
) -> None:
    later = [day for day in more if day > today]
    assert requirement_status(requirement, contacts + later, today) == requirement_status(
        requirement, contacts, today
    )


@given(requirements, st.lists(days, max_size=12), days)
def test_a_contact_today_never_makes_the_state_worse(
    requirement: ContactRequirement, contacts: list[dt.date], today: dt.date
) -> None:
    order = list(StandardState)
    before = requirement_status(requirement, contacts, today).state
    after = requirement_status(requirement, [*contacts, today], today).state
    assert order.index(after) <= order.index(before)
    assert after is not StandardState.overdue


def _period_number(day: dt.date, months: int) -> int:
    """Months counted from year 0, in whole periods: consecutive periods differ by one."""
    return (day.year * 12 + day.month - 1) // months


@given(requirements, st.lists(days, max_size=12), days)
def test_the_last_period_is_missed_when_it_holds_too_few(
    requirement: ContactRequirement, contacts: list[dt.date], day: dt.date
) -> None:
    previous = _period_number(day, requirement.months) - 1
    held = sum(_period_number(contact, requirement.months) == previous for contact in contacts)
    assert missed_last_period(requirement, contacts, day) == (held < requirement.count)
