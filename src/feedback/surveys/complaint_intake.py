"""Closing the loop: a survey answer that calls for it opens a complaint in its transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.complaints.deadlines import SlaPolicy
from feedback.complaints.services import (
    Category,
    Channel,
    NewComplaint,
    accounts_with_open_complaints,
    open_complaint,
)
from feedback.mail.services import MailContext
from feedback.surveys.loop import LoopReason, complaint_reason, complaint_severity
from feedback.surveys.questionnaire import Answer
from feedback.surveys.tables import Response

__all__ = [
    "AnswerSource",
    "accounts_not_to_survey",
    "open_for_past_answers",
    "open_if_called_for",
]

DESCRIPTIONS = {
    LoopReason.not_satisfied: "Answered 'I am not satisfied' in the {period} survey.",
    LoopReason.contact_request: "Asked to be contacted in the {period} survey.",
}


def _description(reason: LoopReason, period: str, comment: str) -> str:
    said = DESCRIPTIONS[reason].format(period=period)
    return f"{said}\n\n{comment}" if comment else said


@dataclass(frozen=True)
class AnswerSource:
    """The stored answer a complaint names: its id, who gave it and in which wave."""

    response_id: int
    account_id: int
    contact_id: int | None
    period: str


async def open_if_called_for(
    answer: Answer,
    source: AnswerSource,
    now: dt.datetime,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> int | None:
    """Open the complaint the answer calls for, if any; call inside the answer's transaction.

    The complaint names the answer that raised it, so an answer raises at most one.
    """
    reason = complaint_reason(answer)
    if reason is None:
        return None
    complaint = await open_complaint(
        NewComplaint(
            account_id=source.account_id,
            channel=Channel.survey,
            category=Category.other,
            severity=complaint_severity(reason),
            description=_description(reason, source.period, answer.comment),
            contact_id=source.contact_id,
            survey_response_id=source.response_id,
        ),
        None,
        now,
        policy,
        context,
    )
    return complaint.id


# Only these can call for a complaint (see loop.complaint_reason), so only these are read.
CANDIDATES_SQL = (
    "SELECT r.id, r.account, i.contact, r.level, r.comment, r.may_contact, r.created_at "
    "FROM response r JOIN wave w ON w.id = r.wave LEFT JOIN invitation i ON i.id = r.invitation "
    "WHERE w.period = {} AND (r.level = 0 OR r.may_contact) ORDER BY r.created_at, r.id"
)


async def open_for_past_answers(
    period: str, policy: SlaPolicy, context: MailContext
) -> list[tuple[int, dt.datetime]]:
    """Open the complaints a wave's answers call for, each received when its answer was given:
    (complaint id, received at), oldest first.

    For answers recorded as a batch (which opens none), where the complaints are wanted as
    they would have been raised at the time, such as the demo's most recent wave.
    """
    opened = []
    for row in await Response.raw(CANDIDATES_SQL, period):
        answer = Answer(row["level"], comment=row["comment"], may_contact=bool(row["may_contact"]))
        source = AnswerSource(row["id"], row["account"], row["contact"], period)
        complaint_id = await open_if_called_for(answer, source, row["created_at"], policy, context)
        if complaint_id is not None:
            opened.append((complaint_id, row["created_at"]))
    return opened


async def accounts_not_to_survey() -> set[int]:
    """Accounts with an open complaint are not surveyed (nor reminded) until it is closed."""
    return await accounts_with_open_complaints()
