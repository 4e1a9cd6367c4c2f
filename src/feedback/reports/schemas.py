"""Typed shapes of the reports API (msgspec structs, unknown fields rejected)."""

from __future__ import annotations

import datetime as dt

import msgspec

__all__ = ["DeliveryPage", "DeliveryRow", "ReportMailIn", "ReportMailOut"]


class ReportMailIn(msgspec.Struct, forbid_unknown_fields=True):
    """Whether the reports due to you are mailed to you, and in which language (en or zh)."""

    mailed: bool
    language: str = "en"


class ReportMailOut(msgspec.Struct):
    mailed: bool
    language: str


class DeliveryRow(msgspec.Struct):
    """One report queued to one recipient: its mail's state in the outbox. ``sent_at`` None:
    not delivered yet (``last_error`` says why the last attempt failed, if one did)."""

    id: int
    kind: str
    period: str
    recipient_id: int
    recipient_name: str
    recipient_email: str
    queued_at: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    last_error: str


class DeliveryPage(msgspec.Struct):
    """The newest first; ``next_cursor`` is the ``after`` of the next page (None: the last)."""

    items: list[DeliveryRow]
    next_cursor: int | None
