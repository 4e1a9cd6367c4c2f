"""Complaints taken by staff, and from the public web form (opened at once, or triaged)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec

from feedback.accounts.directory import account_id_for_code, contact_ids_of_account
from feedback.accounts.staff import StaffMember
from feedback.addresses import email_problem
from feedback.complaints import customer_links
from feedback.complaints.deadlines import Severity, SlaPolicy
from feedback.complaints.schemas import ComplaintIn
from feedback.complaints.services import NewComplaint, open_complaint
from feedback.complaints.states import MAX_TEXT, read_choice
from feedback.complaints.tables import Category, Channel, WebSubmission
from feedback.db import transaction
from feedback.errors import Conflict, InvalidInput, NotFound
from feedback.mail.services import MailContext

__all__ = [
    "CATEGORIES",
    "MAX_NAME",
    "STAFF_CHANNELS",
    "WEB_FORM_SEVERITY",
    "SubmissionView",
    "TriageDecision",
    "WebComplaint",
    "check_web_complaint",
    "issue_form_link",
    "pending_submissions",
    "record_staff_complaint",
    "submit_web_complaint",
    "triage",
]

MAX_NAME = 200
FORM_LINK_DAYS = 90
CATEGORIES = tuple(category.value for category in Category)
# Survey answers open their complaints themselves; staff record the other channels.
STAFF_CHANNELS = tuple(channel.value for channel in Channel if channel is not Channel.survey)
# Customers do not grade their own complaints: a linked web-form complaint opens with the
# middle deadlines (staff choose the severity when they triage an unlinked one).
WEB_FORM_SEVERITY = Severity.major


@dataclass(frozen=True)
class WebComplaint:
    """What the public form sends."""

    name: str
    email: str
    category: str
    description: str
    language: str


@dataclass(frozen=True)
class TriageDecision:
    """The account and severity staff gave a web submission that named no account."""

    submission_id: int
    account_code: str
    severity: str


@dataclass(frozen=True)
class SubmissionView:
    id: int
    name: str
    email: str
    category: str
    description: str
    received_at: dt.datetime


def check_web_complaint(form: WebComplaint) -> dict[str, str]:
    """Field -> error code, for the page to word in the customer's language; empty if valid."""
    errors = {}
    if form.category not in Category.__members__:
        errors["category"] = "missing"
    if not form.description.strip():
        errors["description"] = "missing"
    elif len(form.description) > MAX_TEXT:
        errors["description"] = "too_long"
    if len(form.name) > MAX_NAME:
        errors["name"] = "too_long"
    email = form.email.strip()
    if not email:
        errors["email"] = "missing"
    elif email_problem(email):
        errors["email"] = "invalid"
    return errors


async def submit_web_complaint(
    form: WebComplaint,
    link_token: str,
    now: dt.datetime,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> None:
    """Open the complaint of a linked account, or keep it for triage; nothing on invalid input."""
    if check_web_complaint(form):
        raise InvalidInput("the complaint form has errors")
    sender = await customer_links.intake_sender(link_token, now)
    if sender is None:
        await WebSubmission.insert(
            WebSubmission(
                name=form.name.strip(),
                email=form.email.strip(),
                category=form.category,
                description=form.description.strip(),
                language=form.language,
                received_at=now,
            )
        )
        return
    account_id, contact_id = sender
    new = NewComplaint(
        account_id=account_id,
        channel=Channel.web_form,
        category=Category(form.category),
        severity=WEB_FORM_SEVERITY,
        description=form.description,
        contact_id=contact_id,
    )
    await open_complaint(new, None, now, policy, context)


async def pending_submissions() -> list[SubmissionView]:
    """Web-form complaints waiting for staff to name the account, oldest first."""
    rows = (
        await WebSubmission.select()
        .where(WebSubmission.complaint.is_null())
        .order_by(WebSubmission.received_at)
    )
    return msgspec.convert(rows, list[SubmissionView])


async def triage(
    decision: TriageDecision,
    actor: StaffMember,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> int:
    """Open the complaint of a web submission on the account staff named; its clocks start
    when the customer sent it."""
    submission_id = decision.submission_id
    row = await WebSubmission.select().where(WebSubmission.id == submission_id).first()
    if row is None:
        raise NotFound(f"no web submission {submission_id}")
    if row["complaint"] is not None:
        raise Conflict(f"web submission {submission_id} is already complaint #{row['complaint']}")
    account_id = await account_id_for_code(decision.account_code.strip())
    # The sender becomes the complaint's contact when the email names exactly one of them.
    contacts = await contact_ids_of_account(account_id, row["email"]) if row["email"] else []
    new = NewComplaint(
        account_id=account_id,
        channel=Channel.web_form,
        category=Category(row["category"]),
        severity=read_choice(Severity, decision.severity, "severity"),
        description=row["description"],
        contact_id=contacts[0] if len(contacts) == 1 else None,
    )
    async with transaction():
        complaint = await open_complaint(new, actor, row["received_at"], policy, context)
        claimed = await (
            WebSubmission.update({WebSubmission.complaint: complaint.id})
            .where((WebSubmission.id == submission_id) & WebSubmission.complaint.is_null())
            .returning(WebSubmission.id)
        )
        if not claimed:
            raise Conflict(f"web submission {submission_id} was triaged meanwhile")
    return complaint.id


async def record_staff_complaint(
    taken: ComplaintIn,
    actor: StaffMember,
    now: dt.datetime,
    policy: SlaPolicy,
    context: MailContext = MailContext(),  # noqa: B008
) -> int:
    """A complaint staff took by phone, email or a visit, on the account with this code."""
    account_id = await account_id_for_code(taken.account_code.strip())
    new = NewComplaint(
        account_id=account_id,
        channel=read_choice(Channel, taken.channel, "channel"),
        category=read_choice(Category, taken.category, "category"),
        severity=read_choice(Severity, taken.severity, "severity"),
        description=taken.description,
        contact_id=taken.contact_id,
    )
    return (await open_complaint(new, actor, now, policy, context)).id


async def issue_form_link(
    account_code: str, contact_id: int | None, now: dt.datetime, base_url: str
) -> tuple[str, dt.datetime]:
    """A link to the public form naming the account (and contact), valid FORM_LINK_DAYS."""
    account_id = await account_id_for_code(account_code.strip())
    if contact_id is not None and contact_id not in await contact_ids_of_account(account_id):
        raise InvalidInput(f"contact {contact_id} is not a contact of account {account_code}")
    token = await customer_links.issue_intake(account_id, contact_id, now, FORM_LINK_DAYS)
    return customer_links.form_url(base_url, token), now + dt.timedelta(days=FORM_LINK_DAYS)
