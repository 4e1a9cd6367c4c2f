"""The page-fill measure of the report tests sees a page left half empty."""

from __future__ import annotations

from pathlib import Path

from feedback.reports.pdf import render_pdf
from tests.support.pdf import page_fill

PAGE = (
    "<html><head><style>@page { size: A4; margin: 20mm 16mm 18mm }</style></head>"
    "<body>{}</body></html>"
)


def test_a_page_cut_short_by_a_break_measures_less_than_a_full_one(tmp_path: Path) -> None:
    lines = "<p>line</p>"
    html = PAGE.replace("{}", lines * 10 + '<h2 style="break-before: page">Next</h2>' + lines * 80)
    fills = page_fill(render_pdf(html), tmp_path, 20 / 297, 18 / 297)
    assert fills[0] < 0.5
    assert all(fill > 0.85 for fill in fills[1:-1])
