"""Piccolo tables of the complaints domain: the ticket and its history."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from feedback.accounts.tables import Account, Contact, StaffUser
from feedback.complaints.deadlines import Severity, Step
from feedback.complaints.states import (
    Action,
    CancelReason,
    ComplaintState,
    FollowUpOutcome,
    RootCause,
)

__all__ = [
    "Category",
    "Channel",
    "Complaint",
    "ComplaintEvent",
    "ComplaintLink",
    "EventKind",
    "LinkKind",
    "WebSubmission",
]


class Channel(str, Enum):
    survey = "survey"
    phone = "phone"
    email = "email"
    visit = "visit"
    web_form = "web_form"


class Category(str, Enum):
    """What the customer complains about, as raised (the root cause is found later)."""

    product_quality = "product_quality"
    delivery = "delivery"
    billing = "billing"
    staff_conduct = "staff_conduct"
    service = "service"
    other = "other"


class EventKind(str, Enum):
    """What a history row records: the opening, each action, and the non-state events."""

    opened = "opened"
    apologise = Action.apologise.value
    investigate = Action.investigate.value
    resolve = Action.resolve.value
    follow_up_satisfied = Action.follow_up_satisfied.value
    follow_up_unsatisfied = Action.follow_up_unsatisfied.value
    follow_up_unanswered = Action.follow_up_unanswered.value
    cancel = Action.cancel.value
    reopen = Action.reopen.value
    assigned = "assigned"
    note = "note"
    warning = "warning"
    escalation = "escalation"


class Complaint(Table, tablename="complaint"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    contact = ForeignKey(
        Contact, null=True, on_delete=OnDelete.set_null, help_text="Who complained, if known."
    )
    channel = Varchar(length=10, choices=Channel)
    category = Varchar(length=20, choices=Category)
    severity = Varchar(length=10, choices=Severity)
    tier = Varchar(length=1, help_text="The account's tier at receipt; it sets the deadlines.")
    description = Text(help_text="The complaint in the customer's words.")
    survey_response = Integer(
        null=True, default=None, unique=True, help_text="The survey answer that raised it."
    )
    assignee = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null, index=True)
    state = Varchar(
        length=15, choices=ComplaintState, index=True, help_text="Written by apply_action only."
    )
    version = Integer(default=1, help_text="Raised by every change; guards concurrent actions.")
    received_at = Timestamptz()
    state_entered_at = Timestamptz(help_text="When the complaint entered its current state.")
    apologised_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None, help_text="The latest resolution.")
    closed_at = Timestamptz(null=True, default=None, help_text="Closed or cancelled.")
    apology_due_at = Timestamptz()
    resolution_due_at = Timestamptz(help_text="Restarts when a follow-up reopens the complaint.")
    follow_up_due_at = Timestamptz(null=True, default=None)
    next_due_at = Timestamptz(
        null=True, default=None, index=True, help_text="Deadline of the current step."
    )
    next_warn_at = Timestamptz(null=True, default=None, index=True)
    warned_at = Timestamptz(null=True, default=None, help_text="Warning sent for this step.")
    escalated_at = Timestamptz(null=True, default=None, help_text="Escalated for this step.")
    apology_breached = Boolean(default=False)
    resolution_breached = Boolean(default=False)
    follow_up_breached = Boolean(default=False)
    apology_message = Text(default="")
    findings = Text(default="")
    root_cause = Varchar(length=20, null=True, default=None, choices=RootCause)
    resolution = Text(default="")
    follow_up_outcome = Varchar(length=12, null=True, default=None, choices=FollowUpOutcome)
    reopen_count = SmallInt(default=0)
    cancel_reason = Varchar(length=10, null=True, default=None, choices=CancelReason)


class ComplaintEvent(Table, tablename="complaint_event"):
    id = Serial(primary_key=True)
    complaint = ForeignKey(Complaint, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=25, choices=EventKind)
    from_state = Varchar(length=15, null=True, default=None, choices=ComplaintState)
    to_state = Varchar(length=15, choices=ComplaintState)
    version = Integer(help_text="The complaint's version after this event.")
    actor = ForeignKey(
        StaffUser, null=True, on_delete=OnDelete.set_null, help_text="Empty: customer or system."
    )
    content = JSON(default="{}", help_text="What the action carried: message, findings, ...")
    seconds_in_state = Integer(
        null=True, default=None, help_text="Time spent in from_state, for state changes."
    )
    step = Varchar(length=10, null=True, default=None, choices=Step)
    step_due_at = Timestamptz(null=True, default=None, help_text="Deadline of the step finished.")
    late = Boolean(null=True, default=None, help_text="The finished step missed its deadline.")
    created_at = Timestamptz()


class LinkKind(str, Enum):
    follow_up = "follow_up"
    intake = "intake"


class ComplaintLink(Table, tablename="complaint_link"):
    """A customer's personal link: the follow-up question after a resolution, or the web form."""

    id = Serial(primary_key=True)
    kind = Varchar(length=10, choices=LinkKind)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the emailed link token.")
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    contact = ForeignKey(Contact, null=True, on_delete=OnDelete.set_null)
    complaint = ForeignKey(
        Complaint, null=True, on_delete=OnDelete.cascade, index=True, help_text="Follow-up only."
    )
    version = Integer(
        null=True, default=None, help_text="The resolved version a follow-up link answers."
    )
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None, help_text="Follow-up links answer once.")


class WebSubmission(Table, tablename="web_submission"):
    """A complaint sent through the public form without a link: staff name the account."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    email = Varchar(length=254)
    category = Varchar(length=20, choices=Category)
    description = Text()
    language = Varchar(length=5, default="en")
    received_at = Timestamptz(index=True)
    complaint = ForeignKey(
        Complaint, null=True, on_delete=OnDelete.set_null, help_text="Set at triage."
    )
