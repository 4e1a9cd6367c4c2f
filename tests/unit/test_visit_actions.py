""" "For the next visit": between three and five actions, the most pressing first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from feedback.accounts.display_names import DisplayNames
from feedback.accounts.schemas import (
    AccountDetail,
    ContactStandardOut,
    PurchaseSummary,
    RequirementOut,
)
from feedback.reports.account import AccountReport
from feedback.reports.visit_actions import FEWEST, MOST, next_visit_actions
from feedback.scoring.schemas import ScoreHistory, ScorePoint, ScoreReason
from feedback.surveys.history import WaveLevel
from feedback.surveys.levels import Movement
from feedback.surveys.quadrant import Quadrant
from feedback.surveys.results import MatrixPlace

DAY = dt.date(2026, 11, 26)
PURCHASES = PurchaseSummary(0, 0.0, None, None, 0.0, 0, 0.0, 0, [])
NO_STANDARD = ContactStandardOut("none", None, None, [])


def _report(**changes: object) -> AccountReport:
    account = AccountDetail(
        id=1, code="K1", name="K1", industry="", region="", tier="D", status="active",
        opened_on=None, closed_on=None, closed_reason="", manager=None, manager_email=None,
        attributes={}, contacts=[], purchases=PURCHASES,
    )  # fmt: skip
    report = AccountReport(
        language="en", prepared_on=DAY, prepared_for="", account=account, waves=[],
        place=None, comments=[], complaints_since=DAY, complaints=[],
        churn=ScoreHistory("K1", []), standard=NO_STANDARD, contacts=[],
        names=DisplayNames("en"),
    )  # fmt: skip
    return dataclasses.replace(report, **changes)  # type: ignore[arg-type]


def _wave(period: str, level: int | None, movement: Movement, closes: int) -> WaveLevel:
    return WaveLevel(period, DAY - dt.timedelta(days=closes), False, level, movement)


def test_an_account_with_nothing_pressing_gets_the_questions_of_any_visit() -> None:
    silent = [_wave("2026-H1", None, Movement.silent, 150)]
    kinds = [action.kind for action in next_visit_actions(_report(waves=silent))]
    assert kinds == ["ask_answer", "ask_plans", "ask_needs"]
    kinds = [action.kind for action in next_visit_actions(_report())]
    assert kinds == ["ask_plans", "ask_needs", "check_contacts"]


def test_a_drop_the_matrix_and_falling_purchases_each_ask_for_something() -> None:
    waves = [_wave("2025-H2", 3, Movement.new, 330), _wave("2026-H1", 1, Movement.down, 150)]
    falling = msgspec.structs.replace(PURCHASES, trailing_revenue=50.0, prior_revenue=100.0)
    account = msgspec.structs.replace(_report().account, purchases=falling)
    report = _report(
        waves=waves, account=account, place=MatrixPlace("2026-H1", 1, Quadrant.mercenary)
    )
    actions = next_visit_actions(report)
    assert [a.kind for a in actions] == ["level_dropped", "build_loyalty", "purchases_fell"]
    assert actions[0].figures == {"period": "2026-H1", "level": 1, "before": 3}
    assert actions[2].figures == {"change": -0.5}


reasons = st.lists(
    st.builds(
        ScoreReason,
        st.just("recency"),
        st.floats(0, 1),
        st.text(),
        st.just("never_bought"),
        st.just({}),
    ),
    max_size=4,
)
requirements = st.lists(
    st.builds(
        RequirementOut,
        st.sampled_from(["visit", "call"]),
        st.integers(1, 3),
        st.sampled_from(["month", "quarter"]),
        st.just(DAY),
        st.just(DAY),
        st.integers(0, 3),
        st.none(),
        st.sampled_from(["met", "due", "overdue"]),
    ),
    max_size=3,
)


@given(reasons, requirements, st.sampled_from(["low", "medium", "high", "critical"]))
def test_there_are_always_three_to_five_and_overdue_contacts_come_before_risk(
    given_reasons: list[ScoreReason], given_requirements: list[RequirementOut], band: str
) -> None:
    churn = ScoreHistory("K1", [ScorePoint(DAY, 0.5, band, 1, given_reasons)])
    standard = ContactStandardOut("due", None, None, given_requirements)
    actions = next_visit_actions(_report(churn=churn, standard=standard))
    assert FEWEST <= len(actions) <= MOST
    kinds = [action.kind for action in actions]
    overdue = sum(r.state == "overdue" for r in given_requirements)
    assert kinds[: min(overdue, MOST)] == ["overdue_contact"] * min(overdue, MOST)
    if band == "low":
        assert "risk_reason" not in kinds
