"""The customer's answer to the follow-up question, through their single-use link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.accounts.directory import contact_details
from feedback.complaints import customer_links
from feedback.complaints.customer_links import LinkNotUsable
from feedback.complaints.deadlines import SlaPolicy
from feedback.complaints.records import load_row
from feedback.complaints.services import ActionRequest, apply_action
from feedback.complaints.states import MAX_TEXT, Action, ComplaintState
from feedback.db import transaction
from feedback.errors import Conflict
from feedback.mail.services import MailContext

__all__ = ["FollowUpAnswer", "FollowUpQuestion", "answer_follow_up", "follow_up_question"]

# What the history shows as the note of an answer given without a comment.
UNSATISFIED_NOTE = "The customer answered through the follow-up link: not satisfied."


@dataclass(frozen=True)
class FollowUpAnswer:
    """What the customer answered: satisfied or not, and what they added."""

    satisfied: bool
    comment: str = ""


@dataclass(frozen=True)
class FollowUpQuestion:
    """What the follow-up page shows: the complaint's reference and its resolution."""

    reference: str
    resolution: str
    language: str


async def follow_up_question(token: str, now: dt.datetime) -> FollowUpQuestion:
    """The question behind a usable link; LinkNotUsable for unknown, used or expired ones."""
    link = await customer_links.follow_up_link(token, now)
    row = await load_row(link.complaint_id)
    if row["state"] != ComplaintState.resolved.value or row["version"] != link.version:
        raise LinkNotUsable
    language = "en"
    if link.contact_id is not None:
        contact = (await contact_details([link.contact_id])).get(link.contact_id)
        language = contact.language if contact else language
    return FollowUpQuestion(f"#{link.complaint_id}", row["resolution"], language)


async def answer_follow_up(
    token: str,
    answer: FollowUpAnswer,
    now: dt.datetime,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> None:
    """Apply the answer (no staff actor: see states.CUSTOMER_ACTIONS) and use up the link.

    The claim and the move commit together; the link names the resolved version it asks
    about, so a link of an earlier resolution can never answer a later one.
    """
    comment = answer.comment.strip()[:MAX_TEXT]
    link = await customer_links.follow_up_link(token, now)
    if answer.satisfied:
        action, content = Action.follow_up_satisfied, {"note": comment}
    else:
        action, content = Action.follow_up_unsatisfied, {"note": comment or UNSATISFIED_NOTE}
    try:
        async with transaction():
            await customer_links.claim_follow_up(link.id, now)
            answered = ActionRequest(
                link.complaint_id, action, content, ComplaintState.resolved, link.version
            )
            await apply_action(answered, None, now, policy, context)
    except Conflict as exc:  # used meanwhile, or the complaint moved on: the same answer
        raise LinkNotUsable from exc
