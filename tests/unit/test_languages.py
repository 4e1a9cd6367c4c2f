"""The one language list: every language the contact column allows is spoken everywhere."""

from __future__ import annotations

from feedback.accounts.tables import Contact
from feedback.languages import DEFAULT_LANGUAGE, HTML_LANG, LANGUAGE_NAMES, LANGUAGES
from feedback.web.i18n import LOCALE_DIR


def test_the_contact_column_allows_exactly_the_service_languages() -> None:
    assert [choice.value for choice in Contact.language._meta.choices] == list(LANGUAGES)
    assert Contact.language.default == DEFAULT_LANGUAGE


def test_every_language_has_its_html_tag_its_name_and_a_catalogue() -> None:
    assert set(HTML_LANG) == set(LANGUAGE_NAMES) == set(LANGUAGES)
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            assert (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").is_file()
