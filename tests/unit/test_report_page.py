"""The report page's margin text: translated words become CSS strings, safely quoted."""

from __future__ import annotations

import pytest

from feedback.reports.rendering import css_string, page_numbers
from feedback.web.i18n import translations


@pytest.mark.parametrize(
    ("language", "content"),
    [
        ("en", '"Page " counter(page) " of " counter(pages)'),
        ("zh", '"第 " counter(page) " 页，共 " counter(pages) " 页"'),
    ],
)
def test_page_numbers_follow_the_language(language: str, content: str) -> None:
    assert page_numbers(translations(language).gettext) == content


def test_quotes_backslashes_and_line_breaks_cannot_leave_the_css_string() -> None:
    assert css_string('say "hi" \\ \n }') == '"say \\"hi\\" \\\\ \\a  }"'
    hostile = page_numbers(lambda _: '{pages}"; } body { display: none } @page { content: "{page}')
    assert hostile == (
        'counter(pages) "\\"; } body { display: none } @page { content: \\"" counter(page)'
    )
