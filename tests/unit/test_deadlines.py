"""Deadline arithmetic at frozen instants: weekends, day boundaries, holidays, business hours.

Every instant is UTC and business hours are UTC hours, so daylight saving never applies.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.complaints.deadlines import (
    DEFAULT_POLICY,
    BusinessHours,
    Limits,
    Severity,
    SlaPolicy,
    StateChange,
    Step,
    StepOutcome,
    advance,
    open_clocks,
    parse_policy,
    read_policy,
    step_outcomes,
)
from feedback.complaints.states import ComplaintState as S
from feedback.config import Settings
from feedback.errors import ConfigurationError


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


OFFICE = BusinessHours(holidays=frozenset({dt.date(2026, 12, 25), dt.date(2027, 1, 1)}))
OFFICE_POLICY = SlaPolicy(business_hours=OFFICE)


@pytest.mark.parametrize(
    ("severity", "tier", "apology", "resolution"),
    [
        ("minor", "A", 12, 24),
        ("minor", "B", 24, 48),
        ("minor", "D", 24, 48),
        ("major", "A", 8, 24),
        ("major", "C", 12, 48),
        ("severe", "A", 2, 12),
        ("severe", "D", 4, 24),
    ],
)
def test_default_limits_are_tighter_for_tier_a_and_severe_cases(
    severity: str, tier: str, apology: int, resolution: int
) -> None:
    assert DEFAULT_POLICY.limits_for(Severity(severity), tier) == Limits(apology, resolution)
    assert DEFAULT_POLICY.follow_up_days == 7


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2026-11-26 10:00", 4, "2026-11-26 14:00"),  # same day
        ("2026-11-26 15:00", 4, "2026-11-27 11:00"),  # over the night
        ("2026-11-27 16:00", 4, "2026-11-30 12:00"),  # Friday afternoon to Monday
        ("2026-11-28 10:00", 1, "2026-11-30 10:00"),  # received on Saturday
        ("2026-11-30 07:00", 2, "2026-11-30 11:00"),  # before opening
        ("2026-11-26 18:00", 8, "2026-11-27 17:00"),  # ends exactly at closing
        ("2026-11-26 17:00", 0.5, "2026-11-27 09:30"),  # received at closing
        ("2026-12-24 16:00", 4, "2026-12-28 12:00"),  # over a holiday and a weekend
        ("2026-12-31 16:30", 1, "2027-01-04 09:30"),  # over New Year's Day and a weekend
        ("2026-11-23 09:00", 48, "2026-11-30 17:00"),  # six working days
        ("2026-11-28 12:00", 0, "2026-11-30 09:00"),  # no time: the next opening
    ],
)
def test_business_hours_count_only_working_time(start: str, hours: float, due: str) -> None:
    assert OFFICE.add(at(start), hours) == at(due)


def test_without_a_calendar_deadlines_run_round_the_clock() -> None:
    received = at("2026-11-27 20:00")  # Friday evening
    clocks = open_clocks(received, Severity.minor, "C", DEFAULT_POLICY)
    assert clocks.apology_due_at == at("2026-11-28 20:00")
    assert clocks.resolution_due_at == at("2026-11-29 20:00")
    assert clocks.next_warn_at == at("2026-11-28 14:00")


def test_instants_in_other_offsets_are_read_as_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2026, 11, 27, 23, 0, tzinfo=shanghai)  # 15:00 UTC, Friday
    assert OFFICE.add(start, 3) == at("2026-11-30 10:00")


hours_strategy = st.integers(min_value=1, max_value=8 * 60).map(lambda minutes: minutes / 4)
starts = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.UTC),
)


@given(start=starts, first=hours_strategy, second=hours_strategy)
def test_working_time_adds_up_and_lands_inside_working_hours(
    start: dt.datetime, first: float, second: float
) -> None:
    due = OFFICE.add(start, first + second)
    assert OFFICE.add(OFFICE.add(start, first), second) == due
    assert OFFICE.works_on(due.date())
    assert OFFICE.opens < due.time() <= OFFICE.closes
    assert due > start
    assert OFFICE.add(start, first) < due


def test_apologising_keeps_the_resolution_deadline_and_warns_at_three_quarters() -> None:
    received = at("2026-11-27 14:00")
    clocks = open_clocks(received, Severity.minor, "B", OFFICE_POLICY)  # 24 h / 48 h working
    assert clocks.apology_due_at == at("2026-12-02 14:00")
    assert clocks.next_warn_at == at("2026-12-01 16:00")  # 18 working hours
    apologised = StateChange(S.received, S.apologised, at("2026-11-30 10:00"))
    later, done = advance(clocks, apologised, Severity.minor, "B", OFFICE_POLICY)
    assert done is not None
    assert (done.step, done.late) == (Step.apology, False)
    assert later.next_due_at == later.resolution_due_at == at("2026-12-07 14:00")
    assert later.next_warn_at == at("2026-12-04 10:00")  # 36 working hours
    assert not later.apology_breached


def test_a_late_step_is_flagged_and_a_reopen_gets_a_fresh_resolution_window() -> None:
    received = at("2026-11-26 09:00")
    policy, severity = DEFAULT_POLICY, Severity.severe  # tier A: 2 h and 12 h
    clocks = open_clocks(received, severity, "A", policy)
    steps = [
        (S.received, S.apologised, at("2026-11-26 12:00")),  # 3 h: late
        (S.apologised, S.investigating, at("2026-11-26 13:00")),
        (S.investigating, S.resolved, at("2026-11-26 20:00")),  # 11 h: on time
        (S.resolved, S.investigating, at("2026-12-04 20:00")),  # 8 days: follow-up late
    ]
    completions = []
    for before, after, now in steps:
        clocks, done = advance(clocks, StateChange(before, after, now), severity, "A", policy)
        completions.append(done and (done.step, done.late))
    assert completions == [
        (Step.apology, True),
        None,
        (Step.resolution, False),
        (Step.follow_up, True),
    ]
    assert (clocks.apology_breached, clocks.resolution_breached, clocks.follow_up_breached) == (
        True,
        False,
        True,
    )
    assert clocks.resolution_due_at == clocks.next_due_at == at("2026-12-05 08:00")
    assert clocks.next_warn_at == at("2026-12-05 05:00")
    assert clocks.follow_up_due_at is None


M, X, R, N = StepOutcome.met, StepOutcome.missed, StepOutcome.running, StepOutcome.not_reached


def test_each_step_is_met_missed_running_or_not_reached_along_a_complaints_life() -> None:
    policy, severity = DEFAULT_POLICY, Severity.major  # tier B: apology 12 h, resolution 48 h
    clocks = open_clocks(at("2026-11-02 09:00"), severity, "B", policy)
    life = [  # (from, to, when, outcomes of apology, resolution, follow-up just after)
        (None, S.received, at("2026-11-02 10:00"), (R, N, N)),
        (S.received, S.apologised, at("2026-11-02 20:00"), (M, R, N)),
        (S.apologised, S.investigating, at("2026-11-03 09:00"), (M, R, N)),
        (S.investigating, S.resolved, at("2026-11-05 09:00"), (M, X, R)),  # a day past 48 h: late
        (S.resolved, S.investigating, at("2026-11-09 09:00"), (M, X, M)),  # unsatisfied, in time
        (S.investigating, S.resolved, at("2026-11-10 09:00"), (M, X, R)),
        (S.resolved, S.closed, at("2026-11-20 09:00"), (M, X, X)),  # follow-up 10 days late
    ]
    finished: set[Step] = set()
    state = S.received
    for before, after, now, expected in life:
        if before is not None:
            clocks, done = advance(clocks, StateChange(before, after, now), severity, "B", policy)
            finished |= {done.step} if done else set()
            state = after
        assert tuple(step_outcomes(clocks, state, finished, now).values()) == expected, after


def test_an_open_step_past_its_deadline_is_missed_before_anyone_escalates_it() -> None:
    clocks = open_clocks(at("2026-11-02 09:00"), Severity.minor, "C", DEFAULT_POLICY)  # 24 h
    assert not clocks.apology_breached
    outcomes = step_outcomes(clocks, S.received, set(), at("2026-11-03 09:01"))
    assert outcomes == {Step.apology: X, Step.resolution: N, Step.follow_up: N}
    cancel = StateChange(S.received, S.cancelled, at("2026-11-02 10:00"))
    cancelled, _ = advance(clocks, cancel, Severity.minor, "C", DEFAULT_POLICY)
    assert set(step_outcomes(cancelled, S.cancelled, set(), at("2026-12-01 00:00")).values()) == {N}


def test_the_follow_up_window_is_seven_calendar_days_even_with_a_calendar() -> None:
    clocks = open_clocks(at("2026-11-26 10:00"), Severity.minor, "C", OFFICE_POLICY)
    resolve = StateChange(S.investigating, S.resolved, at("2026-11-27 16:00"))
    resolved, _ = advance(clocks, resolve, Severity.minor, "C", OFFICE_POLICY)
    assert resolved.follow_up_due_at == resolved.next_due_at == at("2026-12-04 16:00")
    assert resolved.next_warn_at == at("2026-12-02 22:00")


def test_cancelling_completes_no_step_and_stops_the_clocks() -> None:
    clocks = open_clocks(at("2026-11-26 10:00"), Severity.minor, "C", DEFAULT_POLICY)
    cancel = StateChange(S.received, S.cancelled, at("2026-12-26 10:00"))
    cancelled, done = advance(clocks, cancel, Severity.minor, "C", DEFAULT_POLICY)
    assert done is None
    assert (cancelled.next_due_at, cancelled.next_warn_at) == (None, None)
    assert not cancelled.apology_breached


POLICY_JSON = """{
  "limits": [{"severity": "minor", "tier": "D", "apology_hours": 48, "resolution_hours": 96}],
  "follow_up_days": 5,
  "warn_share": 0.5,
  "business_hours": {"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
                     "opens": "08:00:00", "closes": "18:00:00", "holidays": ["2026-12-25"]}
}"""


def test_a_policy_file_overrides_the_limits_it_names() -> None:
    policy = parse_policy(POLICY_JSON)
    assert policy.limits_for(Severity.minor, "D") == Limits(48, 96)
    assert policy.limits_for(Severity.minor, "C") == Limits(24, 48)
    assert (policy.follow_up_days, policy.warn_share) == (5, 0.5)
    assert policy.business_hours == BusinessHours(
        weekdays=frozenset(range(6)),
        opens=dt.time(8),
        closes=dt.time(18),
        holidays=frozenset({dt.date(2026, 12, 25)}),
    )
    assert policy.after_working(at("2026-11-28 17:00"), 2) == at("2026-11-30 09:00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"limits": [{"severity": "mild", "tier": "A", "apology_hours": 1, '
         '"resolution_hours": 2}]}', "Invalid enum value 'mild'"),
        ('{"limits": [{"severity": "minor", "tier": "E", "apology_hours": 1, '
         '"resolution_hours": 2}]}', "unknown tier 'E'"),
        ('{"limits": [{"severity": "minor", "tier": "A", "apology_hours": 5, '
         '"resolution_hours": 2}]}', "apology_hours <= resolution_hours"),
        ('{"warn_share": 1.5}', "warn_share between 0 and 1"),
        ('{"business_hours": {"weekdays": ["funday"]}}', "unknown weekdays funday"),
        ('{"business_hours": {"opens": "18:00:00", "closes": "08:00:00"}}', "opens < closes"),
        ('{"sla": 1}', "unknown field `sla`"),
        ("not json", "malformed"),
    ],
)  # fmt: skip
def test_a_bad_policy_file_is_refused_with_its_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_policy(text)


def test_the_policy_is_read_from_the_file_named_in_the_environment(tmp_path: Path) -> None:
    def policy_of(env: dict[str, str]) -> SlaPolicy:
        return read_policy(Settings.from_env(env).sla_policy_file)

    assert policy_of({}) == DEFAULT_POLICY
    path = tmp_path / "sla.json"
    path.write_text(POLICY_JSON)
    assert policy_of({"FEEDBACK_SLA_POLICY": str(path)}).follow_up_days == 5
    path.write_text('{"warn_share": 2}')
    with pytest.raises(ConfigurationError, match=r"sla.json is not a valid policy: .*warn_share"):
        policy_of({"FEEDBACK_SLA_POLICY": str(path)})
    with pytest.raises(ConfigurationError, match="cannot read"):
        policy_of({"FEEDBACK_SLA_POLICY": str(tmp_path / "missing.json")})
