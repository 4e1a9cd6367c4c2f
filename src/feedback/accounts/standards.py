"""Contact standards: whether an account is visited and called as often as its tier asks.

A pure rule, free of the database: it is given the days of an account's visits or calls.
For the current period (the month or the calendar quarter that holds ``today``) a
requirement is

- **met** when the period already holds as many contacts of its kind as it asks;
- **due** when it does not yet, but the last one is recent: fewer days ago than the
  standard's spacing (the period's length shared by its count, e.g. 45 days for two visits
  a quarter);
- **overdue** when it does not, and the last one is that long ago or there was none.

An account's state is its worst requirement's; a tier without requirements has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from feedback.config import ContactRequirement

__all__ = [
    "AccountStandard",
    "RequirementStatus",
    "StandardState",
    "account_standard",
    "missed_last_period",
    "period_of",
    "previous_period",
    "requirement_status",
    "spacing_days",
]

# Days in a month and in a quarter, as the spacing of contacts counts them.
PERIOD_DAYS = {1: 30, 3: 91}


class StandardState(str, Enum):
    """In rising order of concern."""

    none = "none"
    met = "met"
    due = "due"
    overdue = "overdue"


@dataclass(frozen=True)
class RequirementStatus:
    requirement: ContactRequirement
    period_start: dt.date
    period_end: dt.date
    done: int
    last: dt.date | None
    state: StandardState


@dataclass(frozen=True)
class AccountStandard:
    state: StandardState
    requirements: tuple[RequirementStatus, ...]
    last_visit: dt.date | None
    last_call: dt.date | None


def period_of(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month (``months`` 1) or calendar quarter (3) of ``day``."""
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + months
    end_year = day.year + (end_month - 1) // 12
    end = dt.date(end_year, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def spacing_days(requirement: ContactRequirement) -> int:
    """How many days may pass between two contacts before the next one is overdue."""
    return PERIOD_DAYS[requirement.months] // requirement.count


def requirement_status(
    requirement: ContactRequirement, days: Iterable[dt.date], today: dt.date
) -> RequirementStatus:
    """The requirement's state on ``today``; ``days`` are its kind's contacts (later ones are
    not counted)."""
    start, end = period_of(today, requirement.months)
    past = [day for day in days if day <= today]
    done = sum(start <= day for day in past)
    last = max(past, default=None)
    if done >= requirement.count:
        state = StandardState.met
    elif last is not None and (today - last).days < spacing_days(requirement):
        state = StandardState.due
    else:
        state = StandardState.overdue
    return RequirementStatus(requirement, start, end, done, last, state)


def account_standard(
    requirements: Sequence[ContactRequirement],
    days_by_kind: Mapping[str, Sequence[dt.date]],
    today: dt.date,
) -> AccountStandard:
    """The account's requirements on ``today`` given its contact days by kind."""
    statuses = tuple(
        requirement_status(requirement, days_by_kind.get(requirement.kind, ()), today)
        for requirement in requirements
    )
    order = list(StandardState)
    state = max((status.state for status in statuses), key=order.index, default=StandardState.none)

    def last(kind: str) -> dt.date | None:
        return max((day for day in days_by_kind.get(kind, ()) if day <= today), default=None)

    return AccountStandard(state, statuses, last("visit"), last("call"))


def previous_period(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the whole month or quarter before the one holding ``day``."""
    start, _ = period_of(day, months)
    return period_of(start - dt.timedelta(days=1), months)


def missed_last_period(
    requirement: ContactRequirement, days: Iterable[dt.date], day: dt.date
) -> bool:
    """Whether the whole period before the one holding ``day`` had fewer contacts than asked."""
    previous_start, previous_end = previous_period(day, requirement.months)
    done = sum(previous_start <= contact <= previous_end for contact in days)
    return done < requirement.count
