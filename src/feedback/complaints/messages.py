"""Complaint mails from templates/email: to customers in their language, to staff on deadlines.

Staff mail is in English, the language of the code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from feedback.accounts.directory import ContactDetails
from feedback.languages import DEFAULT_LANGUAGE, LANGUAGES
from feedback.mail.services import Mail, MailContext
from feedback.web.i18n import render, translations

__all__ = ["ComplaintMail", "CustomerNotice", "DeadlineNotice", "complaint_mail", "deadline_mail"]


class ComplaintMail(str, Enum):
    acknowledgement = "acknowledgement"
    apology = "apology"
    resolution = "resolution"
    reopened = "reopened"


def _subject(kind: ComplaintMail, language: str, reference: str) -> str:
    _ = translations(language).gettext
    subjects = {
        ComplaintMail.acknowledgement: _("We have received your complaint {reference}"),
        ComplaintMail.apology: _("Our apology about your complaint {reference}"),
        ComplaintMail.resolution: _("Our resolution of your complaint {reference}"),
        ComplaintMail.reopened: _("We are looking into your complaint {reference} again"),
    }
    return subjects[kind].format(reference=reference)


@dataclass(frozen=True)
class CustomerNotice:
    """What one mail tells the customer about their complaint at one version.

    ``text`` is what it quotes (the apology, the resolution), ``due_at`` when they hear from
    us next, ``link`` the resolution's follow-up question.
    """

    kind: ComplaintMail
    complaint_id: int
    version: int
    text: str = ""
    due_at: dt.datetime | None = None
    link: str = ""


def complaint_mail(notice: CustomerNotice, contact: ContactDetails, context: MailContext) -> Mail:
    """One mail about a complaint; queued once per complaint version."""
    language = contact.language if contact.language in LANGUAGES else DEFAULT_LANGUAGE
    reference = f"#{notice.complaint_id}"
    values = {
        "kind": notice.kind.value,
        "name": contact.name or contact.account_name,
        "reference": reference,
        "text": notice.text,
        "due": notice.due_at.strftime("%Y-%m-%d %H:%M UTC") if notice.due_at else "",
        "company": context.company,
        "link": notice.link,
    }
    return Mail(
        dedupe_key=f"complaint:{notice.complaint_id}:{notice.version}:{notice.kind.value}",
        to=contact.email,
        subject=_subject(notice.kind, language, reference),
        text_body=render("email/complaint.txt", language, values),
        html_body=render("email/complaint.html", language, values),
    )


@dataclass(frozen=True)
class DeadlineNotice:
    """What a warning or an escalation tells staff about one complaint's current step."""

    complaint_id: int
    kind: str
    step: str
    due_at: dt.datetime
    account: str
    severity: str
    tier: str
    assignee: str


def deadline_mail(
    notice: DeadlineNotice, to_id: int, to_email: str, name: str, context: MailContext
) -> Mail:
    """A warning before a step's deadline or an escalation at its breach, to one staff member.

    Staff mail is in English; queued once per complaint, step deadline, kind and recipient.
    """
    step = notice.step.replace("_", " ")
    due = notice.due_at.strftime("%Y-%m-%d %H:%M UTC")
    if notice.kind == "escalation":
        subject = f"Escalated: complaint #{notice.complaint_id} missed its {step} deadline"
    else:
        subject = f"Due soon: the {step} of complaint #{notice.complaint_id} is due by {due}"
    values = {
        "notice": notice,
        "name": name,
        "step": step,
        "due": due,
        "link": f"{context.base_url.rstrip('/')}/complaints/{notice.complaint_id}",
        "company": context.company,
    }
    return Mail(
        dedupe_key=(
            f"complaint:{notice.complaint_id}:{notice.kind}:{notice.due_at.isoformat()}:{to_id}"
        ),
        to=to_email,
        subject=subject,
        text_body=render("email/complaint_deadline.txt", DEFAULT_LANGUAGE, values),
        html_body=render("email/complaint_deadline.html", DEFAULT_LANGUAGE, values),
    )
