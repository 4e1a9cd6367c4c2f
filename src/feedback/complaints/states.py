"""The complaint state machine: one transition table, who may act, and what each action carries."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from feedback.accounts.roles import Role
from feedback.errors import AccessDenied, InvalidInput, InvalidTransition

__all__ = [
    "ACTION_ROLES",
    "CUSTOMER_ACTIONS",
    "FOLLOW_UP_MEANS",
    "MAX_TEXT",
    "NOTE_ROLES",
    "OPEN_STATES",
    "TRANSITIONS",
    "WORKERS",
    "Action",
    "CancelReason",
    "ComplaintState",
    "FollowUpOutcome",
    "Move",
    "RootCause",
    "allowed_actions",
    "check_assignment",
    "check_note",
    "check_role",
    "parse_content",
    "plan",
    "read_choice",
    "read_text",
]

MAX_TEXT = 5_000
E = TypeVar("E", bound=Enum)


class ComplaintState(str, Enum):
    received = "received"
    apologised = "apologised"
    investigating = "investigating"
    resolved = "resolved"
    closed = "closed"
    cancelled = "cancelled"


class Action(str, Enum):
    apologise = "apologise"
    investigate = "investigate"
    resolve = "resolve"
    follow_up_satisfied = "follow_up_satisfied"
    follow_up_unsatisfied = "follow_up_unsatisfied"
    follow_up_unanswered = "follow_up_unanswered"
    cancel = "cancel"
    reopen = "reopen"


class RootCause(str, Enum):
    """DOMAIN.md's root-cause categories, also used by churn reports."""

    product_quality = "product_quality"
    delivery = "delivery"
    billing = "billing"
    staff_conduct = "staff_conduct"
    competitor_offer = "competitor_offer"
    customer_business = "customer_business"
    other = "other"


class FollowUpOutcome(str, Enum):
    satisfied = "satisfied"
    unsatisfied = "unsatisfied"
    unanswered = "unanswered"


class CancelReason(str, Enum):
    duplicate = "duplicate"
    spam = "spam"


S, A = ComplaintState, Action
# The only description of which action moves a complaint from which state to which.
TRANSITIONS: Mapping[tuple[ComplaintState, Action], ComplaintState] = MappingProxyType(
    {
        (S.received, A.apologise): S.apologised,
        (S.apologised, A.investigate): S.investigating,
        # Findings may be revised, e.g. after a reopen, before resolving again.
        (S.investigating, A.investigate): S.investigating,
        (S.investigating, A.resolve): S.resolved,
        (S.resolved, A.follow_up_satisfied): S.closed,
        (S.resolved, A.follow_up_unsatisfied): S.investigating,
        (S.resolved, A.follow_up_unanswered): S.closed,
        **{
            (state, A.cancel): S.cancelled
            for state in (S.received, S.apologised, S.investigating, S.resolved)
        },
        # The customer came back after the close: the apology stands, so the complaint is
        # investigated again, as when a follow-up finds the customer not satisfied.
        (S.closed, A.reopen): S.investigating,
    }
)
OPEN_STATES = frozenset({S.received, S.apologised, S.investigating, S.resolved})

WORKERS = frozenset({Role.agent, Role.supervisor})
ACTION_ROLES: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        A.apologise: WORKERS,
        A.investigate: WORKERS,
        A.resolve: WORKERS,
        A.follow_up_satisfied: WORKERS,
        A.follow_up_unsatisfied: WORKERS,
        A.follow_up_unanswered: WORKERS,
        A.cancel: frozenset({Role.supervisor}),
        A.reopen: frozenset({Role.supervisor}),
    }
)
# The customer answers the follow-up question through their link: no staff member acts, so
# the move has no role and its history row no actor.
CUSTOMER_ACTIONS = frozenset({A.follow_up_satisfied, A.follow_up_unsatisfied})
NOTE_ROLES = frozenset({Role.agent, Role.supervisor, Role.account_manager})
# The follow-up tries several means before a complaint is closed with the outcome unknown.
MIN_FOLLOW_UP_ATTEMPTS = 2
FOLLOW_UP_MEANS = frozenset({"email", "phone", "visit", "letter", "message"})


def allowed_actions(state: ComplaintState) -> tuple[Action, ...]:
    """The actions the table allows in ``state``, in the order of the procedure."""
    return tuple(action for action in Action if (state, action) in TRANSITIONS)


def check_role(role: Role | None, action: Action) -> None:
    """``None`` is the customer answering the follow-up link, who may only answer it."""
    if role is None:
        if action not in CUSTOMER_ACTIONS:
            raise AccessDenied(f"a customer may not {action.value}")
        return
    if role not in ACTION_ROLES[action]:
        allowed = ", ".join(sorted(r.value for r in ACTION_ROLES[action]))
        raise AccessDenied(f"a {role.label} may not {action.value}; only: {allowed}")


def check_assignment(role: Role, actor_id: int, assignee_id: int | None) -> None:
    """Supervisors assign anyone (or nobody); an agent may only take a complaint on."""
    if role == Role.supervisor or (role == Role.agent and assignee_id == actor_id):
        return
    raise AccessDenied("only a supervisor assigns complaints; an agent may take one on")


def check_note(role: Role) -> None:
    if role not in NOTE_ROLES:
        raise AccessDenied(f"a {role.label} may not add notes to complaints")


def read_text(raw: Mapping[str, Any], key: str, required: bool = True) -> str:
    """Stripped text under ``key``; required unless told, and at most MAX_TEXT characters."""
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{key} is required")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{key} is {len(value)} characters long; at most {MAX_TEXT} are kept")
    return value


def read_choice(kind: type[E], value: object, name: str) -> E:
    """The member of ``kind`` named by ``value``, or InvalidInput listing the choices."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(member.value) for member in kind)
        raise InvalidInput(f"{name} must be one of {choices}, got {value!r}") from None


def _attempts(raw: Mapping[str, Any]) -> list[str]:
    value = raw.get("attempts")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput("attempts must be a list of the means tried (email, phone, ...)")
    unknown = sorted(set(value) - FOLLOW_UP_MEANS)
    if unknown:
        raise InvalidInput(f"unknown follow-up means {', '.join(unknown)}")
    if len(value) < MIN_FOLLOW_UP_ATTEMPTS:
        raise InvalidInput(
            f"close without an answer only after {MIN_FOLLOW_UP_ATTEMPTS} follow-up attempts"
        )
    return value


def parse_content(action: Action, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The checked content an action carries; unknown keys are refused, text is stripped."""
    table: dict[Action, dict[str, Callable[[], Any]]] = {
        A.apologise: {"message": lambda: read_text(raw, "message")},
        A.investigate: {
            "findings": lambda: read_text(raw, "findings"),
            "root_cause": lambda: read_choice(RootCause, raw.get("root_cause"), "root_cause").value,
        },
        A.resolve: {"resolution": lambda: read_text(raw, "resolution")},
        A.follow_up_satisfied: {"note": lambda: read_text(raw, "note", required=False)},
        A.follow_up_unsatisfied: {"note": lambda: read_text(raw, "note")},
        A.follow_up_unanswered: {
            "attempts": lambda: _attempts(raw),
            "note": lambda: read_text(raw, "note", required=False),
        },
        A.cancel: {
            "reason": lambda: read_choice(CancelReason, raw.get("reason"), "reason").value,
            "explanation": lambda: read_text(raw, "explanation"),
        },
        A.reopen: {"reason": lambda: read_text(raw, "reason")},
    }
    readers = table[action]
    unknown = sorted(set(raw) - set(readers))
    if unknown:
        raise InvalidInput(f"{action.value} does not take {', '.join(unknown)}")
    return {key: read() for key, read in readers.items()}


@dataclass(frozen=True)
class Move:
    """One checked move of the machine, ready to be written."""

    action: Action
    from_state: ComplaintState
    to_state: ComplaintState
    content: dict[str, Any]


def plan(state: ComplaintState, action: Action, role: Role | None, raw: Mapping[str, Any]) -> Move:
    """Check the move against the table, the actor's role and the content, in that order."""
    to_state = TRANSITIONS.get((state, action))
    if to_state is None:
        raise InvalidTransition(
            state.value, action.value, [a.value for a in allowed_actions(state)]
        )
    check_role(role, action)
    return Move(action, state, to_state, parse_content(action, raw))
