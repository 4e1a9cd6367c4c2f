"""Closing the loop: a survey answer that calls for it opens a complaint in its transaction."""

from __future__ import annotations

import datetime as dt

from feedback.complaints.deadlines import SlaPolicy
from feedback.complaints.services import (
    Category,
    Channel,
    NewComplaint,
    accounts_with_open_complaints,
    open_complaint,
)
from feedback.surveys.loop import LoopReason, complaint_reason, complaint_severity
from feedback.surveys.questionnaire import Answer

__all__ = ["accounts_not_to_survey", "open_if_called_for"]

DESCRIPTIONS = {
    LoopReason.not_satisfied: "Answered 'I am not satisfied' in the {period} survey.",
    LoopReason.contact_request: "Asked to be contacted in the {period} survey.",
}


def _description(reason: LoopReason, period: str, comment: str) -> str:
    said = DESCRIPTIONS[reason].format(period=period)
    return f"{said}\n\n{comment}" if comment else said


async def open_if_called_for(
    answer: Answer,
    response_id: int,
    account_id: int,
    contact_id: int | None,
    period: str,
    now: dt.datetime,
    policy: SlaPolicy,
) -> int | None:
    """Open the complaint the answer calls for, if any; call inside the answer's transaction.

    The complaint names the answer that raised it, so an answer raises at most one.
    """
    reason = complaint_reason(answer)
    if reason is None:
        return None
    complaint = await open_complaint(
        NewComplaint(
            account_id=account_id,
            channel=Channel.survey,
            category=Category.other,
            severity=complaint_severity(reason),
            description=_description(reason, period, answer.comment),
            contact_id=contact_id,
            survey_response_id=response_id,
        ),
        None,
        now,
        policy,
    )
    return complaint.id


async def accounts_not_to_survey() -> set[int]:
    """Accounts with an open complaint are not surveyed (nor reminded) until it is closed."""
    return await accounts_with_open_complaints()
