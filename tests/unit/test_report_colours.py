"""The printed reports read in black and white: every text colour of their styles keeps the
WCAG contrast of 4.5:1 against white and against every background the styles paint.

The contrast is a ratio of luminances, which is what a black-and-white printer or copier
keeps of a colour; so a colour that passes here stays readable as a grey. Meaning is never
carried by colour alone: a band or a missed standard is also written out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feedback import TEMPLATES_DIR
from tests.support.accessibility import WHITE, contrast_ratio

TEXT_CONTRAST = 4.5
REPORTS = sorted((TEMPLATES_DIR / "reports").glob("*.html"))
DECLARATION = re.compile(r"(?<![-\w])(color|background(?:-color)?)\s*:\s*#([0-9a-fA-F]{6})\b")


def colours(template: Path) -> dict[str, set[tuple[float, float, float]]]:
    """The text colours and the background colours a template's styles declare."""
    found: dict[str, set[tuple[float, float, float]]] = {"color": set(), "background": set()}
    for prop, hex_value in DECLARATION.findall(template.read_text(encoding="utf-8")):
        rgb = tuple(float(int(hex_value[i : i + 2], 16)) for i in (0, 2, 4))
        found["color" if prop == "color" else "background"].add(rgb)  # type: ignore[arg-type]
    return found


def test_the_report_styles_declare_colours_to_check() -> None:
    declared = colours(TEMPLATES_DIR / "reports" / "_page.html")
    assert len(declared["color"]) >= 4
    assert declared["background"]


@pytest.mark.parametrize("template", REPORTS, ids=lambda path: path.name)
def test_every_text_colour_reads_as_a_grey_on_every_background(template: Path) -> None:
    backgrounds = {WHITE} | colours(TEMPLATES_DIR / "reports" / "_page.html")["background"]
    backgrounds |= colours(template)["background"]
    for text in colours(template)["color"]:
        for background in backgrounds:
            ratio = contrast_ratio(text, background)
            assert ratio >= TEXT_CONTRAST, f"{template.name}: {text} on {background}: {ratio:.2f}"
