"""The demo's past survey waves: answers that agree with how the simulated accounts bought."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.demo.customers import Fate, SimulatedAccount, SimulatedWave, Simulation
from feedback.demo.opinions import past_periods
from feedback.demo.simulator import simulate
from feedback.surveys.levels import ASPECTS
from feedback.surveys.waves import Period, SurveyCalendar

AS_OF = dt.date(2026, 11, 26)
YEAR = dt.timedelta(days=365)


@pytest.fixture(scope="module")
def simulation() -> Simulation:
    """The demo's own customer base: 3000 accounts, seed 7."""
    return simulate(AS_OF, accounts=3000, seed=7)


def test_the_same_seed_gives_the_same_waves_and_the_customer_base_is_unchanged() -> None:
    first = simulate(AS_OF, accounts=150, seed=3)
    again = simulate(AS_OF, accounts=150, seed=3)
    assert first.waves == again.waves
    assert sum(len(wave.answers) for wave in first.waves) > 150
    other = simulate(AS_OF, accounts=150, seed=4)
    assert [w.answers for w in first.waves] != [w.answers for w in other.waves]


def test_six_closed_waves_from_2024_h1_to_2026_h2(simulation: Simulation) -> None:
    assert [wave.period for wave in simulation.waves] == [
        "2024-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1", "2026-H2"
    ]  # fmt: skip
    for wave in simulation.waves:
        assert wave.issued_at.date() == wave.opens_on
        assert len(wave.reminders_at) == 1
        assert wave.issued_at < wave.reminders_at[0] < wave.closed_at
        assert wave.closed_at.date() == wave.closes_on + dt.timedelta(days=1)
        assert simulation.history_start < wave.opens_on < wave.closes_on < AS_OF


@given(st.dates(dt.date(2004, 1, 1), dt.date(2998, 12, 31)))
def test_the_six_periods_are_the_last_waves_closed_before_the_day(as_of: dt.date) -> None:
    calendar = SurveyCalendar()
    periods = past_periods(as_of, calendar)
    assert len(periods) == 6
    assert all(later.previous == earlier for earlier, later in itertools.pairwise(periods))
    assert calendar.dates(periods[-1])[1] < as_of
    last = periods[-1]
    following = Period(last.year, 2) if last.half == 1 else Period(last.year + 1, 1)
    assert calendar.dates(following)[1] >= as_of


def _open_on(account: SimulatedAccount, day: dt.date) -> bool:
    return account.opened_on <= day and (account.closed_on is None or account.closed_on > day)


def test_each_wave_reaches_the_opted_in_contacts_of_accounts_open_then(
    simulation: Simulation,
) -> None:
    for wave in simulation.waves:
        expected = {
            (account.code, contact.email)
            for account in simulation.accounts
            if _open_on(account, wave.opens_on)
            for contact in account.contacts
            if contact.survey_opt_in
        }
        assert set(wave.invited) == expected
        assert len(wave.invited) == len(expected)
        answered = [(answer.account_code, answer.email) for answer in wave.answers]
        assert len(set(answered)) == len(answered)
        assert set(answered) <= expected


def test_answers_fall_inside_their_wave_and_before_their_account_closed(
    simulation: Simulation,
) -> None:
    closed_on = {a.code: a.closed_on for a in simulation.accounts}
    for wave in simulation.waves:
        assert [a.answered_at for a in wave.answers] == sorted(a.answered_at for a in wave.answers)
        for answer in wave.answers:
            assert wave.issued_at < answer.answered_at < wave.closed_at
            assert answer.answered_at not in wave.reminders_at
            closing = closed_on[answer.account_code]
            assert closing is None or answer.answered_at.date() < closing
        after_reminders = [a for a in wave.answers if a.answered_at > wave.reminders_at[0]]
        assert 0.15 <= len(after_reminders) / len(wave.answers) <= 0.6


def test_response_rates_are_realistic(simulation: Simulation) -> None:
    for wave in simulation.waves:
        assert 0.4 <= len(wave.answers) / len(wave.invited) <= 0.7


def _before_churn(simulation: Simulation, wave: SimulatedWave) -> set[str]:
    """Accounts that stop buying or close within the year after the wave opened."""
    return {
        a.code
        for a in simulation.accounts
        if a.fate is not Fate.steady
        and a.stopped_on is not None
        and wave.opens_on < a.stopped_on <= wave.opens_on + YEAR
    }


def test_accounts_about_to_churn_answer_lower_and_are_silent_more_often(
    simulation: Simulation,
) -> None:
    steady = {a.code for a in simulation.accounts if a.fate is Fate.steady}
    churning_levels: list[int] = []
    steady_levels: list[int] = []
    silent = {"churning": [0, 0], "steady": [0, 0]}  # silent accounts, invited accounts
    for wave in simulation.waves:
        leaving = _before_churn(simulation, wave)
        for name, codes, levels in (
            ("churning", leaving, churning_levels),
            ("steady", steady, steady_levels),
        ):
            invited = {code for code, _ in wave.invited if code in codes}
            answering = {a.account_code for a in wave.answers if a.account_code in codes}
            levels += [a.level for a in wave.answers if a.account_code in codes]
            silent[name][0] += len(invited - answering)
            silent[name][1] += len(invited)
    assert len(churning_levels) >= 300
    assert statistics.mean(churning_levels) < statistics.mean(steady_levels) - 0.4
    churning_silence = silent["churning"][0] / silent["churning"][1]
    steady_silence = silent["steady"][0] / silent["steady"][1]
    assert churning_silence > steady_silence + 0.1
    assert Counter(steady_levels)[2] + Counter(steady_levels)[3] >= 0.75 * len(steady_levels)


def test_drifting_accounts_fall_silent_once_they_have_stopped_buying(
    simulation: Simulation,
) -> None:
    stopped_waves = invited = answered = 0
    for wave in simulation.waves:
        gone = {
            a.code
            for a in simulation.accounts
            if a.fate is Fate.drifting and a.stopped_on and a.stopped_on <= wave.opens_on
        }
        invited += len({code for code, _ in wave.invited if code in gone})
        answered += len({a.account_code for a in wave.answers if a.account_code in gone})
        stopped_waves += bool(gone)
    assert stopped_waves >= 2
    assert invited >= 50
    assert answered / invited < 0.3


def test_aspect_ratings_rise_with_the_level(simulation: Simulation) -> None:
    answers = [a for wave in simulation.waves for a in wave.answers]
    means = []
    for level in range(4):
        ratings = [r for a in answers if a.level == level for r in a.aspects.values()]
        assert ratings
        assert all(1 <= rating <= 5 for rating in ratings)
        means.append(statistics.mean(ratings))
    assert means == sorted(means)
    assert means[3] - means[0] > 2
    assert all(set(a.aspects) <= set(ASPECTS) for a in answers)


def test_unhappy_customers_comment_and_ask_to_be_contacted(simulation: Simulation) -> None:
    unhappy = [a for wave in simulation.waves for a in wave.answers if a.level == 0]
    assert len(unhappy) >= 100
    assert sum(bool(a.comment) for a in unhappy) >= 0.7 * len(unhappy)
    assert sum(a.may_contact for a in unhappy) >= 0.5 * len(unhappy)
    happy = [a for wave in simulation.waves for a in wave.answers if a.level >= 2]
    assert sum(a.may_contact for a in happy) < 0.1 * len(happy)


def test_comments_are_in_the_contacts_language(simulation: Simulation) -> None:
    language = {(a.code, c.email): c.language for a in simulation.accounts for c in a.contacts}
    commented = [a for w in simulation.waves for a in w.answers if a.comment]
    by_language = Counter(language[(a.account_code, a.email)] for a in commented)
    assert by_language["zh"] >= 200
    assert by_language["en"] >= 1000
    for answer in commented:
        chinese = any("\u4e00" <= char <= "\u9fff" for char in answer.comment)
        assert chinese == (language[(answer.account_code, answer.email)] == "zh")


def test_key_accounts_get_calls_and_visits_recorded_by_their_manager(
    simulation: Simulation,
) -> None:
    manager = {a.code: a.manager_email for a in simulation.accounts}
    value = {a.code: a.yearly_value for a in simulation.accounts}
    for wave in simulation.waves:
        staff = [a for a in wave.answers if a.channel != "web"]
        assert {a.channel for a in staff} == {"phone", "visit"}
        assert 20 <= len(staff) <= 150
        assert len({a.account_code for a in staff}) == len(staff)  # one interview per account
        for answer in staff:
            assert answer.recorded_by == manager[answer.account_code]
            assert set(answer.aspects) == set(ASPECTS)
        web = [a for a in wave.answers if a.channel == "web"]
        assert all(a.recorded_by is None for a in web)
        # Interviews go to the biggest accounts.
        assert statistics.median(value[a.account_code] for a in staff) > 5 * statistics.median(
            value.values()
        )
