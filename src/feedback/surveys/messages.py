"""Invitation and reminder emails rendered from templates/email in the contact's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from feedback import TEMPLATES_DIR
from feedback.surveys.wording import wording

__all__ = ["MailText", "Recipient", "render_survey_mail", "survey_mail_subject"]

# Placeholders rendered once per language, then replaced per contact: issuing a wave to
# 100,000 contacts must not run the template engine 200,000 times.
SLOTS = {"name": "\x01name\x01", "account": "\x01account\x01", "link": "\x01link\x01"}


@dataclass(frozen=True)
class Recipient:
    name: str
    account_name: str
    link: str
    language: str


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=64)
def _skeleton(kind: str, language: str, period: str, company: str, closes_on: dt.date) -> MailText:
    words = wording(language)
    context = {
        **SLOTS,
        "company": company,
        "period": period,
        "closes_on": closes_on.isoformat(),
        "question": words.text("level_question"),
        "levels": words.levels(),
    }
    env = _environment()
    return MailText(
        subject=words.text(f"subject.{kind}", company=company, period=period),
        text=env.get_template(f"email/{kind}.{words.language}.txt").render(context),
        html=env.get_template(f"email/{kind}.{words.language}.html").render(context),
    )


def _fill(skeleton: str, recipient: Recipient, html: bool) -> str:
    values = {
        "name": recipient.name or recipient.account_name,
        "account": recipient.account_name,
        "link": recipient.link,
    }
    for key, slot in SLOTS.items():
        value = values[key]
        skeleton = skeleton.replace(slot, str(escape(value)) if html else value)
    return skeleton


def render_survey_mail(
    kind: str, recipient: Recipient, period: str, company: str, closes_on: dt.date
) -> MailText:
    """The ``invitation`` or ``reminder`` mail for one contact."""
    skeleton = _skeleton(kind, recipient.language, period, company, closes_on)
    return MailText(
        subject=skeleton.subject,
        text=_fill(skeleton.text, recipient, html=False),
        html=_fill(skeleton.html, recipient, html=True),
    )


def survey_mail_subject(
    kind: str, language: str, period: str, company: str, closes_on: dt.date
) -> str:
    """The subject line alone, for mail recorded rather than sent."""
    return _skeleton(kind, language, period, company, closes_on).subject
