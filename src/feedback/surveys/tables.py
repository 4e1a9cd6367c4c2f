"""Piccolo tables of the surveys domain."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
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
from feedback.surveys.follow_ups import FollowUpReason, FollowUpStatus

__all__ = [
    "Channel",
    "FollowUp",
    "Invitation",
    "Questionnaire",
    "ReminderLink",
    "Response",
    "Wave",
    "WaveStatus",
]


class WaveStatus(str, Enum):
    planned = "planned"
    open = "open"
    closed = "closed"


class Channel(str, Enum):
    web = "web"
    phone = "phone"
    visit = "visit"


class Questionnaire(Table, tablename="questionnaire"):
    id = Serial(primary_key=True)
    version = Integer(unique=True, help_text="Editing makes a new version; old ones never change.")
    items = JSON(help_text="Ordered items; the three-level item is always first.")
    created_at = Timestamptz()


class Wave(Table, tablename="wave"):
    id = Serial(primary_key=True)
    period = Varchar(length=7, unique=True, help_text="The half year, e.g. 2026-H2.")
    opens_on = Date()
    closes_on = Date(help_text="Links expire at the end of this day (UTC).")
    status = Varchar(length=10, choices=WaveStatus, default=WaveStatus.planned)
    questionnaire = ForeignKey(Questionnaire, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    issued_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class Invitation(Table, tablename="invitation"):
    id = Serial(primary_key=True)
    wave = ForeignKey(Wave, on_delete=OnDelete.cascade)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    contact = ForeignKey(Contact, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the emailed link token.")
    created_at = Timestamptz()
    expires_at = Timestamptz(help_text="The end of the wave's closing day, or its closing.")
    sent_at = Timestamptz(null=True, default=None, help_text="When the invitation was queued.")
    reminders_sent = SmallInt(default=0)
    last_reminded_at = Timestamptz(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None, help_text="Set once; the link is used.")


class ReminderLink(Table, tablename="reminder_link"):
    id = Serial(primary_key=True)
    invitation = ForeignKey(Invitation, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the reminder's token.")
    created_at = Timestamptz()


class Response(Table, tablename="response"):
    id = Serial(primary_key=True)
    invitation = ForeignKey(
        Invitation,
        null=True,
        unique=True,
        on_delete=OnDelete.cascade,
        help_text="Empty for interviews recorded by staff without an invitation.",
    )
    wave = ForeignKey(Wave, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    questionnaire_version = Integer(help_text="The version that was answered.")
    level = SmallInt(help_text="0 not satisfied, 1 satisfied, 2 will buy again, 3 will recommend.")
    quality = SmallInt(null=True, default=None, help_text="1 to 5.")
    delivery = SmallInt(null=True, default=None, help_text="1 to 5.")
    service_attitude = SmallInt(null=True, default=None, help_text="1 to 5.")
    value = SmallInt(null=True, default=None, help_text="1 to 5.")
    comment = Text(default="")
    may_contact = Boolean(default=False)
    channel = Varchar(length=5, choices=Channel, default=Channel.web)
    recorded_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class FollowUp(Table, tablename="follow_up"):
    """An answer someone must follow up; written in the answer's own transaction."""

    id = Serial(primary_key=True)
    response = ForeignKey(Response, unique=True, on_delete=OnDelete.cascade)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    reason = Varchar(length=20, choices=FollowUpReason)
    status = Varchar(
        length=10,
        choices=FollowUpStatus,
        default=FollowUpStatus.open,
        index=True,
        help_text="Only the follow-up list's own services change it.",
    )
    created_at = Timestamptz()
    handled_at = Timestamptz(null=True, default=None)
    handled_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    note = Text(default="", help_text="What was done, written by whoever handled it.")
