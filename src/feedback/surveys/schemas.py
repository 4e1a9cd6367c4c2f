"""Typed shapes of the surveys API (msgspec structs, unknown fields rejected)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from feedback.surveys.questionnaire import MAX_COMMENT

__all__ = [
    "MAX_NOTE",
    "FollowUpOut",
    "FollowUpPage",
    "HandledIn",
    "RecordedAnswerOut",
    "StaffAnswerIn",
]

MAX_NOTE = 2000


class StaffAnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    """An answer a customer gave staff by phone or on a visit."""

    account_code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    channel: Literal["phone", "visit"]
    level: Annotated[
        int, msgspec.Meta(ge=0, le=3, description="0 not satisfied to 3 will recommend")
    ]
    aspects: dict[str, Annotated[int, msgspec.Meta(ge=1, le=5)]] = {}
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""
    may_contact: bool = False
    contact_email: Annotated[
        str | None,
        msgspec.Meta(description="Uses up this contact's unanswered invitation of the wave."),
    ] = None


class RecordedAnswerOut(msgspec.Struct):
    response_id: int
    period: str
    account_code: str
    channel: str
    follow_up_id: int | None


class HandledIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NOTE)]


class FollowUpOut(msgspec.Struct):
    """An answer someone must follow up, and what became of it."""

    id: int
    account_code: str
    account_name: str
    contact_email: str | None
    contact_name: str | None
    period: str
    level: int
    comment: str
    may_contact: bool
    channel: str
    recorded_by: str | None
    reason: str
    status: str
    created_at: dt.datetime
    handled_at: dt.datetime | None
    handled_by: str | None
    note: str


class FollowUpPage(msgspec.Struct):
    items: list[FollowUpOut]
    next_cursor: int | None
