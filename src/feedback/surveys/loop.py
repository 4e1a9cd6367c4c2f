"""Closing the loop: which survey answers open a complaint, and how urgent it is."""

from __future__ import annotations

from enum import Enum

from feedback.complaints.deadlines import Severity
from feedback.surveys.levels import Level
from feedback.surveys.questionnaire import Answer

__all__ = ["LoopReason", "complaint_reason", "complaint_severity"]


class LoopReason(str, Enum):
    not_satisfied = "not_satisfied"
    contact_request = "contact_request"


def complaint_reason(answer: Answer) -> LoopReason | None:
    """Why the answer opens a complaint, or None.

    A level-0 answer always does (the dissatisfied customer gets a direct channel); so does
    a comment left with "may we contact you?" ticked, which is a request to be called back.
    """
    if answer.level == Level.not_satisfied:
        return LoopReason.not_satisfied
    if answer.may_contact and answer.comment.strip():
        return LoopReason.contact_request
    return None


def complaint_severity(reason: LoopReason) -> Severity:
    """A customer who says they are not satisfied is answered sooner than a call-back request."""
    return Severity.major if reason is LoopReason.not_satisfied else Severity.minor
