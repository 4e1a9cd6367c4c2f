"""Closing the loop: which answers someone must follow up, and where a follow-up stands."""

from __future__ import annotations

from enum import Enum

from feedback.surveys.levels import Level
from feedback.surveys.questionnaire import Answer

__all__ = ["FollowUpReason", "FollowUpStatus", "follow_up_reason"]


class FollowUpStatus(str, Enum):
    """An item is open until someone handles it; handled items keep who, when and a note."""

    open = "open"
    handled = "handled"


class FollowUpReason(str, Enum):
    not_satisfied = "not_satisfied"
    contact_request = "contact_request"


def follow_up_reason(answer: Answer) -> FollowUpReason | None:
    """Why the answer needs a follow-up, or None.

    A level-0 answer always does (the dissatisfied customer gets a direct channel); so does
    a comment left with "may we contact you?" ticked, which is a request to be called back.
    """
    if answer.level == Level.not_satisfied:
        return FollowUpReason.not_satisfied
    if answer.may_contact and answer.comment.strip():
        return FollowUpReason.contact_request
    return None
