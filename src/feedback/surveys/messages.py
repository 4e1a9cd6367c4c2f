"""What customers read of a survey, in their language: the questionnaire and its mails.

The English texts are the gettext message ids; the other languages are in locale/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import escape

from feedback.languages import DEFAULT_LANGUAGE, LANGUAGES
from feedback.surveys.levels import Level
from feedback.web.i18n import render, translations

__all__ = [
    "MailText",
    "QuestionnaireText",
    "Recipient",
    "questionnaire_text",
    "render_survey_mail",
    "survey_mail_subject",
]

# Placeholders rendered once per language, then replaced per contact: issuing a wave to
# 100,000 contacts must not run the template engine 200,000 times.
SLOTS = {"name": "\x01name\x01", "account": "\x01account\x01", "link": "\x01link\x01"}


@dataclass(frozen=True)
class QuestionnaireText:
    """The questions and choices of the questionnaire in one language."""

    language: str
    level_question: str
    # The ladder, top rung first, as it is shown to customers.
    levels: tuple[tuple[int, str], ...]
    aspects_question: str
    # Each aspect's name by its key (levels.ASPECTS).
    aspects: Mapping[str, str]
    comment: str
    may_contact: str


@lru_cache(maxsize=len(LANGUAGES))
def questionnaire_text(language: str) -> QuestionnaireText:
    """The questionnaire in ``language``, in English for a language the service has not."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    catalog = translations(language)
    _ = catalog.gettext
    sentences = {
        Level.will_recommend: _(
            "I am satisfied, I will buy again, and I will recommend you to others"
        ),
        Level.will_buy_again: _("I am satisfied, and I will buy again"),
        Level.satisfied: _("I am satisfied"),
        Level.not_satisfied: _("I am not satisfied"),
    }
    return QuestionnaireText(
        language=language,
        level_question=_("Which sentence describes you best?"),
        levels=tuple((int(level), sentences[level]) for level in sorted(Level, reverse=True)),
        aspects_question=_("How do you rate us on each of these? (1 = poor, 5 = excellent)"),
        # "survey aspect": the complaint form words "Delivery" differently.
        aspects={
            "quality": catalog.pgettext("survey aspect", "Product quality"),
            "delivery": catalog.pgettext("survey aspect", "Delivery"),
            "service_attitude": catalog.pgettext("survey aspect", "Service attitude"),
            "value": catalog.pgettext("survey aspect", "Price and value"),
        },
        comment=_("Anything you would like to tell us?"),
        may_contact=_("May we contact you about your answers?"),
    )


def _subject(kind: str, language: str) -> str:
    _ = translations(language).gettext
    subjects = {
        "invitation": _("{company}: how satisfied are you? ({period})"),
        "reminder": _("Reminder: {company} would like your opinion ({period})"),
    }
    return subjects[kind]


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


@lru_cache(maxsize=64)
def _skeleton(kind: str, language: str, period: str, company: str, closes_on: dt.date) -> MailText:
    words = questionnaire_text(language)
    context = {
        **SLOTS,
        "company": company,
        "period": period,
        "closes_on": closes_on.isoformat(),
        "question": words.level_question,
        "levels": words.levels,
    }
    return MailText(
        subject=_subject(kind, words.language).format(company=company, period=period),
        text=render(f"email/{kind}.txt", words.language, context),
        html=render(f"email/{kind}.html", words.language, context),
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
