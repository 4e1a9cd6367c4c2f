"""The complaint state machine: every (state, action) pair, roles, content, and random walks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from feedback.accounts.roles import Role
from feedback.complaints.deadlines import (
    DEFAULT_POLICY,
    Severity,
    StateChange,
    advance,
    open_clocks,
)
from feedback.complaints.states import (
    Action,
    ComplaintState,
    allowed_actions,
    check_assignment,
    check_note,
    parse_content,
    plan,
)
from feedback.errors import AccessDenied, InvalidInput, InvalidTransition

# Written from DOMAIN.md, independently of the module's table.
EXPECTED: dict[str, dict[str, str]] = {
    "received": {"apologise": "apologised", "cancel": "cancelled"},
    "apologised": {"investigate": "investigating", "cancel": "cancelled"},
    "investigating": {
        "investigate": "investigating",
        "resolve": "resolved",
        "cancel": "cancelled",
    },
    "resolved": {
        "follow_up_satisfied": "closed",
        "follow_up_unsatisfied": "investigating",
        "follow_up_unanswered": "closed",
        "cancel": "cancelled",
    },
    # A customer who comes back after the close: worked again from the investigation.
    "closed": {"reopen": "investigating"},
    "cancelled": {},
}
VALID: dict[str, dict[str, Any]] = {
    "apologise": {"message": "We are sorry."},
    "investigate": {"findings": "Wrong address label.", "root_cause": "delivery"},
    "resolve": {"resolution": "Re-sent with a corrected label."},
    "follow_up_satisfied": {"note": "Happy now."},
    "follow_up_unsatisfied": {"note": "Arrived damaged."},
    "follow_up_unanswered": {"attempts": ["email", "phone"]},
    "cancel": {"reason": "spam", "explanation": "An advert."},
    "reopen": {"reason": "The new parts failed too."},
}
SUPERVISOR_ONLY = {"cancel", "reopen"}
PAIRS = [(state, action) for state in EXPECTED for action in VALID]


def test_the_table_covers_every_state_and_action() -> None:
    assert {s.value for s in ComplaintState} == set(EXPECTED)
    assert {a.value for a in Action} == set(VALID)
    assert len(PAIRS) == 48


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_every_state_and_action_pair(state: str, action: str) -> None:
    role = Role.supervisor
    if action in EXPECTED[state]:
        move = plan(ComplaintState(state), Action(action), role, VALID[action])
        assert (move.from_state, move.to_state) == (state, EXPECTED[state][action])
        return
    with pytest.raises(InvalidTransition) as refused:
        plan(ComplaintState(state), Action(action), role, VALID[action])
    assert refused.value.status_code == 409
    names = ", ".join(EXPECTED[state]) or "none (the complaint is finished)"
    assert refused.value.message == (
        f"cannot {action} a complaint that is {state}; allowed actions: {names}"
    )


@pytest.mark.parametrize("state", list(EXPECTED))
def test_allowed_actions_follow_the_procedure_order(state: str) -> None:
    assert [a.value for a in allowed_actions(ComplaintState(state))] == list(EXPECTED[state])


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in VALID for r in Role])
def test_who_may_do_what(action: str, role: Role) -> None:
    state = next(s for s, moves in EXPECTED.items() if action in moves)
    may = role == Role.supervisor or (role == Role.agent and action not in SUPERVISOR_ONLY)
    if may:
        assert plan(ComplaintState(state), Action(action), role, VALID[action])
    else:
        with pytest.raises(AccessDenied):
            plan(ComplaintState(state), Action(action), role, VALID[action])


def test_the_transition_is_checked_before_the_role() -> None:
    with pytest.raises(InvalidTransition):
        plan(ComplaintState.closed, Action.cancel, Role.account_manager, VALID["cancel"])


@pytest.mark.parametrize(
    ("action", "content", "message"),
    [
        ("apologise", {}, "message is required"),
        ("apologise", {"message": "   "}, "message is required"),
        ("apologise", {"message": 12}, "message must be text"),
        ("apologise", {"message": "x" * 5001}, "5001 characters long; at most 5000"),
        ("apologise", {"message": "sorry", "cc": "boss"}, "does not take cc"),
        ("investigate", {"findings": "x"}, "root_cause must be one of product_quality"),
        ("investigate", {"findings": "x", "root_cause": "weather"}, "got 'weather'"),
        ("investigate", {"root_cause": "billing"}, "findings is required"),
        ("resolve", {"resolution": ""}, "resolution is required"),
        ("reopen", {}, "reason is required"),
        ("follow_up_unsatisfied", {}, "note is required"),
        ("follow_up_unanswered", {"attempts": "email"}, "must be a list"),
        ("follow_up_unanswered", {"attempts": ["email", "pigeon"]}, "unknown follow-up means"),
        ("follow_up_unanswered", {"attempts": ["email"]}, "only after 2 follow-up attempts"),
        ("cancel", {"reason": "boring", "explanation": "x"}, "duplicate, spam"),
        ("cancel", {"reason": "spam"}, "explanation is required"),
    ],
)
def test_bad_content_is_refused_with_a_message(
    action: str, content: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_content(Action(action), content)


def test_content_is_stripped_and_optional_fields_default_to_empty() -> None:
    assert parse_content(Action.apologise, {"message": "  Sorry.\n"}) == {"message": "Sorry."}
    assert parse_content(Action.follow_up_satisfied, {}) == {"note": ""}


def test_assignment_and_note_rules() -> None:
    check_assignment(Role.supervisor, 1, 2)
    check_assignment(Role.supervisor, 1, None)
    check_assignment(Role.agent, 5, 5)
    for role, assignee in ((Role.agent, 6), (Role.agent, None), (Role.admin, 1),
                           (Role.account_manager, 7)):  # fmt: skip
        with pytest.raises(AccessDenied):
            check_assignment(role, 7 if role == Role.account_manager else 5, assignee)
    for role in (Role.agent, Role.supervisor, Role.account_manager):
        check_note(role)
    with pytest.raises(AccessDenied):
        check_note(Role.admin)


START = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
REOPENING = (Action.follow_up_unsatisfied, Action.reopen)


class ComplaintWalk(RuleBasedStateMachine):
    """Random actions by random roles at random times: never an illegal state or history."""

    def __init__(self) -> None:
        super().__init__()
        self.state = ComplaintState.received
        self.now = START
        self.clocks = open_clocks(START, Severity.major, "B", DEFAULT_POLICY)
        self.history: list[tuple[str, str, str]] = []
        self.reopens = 0
        self.breaches_seen: set[str] = set()

    @rule(
        action=st.sampled_from(list(Action)),
        role=st.sampled_from(list(Role)),
        hours=st.integers(0, 200),
    )
    def act(self, action: Action, role: Role, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)
        before = self.state
        try:
            move = plan(self.state, action, role, VALID[action.value])
        except InvalidTransition as refused:
            allowed = refused.allowed
            assert action.value not in EXPECTED[before.value]
            assert allowed == tuple(EXPECTED[before.value])
            return
        except AccessDenied:
            assert action.value in EXPECTED[before.value]
            assert role not in (Role.supervisor, Role.agent) or action.value in SUPERVISOR_ONLY
            return
        assert EXPECTED[before.value][action.value] == move.to_state.value
        change = StateChange(before, move.to_state, self.now)
        self.clocks, completion = advance(self.clocks, change, Severity.major, "B", DEFAULT_POLICY)
        if completion is not None:
            assert completion.late == (self.now > completion.due_at)
        self.state = move.to_state
        self.history.append((before.value, action.value, move.to_state.value))
        self.reopens += action in REOPENING

    @invariant()
    def history_matches_the_state(self) -> None:
        assert self.state.value in EXPECTED
        chain = [ComplaintState.received.value] + [to for _, _, to in self.history]
        assert [start for start, _, _ in self.history] == chain[:-1]
        assert chain[-1] == self.state.value
        for start, action, to in self.history:
            assert EXPECTED[start][action] == to
        assert self.reopens == sum(Action(a) in REOPENING for _, a, _ in self.history)

    @invariant()
    def deadlines_follow_the_state(self) -> None:
        finished = self.state in (ComplaintState.closed, ComplaintState.cancelled)
        assert (self.clocks.next_due_at is None) == finished
        assert (self.clocks.next_warn_at is None) == finished
        if not finished:
            assert self.clocks.next_warn_at is not None
            assert self.clocks.next_due_at is not None
            assert self.clocks.received_at <= self.clocks.next_warn_at < self.clocks.next_due_at
        flags = {
            step
            for step in ("apology", "resolution", "follow_up")
            if getattr(self.clocks, f"{step}_breached")
        }
        assert self.breaches_seen <= flags, "a breach is never forgotten"
        self.breaches_seen = flags


ComplaintWalk.TestCase.settings = settings(max_examples=200, stateful_step_count=30)
test_random_walks_never_reach_an_illegal_state = ComplaintWalk.TestCase


@pytest.mark.parametrize("action", list(VALID))
def test_the_customer_may_only_answer_the_follow_up(action: str) -> None:
    """No role is the customer answering their follow-up link."""
    if Action(action) in {Action.follow_up_satisfied, Action.follow_up_unsatisfied}:
        move = plan(ComplaintState.resolved, Action(action), None, VALID[action])
        assert move.to_state in (ComplaintState.closed, ComplaintState.investigating)
        return
    state = next(ComplaintState(s) for s, moves in EXPECTED.items() if action in moves)
    with pytest.raises(AccessDenied, match="a customer may not"):
        plan(state, Action(action), None, VALID[action])
