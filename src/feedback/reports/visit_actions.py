""" "For the next visit": three to five things to do, built from the account report's data.

Each action is a kind and its figures; the report words it in its own language. In order of
what most needs the visit: the complaints still open, the contact standard overdue, the
level that dropped, what raises the churn risk, the play the matrix asks for, purchases
that fell. When the data asks for fewer than three, the visit asks for the answer of a wave
they did not answer, about their next half year and their needs, and checks that the
contacts on record are still the right people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from feedback.complaints.states import ComplaintState
from feedback.reports.account import AccountReport

__all__ = ["FEWEST", "MOST", "VisitAction", "next_visit_actions"]

FEWEST = 3
MOST = 5
# Complaints and risk reasons named one by one, at most this many of each.
EACH_AT_MOST = 2
# Revenue this far below the 12 months before is worth asking about.
FALL_WORTH_ASKING = -0.2
# The churn bands whose reasons the visit should talk about.
RISKY_BANDS = frozenset({"medium", "high", "critical"})
# What the matrix asks staff to do, per quadrant (DOMAIN.md).
PLAYS = {
    "apostle": "ask_referral",
    "mercenary": "build_loyalty",
    "hostage": "fix_dissatisfaction",
    "saboteur": "resolve_directly",
}


@dataclass(frozen=True)
class VisitAction:
    kind: str
    figures: dict[str, object] = field(default_factory=dict)


def _complaints(report: AccountReport) -> list[VisitAction]:
    still_open = [
        item.complaint
        for item in report.complaints
        if item.complaint.state is not ComplaintState.closed
    ]
    return [
        VisitAction(
            "close_complaint",
            {
                "number": complaint.id,
                "category": complaint.category,
                "since": complaint.received_at.date(),
            },
        )
        for complaint in sorted(still_open, key=lambda c: c.received_at)[:EACH_AT_MOST]
    ]


def _contacts(report: AccountReport) -> list[VisitAction]:
    return [
        VisitAction(
            "overdue_contact",
            {"kind": r.kind, "done": r.done, "count": r.count, "period": r.period},
        )
        for r in report.standard.requirements
        if r.state == "overdue"
    ]


def _level(report: AccountReport) -> list[VisitAction]:
    answered = [wave for wave in report.waves if wave.level is not None]
    answered.sort(key=lambda wave: wave.closes_on)
    if len(answered) < 2 or answered[-1].movement.value != "down":
        return []
    latest, before = answered[-1], answered[-2]
    return [
        VisitAction(
            "level_dropped",
            {"period": latest.period, "level": latest.level, "before": before.level},
        )
    ]


def _risk(report: AccountReport) -> list[VisitAction]:
    if not report.churn.items or report.churn.items[-1].band not in RISKY_BANDS:
        return []
    latest = report.churn.items[-1]
    return [
        VisitAction("risk_reason", {"reason": reason.text, "band": latest.band})
        for reason in latest.reasons[:EACH_AT_MOST]
    ]


def _play(report: AccountReport) -> list[VisitAction]:
    if report.place is None:
        return []
    quadrant = report.place.quadrant.value
    return [VisitAction(PLAYS[quadrant], {"quadrant": quadrant, "period": report.place.period})]


def _purchases(report: AccountReport) -> list[VisitAction]:
    purchases = report.account.purchases
    if purchases.prior_revenue <= 0:
        return []
    change = purchases.trailing_revenue / purchases.prior_revenue - 1
    return (
        [VisitAction("purchases_fell", {"change": change})] if change <= FALL_WORTH_ASKING else []
    )


def _fillers(report: AccountReport) -> list[VisitAction]:
    fillers = []
    silent = [wave for wave in report.waves if wave.level is None and not wave.still_open]
    if silent:
        latest = max(silent, key=lambda wave: wave.closes_on)
        fillers.append(VisitAction("ask_answer", {"period": latest.period}))
    fillers += [VisitAction("ask_plans"), VisitAction("ask_needs"), VisitAction("check_contacts")]
    return fillers


def next_visit_actions(report: AccountReport) -> list[VisitAction]:
    """Between FEWEST and MOST actions, the most pressing first."""
    pressing = [
        *_complaints(report),
        *_contacts(report),
        *_level(report),
        *_risk(report),
        *_play(report),
        *_purchases(report),
    ]
    if len(pressing) < FEWEST:
        pressing += _fillers(report)[: FEWEST - len(pressing)]
    return pressing[:MOST]
