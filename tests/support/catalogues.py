"""The messages the templates translate and the ones the Chinese catalogue translates."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from feedback import TEMPLATES_DIR
from feedback.web.i18n import LOCALE_DIR

__all__ = ["chinese_translations", "template_messages"]


def template_messages(pattern: str) -> set[str]:
    """The message ids the templates matching ``pattern`` (under templates/) translate."""
    options = {pattern: {"extensions": "jinja2.ext.i18n"}}
    return {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(TEMPLATES_DIR, [(pattern, "jinja2")], options)
    }


def chinese_translations() -> set[str]:
    """The message ids the Chinese catalog translates (fuzzy ones do not count)."""
    with (LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="zh")
    return {m.id for m in catalog if m.id and m.string and not m.fuzzy}
