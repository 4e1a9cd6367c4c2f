"""Mails to the customer about their complaint, rendered from templates/email in their language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from feedback.accounts.directory import ContactDetails
from feedback.mail.services import Mail
from feedback.web.i18n import LANGUAGES, render, translations

__all__ = ["ComplaintMail", "MailContext", "complaint_mail"]


class ComplaintMail(str, Enum):
    acknowledgement = "acknowledgement"
    apology = "apology"
    resolution = "resolution"
    reopened = "reopened"


@dataclass(frozen=True)
class MailContext:
    """What every complaint mail needs besides the complaint."""

    company: str = "Customer Service"


def _subject(kind: ComplaintMail, language: str, reference: str) -> str:
    _ = translations(language).gettext
    subjects = {
        ComplaintMail.acknowledgement: _("We have received your complaint {reference}"),
        ComplaintMail.apology: _("Our apology about your complaint {reference}"),
        ComplaintMail.resolution: _("Our resolution of your complaint {reference}"),
        ComplaintMail.reopened: _("We are looking into your complaint {reference} again"),
    }
    return subjects[kind].format(reference=reference)


def complaint_mail(
    kind: ComplaintMail,
    complaint_id: int,
    version: int,
    contact: ContactDetails,
    text: str = "",
    due_at: dt.datetime | None = None,
    context: MailContext = MailContext(),
) -> Mail:
    """One mail about a complaint; queued once per complaint version."""
    language = contact.language if contact.language in LANGUAGES else "en"
    reference = f"#{complaint_id}"
    values = {
        "kind": kind.value,
        "name": contact.name or contact.account_name,
        "reference": reference,
        "text": text,
        "due": due_at.strftime("%Y-%m-%d %H:%M UTC") if due_at else "",
        "company": context.company,
    }
    return Mail(
        dedupe_key=f"complaint:{complaint_id}:{version}:{kind.value}",
        to=contact.email,
        subject=_subject(kind, language, reference),
        text_body=render(f"email/complaint.{language}.txt", language, values),
        html_body=render(f"email/complaint.{language}.html", language, values),
    )
