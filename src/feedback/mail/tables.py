"""Piccolo tables of the mail outbox."""

from __future__ import annotations

from piccolo.columns import Bytea, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["OutboxAttachment", "OutboxMessage"]


class OutboxMessage(Table, tablename="outbox_message"):
    id = Serial(primary_key=True)
    dedupe_key = Varchar(
        length=200, unique=True, help_text="Names the event that caused the mail; queued once."
    )
    to = Varchar(length=254)
    subject = Varchar(length=300)
    text_body = Text()
    html_body = Text(default="")
    created_at = Timestamptz()
    due_at = Timestamptz(help_text="Not sent before; moved on by each failed attempt.")
    attempts = Integer(default=0)
    last_error = Text(default="")
    claimed_by = Varchar(length=32, default="", help_text="The deliverer holding the message.")
    claimed_until = Timestamptz(null=True, default=None, help_text="The claim lapses after this.")
    sent_at = Timestamptz(null=True, default=None)


class OutboxAttachment(Table, tablename="outbox_attachment"):
    """A file sent with a message (a report's PDF); removed once the message is delivered."""

    id = Serial(primary_key=True)
    message = ForeignKey(OutboxMessage, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100, help_text="maintype/subtype, e.g. application/pdf.")
    content = Bytea()
