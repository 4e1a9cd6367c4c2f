"""The demo's complaints as they were raised and handled: who, about what, and each step's time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from feedback.accounts.roles import Role
from feedback.complaints.deadlines import Severity
from feedback.complaints.states import Action
from feedback.demo.customers import Fate, SimulatedAccount, Simulation

__all__ = [
    "CaseStep",
    "ComplaintCase",
    "Handling",
    "Outcome",
    "complaint_cases",
    "handling",
    "survey_handling",
]

HOUR = dt.timedelta(hours=1)
# Complaints raised by phone, email, visits and the web form besides the survey's: a share
# of the active accounts, at least enough for every outcome to show in a small demo.
COMPLAINT_SHARE = 0.02


class Outcome(str, Enum):
    """Where a complaint's handling has got to by the demo's day."""

    received = "received"
    apologised = "apologised"
    investigating = "investigating"
    resolved = "resolved"
    closed_satisfied = "closed_satisfied"
    closed_unanswered = "closed_unanswered"
    reopened_resolved = "reopened_resolved"
    cancelled = "cancelled"


# The first cases take these in turn, so that even a small demo has every outcome, on time
# and late; the rest are drawn with OUTCOME_WEIGHTS.
OUTCOME_CYCLE: tuple[tuple[Outcome, bool], ...] = (
    (Outcome.received, False), (Outcome.received, True), (Outcome.apologised, False),
    (Outcome.investigating, True), (Outcome.investigating, False), (Outcome.resolved, False),
    (Outcome.closed_satisfied, False), (Outcome.closed_satisfied, True),
    (Outcome.closed_unanswered, False), (Outcome.reopened_resolved, False),
    (Outcome.cancelled, False), (Outcome.apologised, True),
)  # fmt: skip
OUTCOME_WEIGHTS = {
    Outcome.received: 0.06, Outcome.apologised: 0.06, Outcome.investigating: 0.1,
    Outcome.resolved: 0.1, Outcome.closed_satisfied: 0.4, Outcome.closed_unanswered: 0.12,
    Outcome.reopened_resolved: 0.1, Outcome.cancelled: 0.06,
}  # fmt: skip
LATE_CHANCE = 0.2
# Older complaints have mostly run their course; a few are stuck past their deadline.
SETTLED = (Outcome.closed_satisfied, Outcome.closed_unanswered)
SETTLED_AFTER = dt.timedelta(days=21)
STUCK_CHANCE = 0.08

# Drifting accounts complain about what drives them away; steady ones about the everyday.
ROOT_CAUSES = {
    Fate.drifting: {"competitor_offer": 0.35, "delivery": 0.2, "product_quality": 0.2,
                    "billing": 0.1, "customer_business": 0.15},
    Fate.steady: {"delivery": 0.35, "product_quality": 0.25, "billing": 0.2,
                  "staff_conduct": 0.1, "other": 0.1},
}  # fmt: skip
# What the customer raises for each cause (a competitor's offer is raised as price/service).
CATEGORY_OF_CAUSE = {
    "competitor_offer": "service", "customer_business": "other", "delivery": "delivery",
    "product_quality": "product_quality", "billing": "billing", "staff_conduct": "staff_conduct",
    "other": "other",
}  # fmt: skip
CHANNELS = {"phone": 0.4, "email": 0.35, "visit": 0.1, "web_form": 0.15}
SEVERITIES = {Fate.drifting: (0.3, 0.45, 0.25), Fate.steady: (0.55, 0.35, 0.1)}

DESCRIPTIONS = {
    "delivery": "Our order arrived {n} days late and the pallet was damaged.",
    "product_quality": "{n} units of the last batch were faulty; we had to stop the line.",
    "billing": "The invoice charged {n} items we never ordered.",
    "staff_conduct": "Your driver was rude to our staff at the warehouse ({n} pm).",
    "service": "We waited {n} days for an answer; another supplier offered us better terms.",
    "other": "We are unhappy with how our account has been handled lately ({n} calls).",
}
FINDINGS = {
    "competitor_offer": "A competitor offered them {n}% off; our last price rise hurt.",
    "customer_business": "Their own orders fell {n}%; they are cutting every supplier.",
    "delivery": "The carrier missed {n} pickups; the warehouse did not escalate.",
    "product_quality": "A supplier's component failed in {n} units of one batch.",
    "billing": "A price list update applied {n} wrong discounts.",
    "staff_conduct": "The driver was on a double shift; {n} similar reports this month.",
    "other": "Requests went to a colleague on leave for {n} days.",
}
RESOLUTIONS = {
    "competitor_offer": "Matched the offer for {n} months and set up quarterly reviews.",
    "customer_business": "Agreed smaller orders with {n}-day payment terms.",
    "delivery": "Replacement sent by courier; {n}% credit on the order.",
    "product_quality": "Replaced the {n} faulty units and added a batch test.",
    "billing": "Credit note for the {n} items; invoice corrected.",
    "staff_conduct": "Apologised in person; driver briefed ({n} min session).",
    "other": "Named a deputy contact; calls returned within {n} hours.",
}
APOLOGY = "We are sorry for the trouble this has caused you. We are looking into it now."


@dataclass(frozen=True)
class CaseStep:
    """One action some time after the one before (or after receipt, for the first)."""

    after: dt.timedelta
    action: Action
    content: dict[str, Any]
    by_supervisor: bool = False


@dataclass(frozen=True)
class Handling:
    """Who handles a complaint and what they do: a supervisor assigns it, then the steps."""

    supervisor: str
    assignee: str | None
    assign_after: dt.timedelta
    steps: tuple[CaseStep, ...]
    idle: dt.timedelta  # from the last step to the demo's day

    @property
    def span(self) -> dt.timedelta:
        return sum((step.after for step in self.steps), self.idle)


@dataclass(frozen=True)
class ComplaintCase:
    """A complaint raised outside the survey, by a contact of an account."""

    account_code: str
    contact_email: str | None
    received_at: dt.datetime
    channel: str
    category: str
    severity: Severity
    description: str
    handling: Handling


def _hours(rng: np.random.Generator, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=float(rng.uniform(low, high)))


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    chances = np.array([weights[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=chances / chances.sum()))]


def _text(rng: np.random.Generator, table: dict[str, str], key: str) -> str:
    return table[key].format(n=int(rng.integers(2, 30)))


def _solve(rng: np.random.Generator, cause: str, late: bool) -> list[CaseStep]:
    """Apologise, investigate and resolve, within the deadlines unless ``late``."""
    return [
        CaseStep(_hours(rng, 0.2, 1.5), Action.apologise, {"message": APOLOGY}),
        CaseStep(_hours(rng, 1, 6), Action.investigate,
                 {"findings": _text(rng, FINDINGS, cause), "root_cause": cause}),
        CaseStep(_hours(rng, 50, 120) if late else _hours(rng, 0.5, 4), Action.resolve,
                 {"resolution": _text(rng, RESOLUTIONS, cause)}),
    ]  # fmt: skip


def _steps(
    rng: np.random.Generator, outcome: Outcome, cause: str, late: bool
) -> tuple[list[CaseStep], dt.timedelta]:
    """The steps to ``outcome`` and the idle time after the last one; ``late`` misses a
    deadline: an open complaint's current one, or the resolution (follow-up) of a closed one."""
    open_idle = {True: (50, 150), False: (0.2, 1.0)}[late]
    if outcome is Outcome.received:
        return [], _hours(rng, *{True: (26, 90), False: (0.05, 1.2)}[late])
    if outcome is Outcome.cancelled:
        step = CaseStep(_hours(rng, 0.3, 3), Action.cancel, {
            "reason": "duplicate", "explanation": "Raised twice, by phone and by email."},
            by_supervisor=True)  # fmt: skip
        return [step], _hours(rng, 24, 900)
    solved = _solve(rng, cause, late and outcome is not Outcome.resolved)
    if outcome is Outcome.apologised:
        return solved[:1], _hours(rng, *open_idle)
    if outcome is Outcome.investigating:
        return solved[:2], _hours(rng, *open_idle)
    if outcome is Outcome.resolved:
        return solved, _hours(rng, *{True: (170, 260), False: (2, 100)}[late])
    if outcome is Outcome.closed_satisfied:
        answer = CaseStep(_hours(rng, 20, 140), Action.follow_up_satisfied,
                          {"note": "Called: the customer is happy with the solution."})  # fmt: skip
        return [*solved, answer], _hours(rng, 24, 2000)
    if outcome is Outcome.closed_unanswered:
        tries = CaseStep(_hours(rng, 120, 160), Action.follow_up_unanswered,
                         {"attempts": ["email", "phone"], "note": ""})  # fmt: skip
        return [*solved, tries], _hours(rng, 24, 2000)
    unhappy = CaseStep(_hours(rng, 24, 96), Action.follow_up_unsatisfied,
                       {"note": "The customer says the problem came back."})  # fmt: skip
    return [*solved, unhappy, *_solve(rng, cause, False)[1:]], _hours(rng, 2, 100)


def handling(
    rng: np.random.Generator,
    outcome: Outcome,
    late: bool,
    cause: str,
    staff: Sequence[tuple[str, Role]],
) -> Handling:
    """How one complaint is handled; a new one waiting for the apology is not yet assigned."""
    agents = [email for email, role in staff if role is Role.agent]
    supervisors = [email for email, role in staff if role is Role.supervisor]
    supervisor = supervisors[int(rng.integers(len(supervisors)))]
    workers = agents + supervisors[:1]
    assignee = None if outcome is Outcome.received else workers[int(rng.integers(len(workers)))]
    steps, idle = _steps(rng, outcome, cause, late)
    return Handling(supervisor, assignee, _hours(rng, 0.05, 0.15), tuple(steps), idle)


def _drawn_outcome(
    rng: np.random.Generator, among: Sequence[Outcome] = tuple(Outcome)
) -> tuple[Outcome, bool]:
    chances = np.array([OUTCOME_WEIGHTS[outcome] for outcome in among])
    outcome = among[int(rng.choice(len(among), p=chances / chances.sum()))]
    return outcome, bool(rng.random() < LATE_CHANCE)


def _cause(rng: np.random.Generator, fate: Fate) -> str:
    return _pick(rng, ROOT_CAUSES[Fate.drifting if fate is Fate.drifting else Fate.steady])


def survey_handling(
    rng: np.random.Generator, fate: Fate, staff: Sequence[tuple[str, Role]], age: dt.timedelta
) -> Handling:
    """How a complaint raised by a survey answer of an account with ``fate`` is handled;
    by ``age`` weeks most are settled, and only a few are still stuck (and breached)."""
    settled = age > SETTLED_AFTER and rng.random() >= STUCK_CHANCE
    outcome, late = _drawn_outcome(rng, SETTLED if settled else tuple(Outcome))
    return handling(rng, outcome, late, _cause(rng, fate), staff)


def _complainers(rng: np.random.Generator, simulation: Simulation) -> list[SimulatedAccount]:
    active = [a for a in simulation.accounts if a.closed_on is None and a.contacts]
    weights = np.array([4.0 if a.fate is Fate.drifting else 1.0 for a in active])
    count = min(len(active), max(len(OUTCOME_CYCLE), round(COMPLAINT_SHARE * len(active))))
    chosen = rng.choice(len(active), size=count, replace=False, p=weights / weights.sum())
    return [active[int(i)] for i in chosen]


def complaint_cases(simulation: Simulation, now: dt.datetime) -> list[ComplaintCase]:
    """The complaints raised outside the survey, oldest first; same simulation, same cases."""
    rng = np.random.default_rng([simulation.seed, 2])
    staff = [(member.email, member.role) for member in simulation.staff]
    cases = []
    for number, account in enumerate(_complainers(rng, simulation)):
        cycled = number < len(OUTCOME_CYCLE)
        outcome, late = OUTCOME_CYCLE[number] if cycled else _drawn_outcome(rng)
        cause = _cause(rng, account.fate)
        category = CATEGORY_OF_CAUSE[cause]
        plan = handling(rng, outcome, late, cause, staff)
        fate = Fate.drifting if account.fate is Fate.drifting else Fate.steady
        severity = list(Severity)[int(rng.choice(3, p=SEVERITIES[fate]))]
        cases.append(ComplaintCase(
            account_code=account.code, contact_email=account.contacts[0].email,
            received_at=now - plan.span, channel=_pick(rng, CHANNELS), category=category,
            severity=severity, description=_text(rng, DESCRIPTIONS, category), handling=plan,
        ))  # fmt: skip
    return sorted(cases, key=lambda case: case.received_at)
