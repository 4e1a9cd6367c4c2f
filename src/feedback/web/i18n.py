"""Customer-page translations: gettext catalogs read from .po at start, and Jinja with i18n."""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from feedback import TEMPLATES_DIR
from feedback.languages import DEFAULT_LANGUAGE, HTML_LANG, LANGUAGE_NAMES, LANGUAGES

__all__ = ["LOCALE_DIR", "choose_language", "render", "translations"]

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of a language, compiled in memory from its .po (no .mo files are kept).

    English is the language of the message ids, so it needs no catalog of its own.
    """
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=len(LANGUAGES))
def _environment(language: str) -> Environment:
    """One environment per language, so concurrent requests never swap catalogs mid-render."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        # Templates ship with the code: no need to stat them on every page.
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["html_lang"] = HTML_LANG[language]
    env.globals["language"] = language
    env.globals["html_langs"] = HTML_LANG
    env.globals["language_names"] = LANGUAGE_NAMES
    return env


def render(template: str, language: str, context: dict[str, Any]) -> str:
    """Render a template in one of LANGUAGES."""
    return _environment(language).get_template(template).render(context)


def _accepted(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most wanted first (q=0 means not wanted)."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(requested: str | None, known: str | None, accept: str | None = None) -> str:
    """The display language: the one asked for in the link, else the contact's, else the browser's.

    ``requested`` is the ``?lang=`` of the page, ``known`` the contact's language when the page
    knows the contact, ``accept`` the Accept-Language header.
    """
    for candidate in (requested, known):
        if candidate in LANGUAGES:
            return candidate
    # Babel matches a tag to one of LANGUAGES, or its primary subtag (zh-TW is zh).
    browser = negotiate_locale(_accepted(accept or ""), LANGUAGES, sep="-", aliases={})
    return browser or DEFAULT_LANGUAGE
