"""Deadlines of the complaint steps: the SLA policy, a business-hours calendar, due and warn times.

Every instant is UTC, and business hours are UTC hours: there are no daylight-saving gaps
or repeats to handle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec

from feedback.complaints.states import ComplaintState
from feedback.config import Settings
from feedback.errors import ConfigurationError

__all__ = [
    "DEFAULT_POLICY",
    "STEP_OF_STATE",
    "TIERS",
    "BusinessHours",
    "Clocks",
    "Completion",
    "Limits",
    "Severity",
    "SlaPolicy",
    "StateChange",
    "Step",
    "StepOutcome",
    "TimeLeft",
    "Urgency",
    "advance",
    "open_clocks",
    "parse_policy",
    "policy_of",
    "read_policy",
    "step_outcomes",
    "time_left",
]

UTC = dt.UTC
TIERS = ("A", "B", "C", "D")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Severity(str, Enum):
    minor = "minor"
    major = "major"
    severe = "severe"


class Step(str, Enum):
    """The steps that carry a time-limit commitment."""

    apology = "apology"
    resolution = "resolution"
    follow_up = "follow_up"


S = ComplaintState
STEP_OF_STATE: Mapping[ComplaintState, Step] = MappingProxyType(
    {
        S.received: Step.apology,
        S.apologised: Step.resolution,
        S.investigating: Step.resolution,
        S.resolved: Step.follow_up,
    }
)


@dataclass(frozen=True)
class Limits:
    """Hours from receipt to the apology and to the resolution (working hours with a calendar)."""

    apology_hours: float
    resolution_hours: float


@dataclass(frozen=True)
class BusinessHours:
    """Working days and hours (UTC) and holidays; deadlines count only working time."""

    weekdays: frozenset[int] = frozenset(range(5))
    opens: dt.time = dt.time(9)
    closes: dt.time = dt.time(17)
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not self.weekdays or not self.opens < self.closes:
            raise ValueError("business hours need at least one working day and opens < closes")

    def works_on(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def add(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The instant ``hours`` of working time after ``start``."""
        remaining = dt.timedelta(hours=hours)
        moment = start.astimezone(UTC)
        while True:
            day = moment.date()
            if self.works_on(day):
                opens = dt.datetime.combine(day, self.opens, UTC)
                closes = dt.datetime.combine(day, self.closes, UTC)
                moment = max(moment, opens)
                if moment < closes:
                    if remaining <= closes - moment:
                        return moment + remaining
                    remaining -= closes - moment
            moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), UTC)


def _default_limits() -> dict[tuple[Severity, str], Limits]:
    # DOMAIN.md: apology within 24 h, answer within 48 h; tighter for tier A and severe cases.
    base = {
        Severity.minor: (Limits(24, 48), Limits(12, 24)),
        Severity.major: (Limits(12, 48), Limits(8, 24)),
        Severity.severe: (Limits(4, 24), Limits(2, 12)),
    }
    return {
        (severity, tier): tier_a if tier == "A" else others
        for severity, (others, tier_a) in base.items()
        for tier in TIERS
    }


@dataclass(frozen=True)
class SlaPolicy:
    """Time limits per severity and tier, the follow-up window and when to warn."""

    limits: Mapping[tuple[Severity, str], Limits] = field(default_factory=_default_limits)
    follow_up_days: int = 7
    warn_share: float = 0.75
    business_hours: BusinessHours | None = None

    def limits_for(self, severity: Severity, tier: str) -> Limits:
        return self.limits[(Severity(severity), tier)]

    def after_working(self, start: dt.datetime, hours: float) -> dt.datetime:
        if self.business_hours is None:
            return start + dt.timedelta(hours=hours)
        return self.business_hours.add(start, hours)


DEFAULT_POLICY = SlaPolicy()


class _LimitsEntry(msgspec.Struct, forbid_unknown_fields=True):
    severity: Severity
    tier: str
    apology_hours: float
    resolution_hours: float


class _CalendarFile(msgspec.Struct, forbid_unknown_fields=True):
    weekdays: list[str] = msgspec.field(default_factory=lambda: list(WEEKDAYS[:5]))
    opens: dt.time = dt.time(9)
    closes: dt.time = dt.time(17)
    holidays: list[dt.date] = msgspec.field(default_factory=list)


class _PolicyFile(msgspec.Struct, forbid_unknown_fields=True):
    limits: list[_LimitsEntry] = msgspec.field(default_factory=list)
    follow_up_days: int = 7
    warn_share: float = 0.75
    business_hours: _CalendarFile | None = None


def _calendar(spec: _CalendarFile) -> BusinessHours:
    unknown = sorted(set(spec.weekdays) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"unknown weekdays {', '.join(unknown)}; use {', '.join(WEEKDAYS)}")
    return BusinessHours(
        weekdays=frozenset(WEEKDAYS.index(day) for day in spec.weekdays),
        opens=spec.opens,
        closes=spec.closes,
        holidays=frozenset(spec.holidays),
    )


@lru_cache(maxsize=8)
def _policy_in(path: str) -> SlaPolicy:
    return read_policy(path)


def policy_of(settings: Settings) -> SlaPolicy:
    """The policy the settings name (``FEEDBACK_SLA_POLICY``), read once per file."""
    return _policy_in(settings.sla_policy_file)


def read_policy(path: str) -> SlaPolicy:
    """The policy in a JSON file (``FEEDBACK_SLA_POLICY``); the defaults when no file is named."""
    if not path:
        return DEFAULT_POLICY
    try:
        return parse_policy(Path(path).read_bytes())
    except OSError as exc:
        raise ConfigurationError(f"FEEDBACK_SLA_POLICY: cannot read {path}: {exc}") from exc
    except ValueError as exc:
        raise ConfigurationError(
            f"FEEDBACK_SLA_POLICY: {path} is not a valid policy: {exc}"
        ) from exc


def parse_policy(text: str | bytes) -> SlaPolicy:
    """Read a policy file (JSON); entries in ``limits`` override the defaults they name."""
    try:
        spec = msgspec.json.decode(text, type=_PolicyFile)
    except msgspec.DecodeError as exc:
        raise ValueError(str(exc)) from exc
    limits = _default_limits()
    for entry in spec.limits:
        if entry.tier not in TIERS:
            raise ValueError(f"unknown tier {entry.tier!r}; use one of {', '.join(TIERS)}")
        if not 0 < entry.apology_hours <= entry.resolution_hours:
            raise ValueError("limits need 0 < apology_hours <= resolution_hours")
        limits[(entry.severity, entry.tier)] = Limits(entry.apology_hours, entry.resolution_hours)
    if spec.follow_up_days < 1 or not 0 < spec.warn_share < 1:
        raise ValueError("follow_up_days must be at least 1 and warn_share between 0 and 1")
    return SlaPolicy(
        limits=MappingProxyType(limits),
        follow_up_days=spec.follow_up_days,
        warn_share=spec.warn_share,
        business_hours=_calendar(spec.business_hours) if spec.business_hours else None,
    )


@dataclass(frozen=True)
class Clocks:
    """A complaint's deadlines, breach flags, and the due and warn times of its current step."""

    received_at: dt.datetime
    apology_due_at: dt.datetime
    resolution_due_at: dt.datetime
    follow_up_due_at: dt.datetime | None = None
    apology_breached: bool = False
    resolution_breached: bool = False
    follow_up_breached: bool = False
    next_due_at: dt.datetime | None = None
    next_warn_at: dt.datetime | None = None

    def due_of(self, step: Step) -> dt.datetime | None:
        return getattr(self, f"{step.value}_due_at")

    def breached(self, step: Step) -> bool:
        return bool(getattr(self, f"{step.value}_breached"))


@dataclass(frozen=True)
class Completion:
    """A step finished by an action: its deadline, and whether it was missed."""

    step: Step
    due_at: dt.datetime
    late: bool


def open_clocks(
    received_at: dt.datetime, severity: Severity, tier: str, policy: SlaPolicy
) -> Clocks:
    """The deadlines of a complaint just received: the apology step is running."""
    limits = policy.limits_for(severity, tier)
    apology_due = policy.after_working(received_at, limits.apology_hours)
    return Clocks(
        received_at=received_at,
        apology_due_at=apology_due,
        resolution_due_at=policy.after_working(received_at, limits.resolution_hours),
        next_due_at=apology_due,
        next_warn_at=policy.after_working(received_at, limits.apology_hours * policy.warn_share),
    )


@dataclass(frozen=True)
class StateChange:
    """A complaint moving from one state to another, at a time."""

    from_state: ComplaintState
    to_state: ComplaintState
    at: dt.datetime

    @property
    def reopens(self) -> bool:
        """The customer was not satisfied with the resolution, or came back after the close:
        the complaint is worked again."""
        return self.from_state in (S.resolved, S.closed) and self.to_state == S.investigating


def _enter(clocks: Clocks, change: StateChange, limits: Limits, policy: SlaPolicy) -> Clocks:
    step, now = STEP_OF_STATE.get(change.to_state), change.at
    if step is None:
        return replace(clocks, next_due_at=None, next_warn_at=None)
    if step == Step.follow_up:
        window = dt.timedelta(days=policy.follow_up_days)
        due = now + window
        return replace(
            clocks,
            follow_up_due_at=due,
            next_due_at=due,
            next_warn_at=now + window * policy.warn_share,
        )
    if step == Step.resolution and change.reopens:
        # A reopened complaint gets a fresh resolution window from the customer's answer.
        due = policy.after_working(now, limits.resolution_hours)
        warn = policy.after_working(now, limits.resolution_hours * policy.warn_share)
        return replace(
            clocks, resolution_due_at=due, follow_up_due_at=None, next_due_at=due, next_warn_at=warn
        )
    start, hours = clocks.received_at, limits.resolution_hours
    warn = policy.after_working(start, hours * policy.warn_share)
    return replace(clocks, next_due_at=clocks.resolution_due_at, next_warn_at=warn)


def advance(
    clocks: Clocks, change: StateChange, severity: Severity, tier: str, policy: SlaPolicy
) -> tuple[Clocks, Completion | None]:
    """The clocks after a move, and the step the move completed (if it completed one)."""
    leaving, entering = STEP_OF_STATE.get(change.from_state), STEP_OF_STATE.get(change.to_state)
    if leaving == entering and not change.reopens:
        return clocks, None
    completion, now = None, change.at
    due = clocks.due_of(leaving) if leaving else None
    if leaving is not None and due is not None and change.to_state != S.cancelled:
        completion = Completion(leaving, due, now > due)
        flag: dict[str, Any] = {f"{leaving.value}_breached": clocks.breached(leaving) or now > due}
        clocks = replace(clocks, **flag)
    limits = policy.limits_for(severity, tier)
    return _enter(clocks, change, limits, policy), completion


class Urgency(str, Enum):
    """How pressing the current step is; the queue words and colours each (never colour alone)."""

    overdue = "overdue"
    due_soon = "due_soon"
    on_track = "on_track"
    none = "none"


@dataclass(frozen=True)
class TimeLeft:
    urgency: Urgency
    text: str


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def time_left(
    due_at: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime
) -> TimeLeft:
    """The current step's time left in words, and its urgency (due soon once warned)."""
    if due_at is None:
        return TimeLeft(Urgency.none, "no deadline")
    if now >= due_at:
        return TimeLeft(Urgency.overdue, f"overdue by {_span(now - due_at)}")
    urgency = Urgency.due_soon if warn_at is not None and now >= warn_at else Urgency.on_track
    return TimeLeft(urgency, f"{_span(due_at - now)} left")


class StepOutcome(str, Enum):
    """Where a complaint stands with one step's time limit."""

    met = "met"  # finished within its deadline
    missed = "missed"  # finished late, escalated, or open past its deadline
    running = "running"  # the current step, within its deadline
    not_reached = "not_reached"  # not begun (or the complaint was cancelled first)


def step_outcomes(
    clocks: Clocks, state: ComplaintState, finished: Collection[Step], now: dt.datetime
) -> dict[Step, StepOutcome]:
    """Each step's outcome; ``finished`` are the steps some action has completed.

    A breach is never forgotten (the flags never clear), and a step a reopened complaint
    has to do again counts as the current one.
    """
    current = STEP_OF_STATE.get(state)
    outcomes = {}
    for step in Step:
        due = clocks.due_of(step)
        if clocks.breached(step) or (step == current and due is not None and now > due):
            outcomes[step] = StepOutcome.missed
        elif step == current:
            outcomes[step] = StepOutcome.running
        elif step in finished:
            outcomes[step] = StepOutcome.met
        else:
            outcomes[step] = StepOutcome.not_reached
    return outcomes
