"""Complaint use cases: open one, apply an action, assign, add notes; the only writer of state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from feedback.accounts import staff
from feedback.accounts.directory import ContactDetails, account_dimensions, contact_details
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.complaints import customer_links
from feedback.complaints.deadlines import (
    Clocks,
    Severity,
    SlaPolicy,
    StateChange,
    advance,
    open_clocks,
)
from feedback.complaints.messages import ComplaintMail, CustomerNotice, complaint_mail
from feedback.complaints.records import (
    CLOCK_COLUMNS,
    ComplaintView,
    HistoryEntry,
    NewEvent,
    check_expected,
    clocks_of,
    get_complaint,
    guarded_update,
    history,
    load_row,
    write_event,
)
from feedback.complaints.states import (
    OPEN_STATES,
    Action,
    ComplaintState,
    FollowUpOutcome,
    Move,
    check_assignment,
    check_note,
    plan,
    read_choice,
    read_text,
)
from feedback.complaints.tables import Category, Channel, Complaint, EventKind
from feedback.db import transaction
from feedback.errors import Conflict, InvalidInput, NotFound
from feedback.mail.services import Mail, MailContext, post

__all__ = [
    "ActionRequest",
    "Category",
    "Channel",
    "ComplaintView",
    "HistoryEntry",
    "NewComplaint",
    "accounts_with_open_complaints",
    "add_note",
    "apply_action",
    "assign",
    "get_complaint",
    "history",
    "open_complaint",
]

ASSIGNABLE_ROLES = frozenset({Role.agent, Role.supervisor})


@dataclass(frozen=True)
class NewComplaint:
    """A complaint as it is raised, from whatever channel."""

    account_id: int
    channel: Channel
    category: Category
    severity: Severity
    description: str
    contact_id: int | None = None
    survey_response_id: int | None = None


@dataclass(frozen=True)
class ActionRequest:
    """An action asked of a complaint, guarded by the state and version the actor saw."""

    complaint_id: int
    action: Action | str
    content: Mapping[str, Any]
    expected_state: ComplaintState | str
    expected_version: int


async def _contact(account_id: int, contact_id: int | None) -> ContactDetails | None:
    if contact_id is None:
        return None
    contact = (await contact_details([contact_id])).get(contact_id)
    if contact is None or contact.account_id != account_id:
        raise InvalidInput(f"contact {contact_id} is not a contact of account {account_id}")
    return contact


def _mail_to(
    contact: ContactDetails | None, notice: CustomerNotice, context: MailContext
) -> list[Mail]:
    if contact is None or not contact.email:
        return []
    return [complaint_mail(notice, contact, context)]


@dataclass(frozen=True)
class Revision:
    """A complaint as a move leaves it: its new version and deadlines."""

    complaint_id: int
    version: int
    clocks: Clocks


def _checked(new: NewComplaint) -> NewComplaint:
    """The complaint with its choices and description read, or InvalidInput naming the bad one."""
    return replace(
        new,
        channel=read_choice(Channel, new.channel, "channel"),
        category=read_choice(Category, new.category, "category"),
        severity=read_choice(Severity, new.severity, "severity"),
        description=read_text({"description": new.description}, "description"),
    )


async def _insert(new: NewComplaint, tier: str, clocks: Clocks, now: dt.datetime) -> int:
    """Insert the received complaint and return its id; a survey answer raises only one."""
    rows = await Complaint.insert(
        Complaint(
            account=new.account_id,
            contact=new.contact_id,
            channel=new.channel,
            category=new.category,
            severity=new.severity,
            tier=tier,
            description=new.description,
            survey_response=new.survey_response_id,
            state=ComplaintState.received,
            version=1,
            received_at=now,
            state_entered_at=now,
            **{name: getattr(clocks, name) for name in CLOCK_COLUMNS},
        )
    ).on_conflict(target=Complaint.survey_response, action="DO NOTHING")
    if not rows:  # only a survey answer can conflict: it raises one complaint, even in a race
        raise Conflict(f"survey answer {new.survey_response_id} already raised a complaint")
    return int(rows[0]["id"])


async def open_complaint(
    new: NewComplaint,
    actor: StaffMember | None,
    now: dt.datetime,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> ComplaintView:
    """Record a complaint as received, with its deadlines, history and acknowledgement mail."""
    new = _checked(new)
    account = (await account_dimensions([new.account_id])).get(new.account_id)
    if account is None:
        raise NotFound(f"no account {new.account_id}")
    contact = await _contact(new.account_id, new.contact_id)
    clocks = open_clocks(now, new.severity, account.tier, policy)
    async with transaction():
        complaint_id = await _insert(new, account.tier, clocks, now)
        opened = NewEvent(
            complaint_id, EventKind.opened, None, ComplaintState.received, 1,
            {"channel": new.channel.value},
        )  # fmt: skip
        await write_event(opened, actor, now)
        acknowledgement = CustomerNotice(
            ComplaintMail.acknowledgement, complaint_id, 1, due_at=clocks.apology_due_at
        )
        await post(_mail_to(contact, acknowledgement, context), context, now)
    return await get_complaint(complaint_id)


def _content_columns(move: Move, row: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    content = move.content
    closing = {"closed_at": now}
    by_action: dict[Action, dict[str, Any]] = {
        Action.apologise: {"apologised_at": now, "apology_message": content.get("message")},
        Action.investigate: {
            "findings": content.get("findings"),
            "root_cause": content.get("root_cause"),
        },
        Action.resolve: {"resolved_at": now, "resolution": content.get("resolution")},
        Action.follow_up_satisfied: {"follow_up_outcome": FollowUpOutcome.satisfied, **closing},
        Action.follow_up_unanswered: {"follow_up_outcome": FollowUpOutcome.unanswered, **closing},
        Action.follow_up_unsatisfied: {
            "follow_up_outcome": FollowUpOutcome.unsatisfied,
            "reopen_count": row["reopen_count"] + 1,
            "resolved_at": None,
        },
        Action.cancel: {"cancel_reason": content.get("reason"), **closing},
        Action.reopen: {
            "follow_up_outcome": None,
            "reopen_count": row["reopen_count"] + 1,
            "resolved_at": None,
            "closed_at": None,
        },
    }
    return by_action[move.action]


def _changes(
    move: Move, row: Mapping[str, Any], clocks: Clocks, version: int, now: dt.datetime
) -> dict[str, Any]:
    """The columns a move writes: state, version, the action's content and the clocks."""
    values = {
        "state": move.to_state,
        "version": version,
        **_content_columns(move, row, now),
        **{name: getattr(clocks, name) for name in CLOCK_COLUMNS},
    }
    if move.from_state != move.to_state:
        values["state_entered_at"] = now
    if clocks.next_due_at != row["next_due_at"]:
        # A new step (or a new deadline) deserves its own warning and escalation.
        values.update(warned_at=None, escalated_at=None)
    return values


# The mail each action sends the customer, and the content it quotes.
MAIL_OF_ACTION: dict[Action, tuple[ComplaintMail, str | None]] = {
    Action.apologise: (ComplaintMail.apology, "message"),
    Action.resolve: (ComplaintMail.resolution, "resolution"),
    Action.follow_up_unsatisfied: (ComplaintMail.reopened, None),
    Action.reopen: (ComplaintMail.reopened, None),
}


async def _queue_action_mail(
    move: Move,
    contact: ContactDetails | None,
    revision: Revision,
    now: dt.datetime,
    context: MailContext,
) -> None:
    """The customer's mail about a move; a resolution carries their single-use follow-up link."""
    if move.action not in MAIL_OF_ACTION or contact is None or not contact.email:
        return
    kind, quoted = MAIL_OF_ACTION[move.action]
    text = move.content[quoted] if quoted else ""
    clocks = revision.clocks
    link = ""
    if move.action == Action.resolve:
        assert clocks.follow_up_due_at is not None  # a resolution always starts the follow-up
        target = customer_links.LinkTarget(
            contact.account_id, contact.contact_id, revision.complaint_id, revision.version
        )
        token = await customer_links.issue_follow_up(target, now, clocks.follow_up_due_at)
        link = customer_links.follow_up_url(context.base_url, token)
    notice = CustomerNotice(
        kind, revision.complaint_id, revision.version, text, clocks.next_due_at, link
    )
    await post(_mail_to(contact, notice, context), context, now)


async def apply_action(
    request: ActionRequest,
    actor: StaffMember | None,
    now: dt.datetime,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> ComplaintView:
    """Apply one action: state, deadlines, history row and customer mail commit together.

    ``actor`` None is the customer answering their follow-up link (see followup.py).
    """
    complaint_id, expected_version = request.complaint_id, request.expected_version
    row = await load_row(complaint_id)
    move = plan(
        read_choice(ComplaintState, request.expected_state, "expected state"),
        read_choice(Action, request.action, "action"),
        actor.role if actor else None,
        request.content,
    )
    check_expected(row, move.from_state, expected_version)
    contact = await _contact(row["account"], row["contact"])
    change = StateChange(move.from_state, move.to_state, now)
    clocks, completion = advance(clocks_of(row), change, row["severity"], row["tier"], policy)
    version = expected_version + 1
    values = _changes(move, row, clocks, version, now)
    changes_state = move.from_state != move.to_state
    seconds = int((now - row["state_entered_at"]).total_seconds()) if changes_state else None
    async with transaction():
        await guarded_update(complaint_id, move.from_state, expected_version, values)
        step = NewEvent(
            complaint_id, EventKind(move.action.value), move.from_state, move.to_state, version,
            move.content, seconds, completion,
        )  # fmt: skip
        await write_event(step, actor, now)
        revision = Revision(complaint_id, version, clocks)
        await _queue_action_mail(move, contact, revision, now, context)
    return await get_complaint(complaint_id)


async def assign(
    complaint_id: int,
    assignee_id: int | None,
    actor: StaffMember,
    expected_version: int,
    now: dt.datetime,
) -> ComplaintView:
    """Give an open complaint to an agent or supervisor (or to nobody); kept in the history."""
    check_assignment(actor.role, actor.id, assignee_id)
    row = await load_row(complaint_id)
    state = ComplaintState(row["state"])
    if state not in OPEN_STATES:
        raise Conflict(f"complaint {complaint_id} is {state.value}; it cannot be assigned")
    check_expected(row, state, expected_version)
    if assignee_id is not None:
        assignee = await staff.find_member(assignee_id)
        if assignee.role not in ASSIGNABLE_ROLES:
            raise InvalidInput(f"{assignee.email} is a {assignee.role.label}; assign an agent")
    async with transaction():
        await guarded_update(
            complaint_id,
            state,
            expected_version,
            {"assignee": assignee_id, "version": expected_version + 1},
        )
        assigned = NewEvent(
            complaint_id, EventKind.assigned, state, state, expected_version + 1,
            {"assignee": assignee_id, "previous": row["assignee"]},
        )  # fmt: skip
        await write_event(assigned, actor, now)
    return await get_complaint(complaint_id)


async def add_note(complaint_id: int, text: str, actor: StaffMember, now: dt.datetime) -> None:
    """An internal note in the history; it changes nothing else, so it races with nothing."""
    check_note(actor.role)
    note = read_text({"text": text}, "text")
    row = await load_row(complaint_id)
    state = ComplaintState(row["state"])
    async with transaction():
        noted = NewEvent(complaint_id, EventKind.note, state, state, row["version"], {"text": note})
        await write_event(noted, actor, now)


async def accounts_with_open_complaints() -> set[int]:
    """Accounts with a complaint not yet closed or cancelled: surveys leave them alone."""
    rows = await (
        Complaint.select(Complaint.account)
        .where(Complaint.state.is_in([state.value for state in OPEN_STATES]))
        .distinct()
    )
    return {int(row["account"]) for row in rows}
