"""The service's languages: a contact's `language` codes, and what <html lang> says for each.

English is the language of the code and of staff pages, and the one used when a contact's
language is unknown. Kept free of Jinja and Babel, so that pure rule modules may read it.
"""

from __future__ import annotations

from enum import Enum

from feedback.errors import InvalidInput

__all__ = [
    "DEFAULT_LANGUAGE",
    "HTML_LANG",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Language",
    "known_language",
]


class Language(str, Enum):
    """The choices of a contact's language column."""

    en = "en"
    zh = "zh"


LANGUAGES = tuple(language.value for language in Language)
DEFAULT_LANGUAGE = Language.en.value
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
# Each language in its own words, for the language switch of the customer pages.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def known_language(requested: str) -> str:
    """``requested``, if it is one of the service's languages; InvalidInput otherwise."""
    if requested not in LANGUAGES:
        raise InvalidInput(f"unknown language {requested!r}: one of {', '.join(LANGUAGES)}")
    return requested
