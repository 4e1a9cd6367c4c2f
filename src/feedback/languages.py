"""The service's languages: a contact's `language` codes, and what <html lang> says for each.

English is the language of the code and of staff pages, and the one used when a contact's
language is unknown. Kept free of Jinja and Babel, so that pure rule modules may read it.
"""

from __future__ import annotations

__all__ = ["DEFAULT_LANGUAGE", "HTML_LANG", "LANGUAGES", "LANGUAGE_NAMES"]

DEFAULT_LANGUAGE = "en"
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
LANGUAGES = tuple(HTML_LANG)
# Each language in its own words, for the language switch of the customer pages.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
