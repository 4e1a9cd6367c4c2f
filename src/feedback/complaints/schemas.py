"""Typed shapes of the complaints API (msgspec structs, unknown fields rejected)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from feedback.accounts.schemas import TierName
from feedback.complaints.deadlines import Severity
from feedback.complaints.states import ComplaintState
from feedback.web.schema_values import one_of

__all__ = [
    "ActionIn",
    "AssignIn",
    "ComplaintIn",
    "ComplaintOut",
    "ComplaintRecord",
    "EventOut",
    "FormLinkIn",
    "FormLinkOut",
    "NoteIn",
    "QueueFilters",
    "QueuePage",
    "QueueRow",
    "RefusedMove",
    "SeverityName",
    "StateName",
]

# A complaint state and a severity as the API writes them.
StateName = Annotated[str, one_of(ComplaintState)]
SeverityName = Annotated[str, one_of(Severity)]


class QueueFilters(msgspec.Struct, forbid_unknown_fields=True):
    """The queue's view and filters; empty strings mean "any"."""

    view: str = "team"
    state: str = ""
    severity: str = ""
    category: str = ""
    tier: str = ""
    account: str = ""
    q: str = ""
    assignee_id: int | None = None
    after: int | None = None
    limit: int = 50


class QueueRow(msgspec.Struct):
    id: int
    account_code: str
    account_name: str
    category: str
    severity: SeverityName
    tier: TierName
    state: StateName
    assignee_id: int | None
    assignee: str | None
    received_at: dt.datetime
    next_due_at: dt.datetime | None
    urgency: str
    time_left: str
    escalated_at: dt.datetime | None


class QueuePage(msgspec.Struct):
    items: list[QueueRow]
    next_cursor: int | None


class ComplaintIn(msgspec.Struct, forbid_unknown_fields=True):
    """A complaint staff record from a call, an email or a visit."""

    account_code: str
    channel: str
    category: str
    severity: SeverityName
    description: str
    contact_id: int | None = None


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    """One action on a complaint, guarded by the state and version the actor saw."""

    action: str
    expected_state: StateName
    expected_version: int
    content: dict[str, Any] = msgspec.field(default_factory=dict)


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    assignee_id: int | None
    expected_version: int


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str


class FormLinkIn(msgspec.Struct, forbid_unknown_fields=True):
    """A link to the public complaint form that names the account (and the contact)."""

    account_code: str
    contact_id: int | None = None


class FormLinkOut(msgspec.Struct):
    link: str
    expires_at: dt.datetime


class ComplaintRecord(msgspec.Struct, frozen=True):
    """What a complaint records of itself: how it came, what it is about, and each step's words.

    The services' view of a complaint and the API's ``ComplaintOut`` both begin with it.
    """

    id: int
    contact_id: int | None
    channel: str
    category: str
    severity: SeverityName
    tier: TierName
    description: str
    assignee_id: int | None
    version: int
    received_at: dt.datetime
    escalated_at: dt.datetime | None
    apology_message: str
    findings: str
    root_cause: str | None
    resolution: str
    follow_up_outcome: str | None
    reopen_count: int


class ComplaintOut(ComplaintRecord, frozen=True):
    """A complaint with its account, its deadlines and time left, and the actions its state
    allows."""

    account_code: str
    account_name: str
    state: StateName
    apology_due_at: dt.datetime
    resolution_due_at: dt.datetime
    follow_up_due_at: dt.datetime | None
    next_due_at: dt.datetime | None
    urgency: str
    time_left: str
    breached_steps: list[str]
    allowed_actions: list[str]


class EventOut(msgspec.Struct):
    kind: str
    from_state: str | None
    to_state: StateName
    version: int
    actor_id: int | None
    actor: str | None
    content: dict[str, Any]
    step: str | None
    step_due_at: dt.datetime | None
    late: bool | None
    created_at: dt.datetime


class RefusedMove(msgspec.Struct):
    """The 409 body of a refused change: ``allowed_actions`` lists what the complaint's state
    allows when the state is what refused the action; a stale version leaves it out."""

    status_code: int
    detail: str
    allowed_actions: list[str] = msgspec.field(default_factory=list)
