"""Complaint figures for reports: time in each step, SLA compliance, reopen rate, root causes,
and one account's complaints with each step's outcome.

Each figure is one grouped SQL query over the period (by the date complaints were received),
folded by tier or by the accounts' industry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from feedback.accounts.directory import account_dimensions
from feedback.complaints.deadlines import STEP_OF_STATE, Step, StepOutcome, step_outcomes
from feedback.complaints.records import ComplaintView, view_of
from feedback.complaints.states import ComplaintState
from feedback.complaints.tables import Complaint, ComplaintEvent

__all__ = [
    "AccountComplaint",
    "Breakdown",
    "ComplaintFigures",
    "ReopenRate",
    "ReportScope",
    "RootCauseCount",
    "StepCompliance",
    "StepRecord",
    "StepTime",
    "account_complaints",
    "complaint_figures",
    "reopen_rates",
    "root_causes",
    "sla_compliance",
    "time_in_steps",
]

# SQL below is built from these constant fragments only; values are bound parameters.
IN_SCOPE = "c.received_at >= {} AND c.received_at < {} GROUP BY c.account, c.tier"
EVENTS = "FROM complaint_event e JOIN complaint c ON c.id = e.complaint"
TIME_SQL = (
    "SELECT c.account AS account, c.tier AS tier, e.from_state AS key, COUNT(*) AS moves, "
    f"SUM(e.seconds_in_state) AS seconds {EVENTS} "
    f"WHERE e.seconds_in_state IS NOT NULL AND {IN_SCOPE}, e.from_state"
)
FINISHED_SQL = (
    "SELECT c.account AS account, c.tier AS tier, e.step AS key, COUNT(*) AS finished, "
    f"SUM(CASE WHEN e.late THEN 0 ELSE 1 END) AS on_time {EVENTS} "
    f"WHERE e.step IS NOT NULL AND {IN_SCOPE}, e.step"
)
OVERDUE_SQL = (
    "SELECT c.account AS account, c.tier AS tier, c.state AS key, COUNT(*) AS overdue "  # noqa: S608
    f"FROM complaint c WHERE c.next_due_at <= {{}} AND {IN_SCOPE}, c.state"
)
REOPEN_SQL = (
    "SELECT c.account AS account, c.tier AS tier, '' AS key, COUNT(*) AS resolved, "  # noqa: S608
    "SUM(CASE WHEN c.reopen_count > 0 THEN 1 ELSE 0 END) AS reopened FROM complaint c "
    "WHERE EXISTS (SELECT 1 FROM complaint_event e WHERE e.complaint = c.id "
    f"AND e.kind = 'resolve') AND {IN_SCOPE}"
)
ROOT_CAUSE_SQL = (
    "SELECT c.account AS account, c.tier AS tier, c.root_cause AS key, "  # noqa: S608
    "COUNT(*) AS complaints FROM complaint c "
    "WHERE c.root_cause IS NOT NULL AND c.state <> 'cancelled' "
    f"AND {IN_SCOPE}, c.root_cause"
)


class Breakdown(str, Enum):
    none = "none"
    tier = "tier"
    industry = "industry"


@dataclass(frozen=True)
class ReportScope:
    """Complaints received in ``[since, until)``, grouped ``by`` tier, industry or not at all."""

    since: dt.datetime
    until: dt.datetime
    by: Breakdown = Breakdown.none


@dataclass(frozen=True)
class StepTime:
    group: str
    state: str
    moves: int
    seconds: int

    @property
    def mean_hours(self) -> float:
        return self.seconds / self.moves / 3600


@dataclass(frozen=True)
class StepCompliance:
    """Steps finished (on time or not) and steps still open past their deadline."""

    group: str
    step: str
    finished: int
    on_time: int
    overdue: int

    @property
    def share_on_time(self) -> float | None:
        total = self.finished + self.overdue
        return self.on_time / total if total else None


@dataclass(frozen=True)
class ReopenRate:
    """Of the complaints resolved at least once, those a follow-up reopened."""

    group: str
    resolved: int
    reopened: int

    @property
    def rate(self) -> float | None:
        return self.reopened / self.resolved if self.resolved else None


@dataclass(frozen=True)
class RootCauseCount:
    group: str
    root_cause: str
    complaints: int


Totals = dict[tuple[str, str], dict[str, int]]


async def _grouping(rows: list[dict[str, Any]], by: Breakdown) -> Callable[[dict[str, Any]], str]:
    if by == Breakdown.tier:
        return lambda row: str(row["tier"])
    if by == Breakdown.industry:
        accounts = await account_dimensions({int(row["account"]) for row in rows})
        return lambda row: accounts[int(row["account"])].industry
    return lambda row: "all"


async def _totals(sql: str, scope: ReportScope, fields: tuple[str, ...], *args: Any) -> Totals:
    rows = await Complaint.raw(sql, *args, scope.since, scope.until)
    group = await _grouping(rows, scope.by)
    totals: Totals = {}
    for row in rows:
        bucket = totals.setdefault((group(row), str(row["key"])), dict.fromkeys(fields, 0))
        for name in fields:
            bucket[name] += int(row[name] or 0)
    return dict(sorted(totals.items()))


async def time_in_steps(scope: ReportScope) -> list[StepTime]:
    """Time spent in each state before moving on, summed per group and state."""
    totals = await _totals(TIME_SQL, scope, ("moves", "seconds"))
    return [StepTime(group, state, **values) for (group, state), values in totals.items()]


async def sla_compliance(scope: ReportScope, now: dt.datetime) -> list[StepCompliance]:
    """Per step: finished, finished on time, and open past the deadline at ``now``."""
    finished = await _totals(FINISHED_SQL, scope, ("finished", "on_time"))
    by_state = await _totals(OVERDUE_SQL, scope, ("overdue",), now)
    overdue: dict[tuple[str, str], int] = {}
    for (group, state), values in by_state.items():
        key = (group, STEP_OF_STATE[ComplaintState(state)].value)
        overdue[key] = overdue.get(key, 0) + values["overdue"]
    return [
        StepCompliance(
            group,
            step,
            finished.get((group, step), {}).get("finished", 0),
            finished.get((group, step), {}).get("on_time", 0),
            overdue.get((group, step), 0),
        )
        for group, step in sorted(set(finished) | set(overdue))
    ]


@dataclass(frozen=True)
class ComplaintFigures:
    """The four figures of one scope."""

    steps: list[StepTime]
    compliance: list[StepCompliance]
    reopens: list[ReopenRate]
    root_causes: list[RootCauseCount]


async def complaint_figures(scope: ReportScope, now: dt.datetime) -> ComplaintFigures:
    """Every figure of the complaints received in the scope, deadlines judged at ``now``."""
    return ComplaintFigures(
        await time_in_steps(scope),
        await sla_compliance(scope, now),
        await reopen_rates(scope),
        await root_causes(scope),
    )


async def reopen_rates(scope: ReportScope) -> list[ReopenRate]:
    totals = await _totals(REOPEN_SQL, scope, ("resolved", "reopened"))
    return [ReopenRate(group, **values) for (group, _), values in totals.items()]


async def root_causes(scope: ReportScope) -> list[RootCauseCount]:
    """How many complaints (not cancelled) each root cause explains, per group."""
    totals = await _totals(ROOT_CAUSE_SQL, scope, ("complaints",))
    return [RootCauseCount(group, cause, **values) for (group, cause), values in totals.items()]


@dataclass(frozen=True)
class StepRecord:
    step: Step
    due_at: dt.datetime | None
    outcome: StepOutcome


@dataclass(frozen=True)
class AccountComplaint:
    complaint: ComplaintView
    steps: tuple[StepRecord, ...]

    @property
    def missed_a_deadline(self) -> bool:
        return any(step.outcome is StepOutcome.missed for step in self.steps)


async def account_complaints(
    account_id: int, since: dt.datetime, now: dt.datetime
) -> list[AccountComplaint]:
    """The account's complaints received since ``since``, newest first, each step's outcome.

    Cancelled complaints (duplicates and spam) are left out: they say nothing about the account.
    """
    rows = await (
        Complaint.select()
        .where(
            (Complaint.account == account_id)
            & (Complaint.received_at >= since)
            & (Complaint.state != ComplaintState.cancelled.value)
        )
        .order_by(Complaint.received_at, ascending=False)
        .order_by(Complaint.id, ascending=False)
    )
    ids = [row["id"] for row in rows] or [0]
    done = await ComplaintEvent.select(ComplaintEvent.complaint, ComplaintEvent.step).where(
        ComplaintEvent.complaint.is_in(ids) & ComplaintEvent.step.is_not_null()
    )
    finished: dict[int, set[Step]] = {}
    for event in done:
        finished.setdefault(event["complaint"], set()).add(Step(event["step"]))
    listed = []
    for row in rows:
        view = view_of(row)
        outcomes = step_outcomes(view.clocks, view.state, finished.get(view.id, set()), now)
        steps = tuple(StepRecord(s, view.clocks.due_of(s), o) for s, o in outcomes.items())
        listed.append(AccountComplaint(view, steps))
    return listed
