"""Accessibility of the customer survey pages as Chromium renders them, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page

from feedback.surveys.messages import questionnaire_text
from tests.support.accessibility import (
    contrast_ratio,
    controls,
    focus_ring,
    platform_fonts,
    text_samples,
)
from tests.support.browser import NewPage, SurveySite

pytestmark = pytest.mark.browser

TEXT_CONTRAST = 4.5  # WCAG 1.4.3, applied to every text whatever its size
RING_CONTRAST = 3.0  # WCAG 1.4.11, non-text contrast of the focus indicator
CJK_FONT = "Noto Sans CJK SC"
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ASPECTS = ("quality", "delivery", "service_attitude", "value")


def test_the_contrast_formula_gives_the_wcag_reference_values() -> None:
    black, white = (0.0, 0.0, 0.0), (255.0, 255.0, 255.0)
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    assert contrast_ratio((118.0, 118.0, 118.0), white) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio((119.0, 119.0, 119.0), white) < TEXT_CONTRAST  # #777 just fails
    assert contrast_ratio((255.0, 0.0, 0.0), white) == pytest.approx(4.0, abs=0.01)


async def assert_readable(page: Page, where: str) -> None:
    samples = await text_samples(page)
    assert len(samples) >= 3, f"{where}: the page shows its texts"
    faint = [(s.text, round(s.ratio, 2)) for s in samples if s.ratio < TEXT_CONTRAST]
    assert faint == [], f"{where}: texts under {TEXT_CONTRAST}:1"


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_every_control_is_labelled_and_the_ladder_is_a_fieldset_with_a_legend(
    survey_site: SurveySite, new_page: NewPage, language: str
) -> None:
    page = await new_page()
    await page.goto(survey_site.link(language))
    found = await controls(page)
    assert [c["id"] for c in found if c["name"] == "level"] == [
        "level-3",
        "level-2",
        "level-1",
        "level-0",
    ]
    assert [c for c in found if c["tag"] != "button" and not any(c["labels"])] == []
    buttons = [c["text"] for c in found if c["tag"] == "button"]
    assert buttons
    assert all(buttons)
    words = questionnaire_text(language)
    for control in found:
        if control["name"] == "level":
            assert control["legend"].startswith(words.level_question)
            assert control["labels"] == [dict(words.levels)[int(control["id"][-1])]]
        elif control["name"] in ASPECTS:
            assert control["legend"] == words.aspects[control["name"]]
    assert {c["name"] for c in found if c["type"] == "radio"} == {"level", *ASPECTS}
    ids = [c["id"] for c in found if c["id"]]
    assert len(ids) == len(set(ids)), "label targets are unique"


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_all_texts_reach_the_contrast_minimum_on_every_survey_page(
    survey_site: SurveySite, new_page: NewPage, output_dir: Path, language: str
) -> None:
    page = await new_page()
    link = survey_site.link(language)
    await page.goto(link)
    await page.click("label[for=level-2]")  # a chosen rung has its own background
    await assert_readable(page, "form")
    # A browser that does not check `required` sends the form without a level.
    await page.goto(link)
    await page.evaluate("() => { document.querySelector('form').noValidate = true; }")
    async with page.expect_navigation() as navigation:
        await page.click("button[type=submit]")
    refused = await navigation.value
    assert refused is not None
    assert refused.status == 400
    assert await page.locator("[role=alert]").count() == 1
    await assert_readable(page, "form with errors")
    await page.screenshot(path=output_dir / f"survey-errors-{language}.png", full_page=True)
    await page.click("label[for=level-1]")
    async with page.expect_navigation(url=f"**/s/thanks?lang={language}"):
        await page.click("button[type=submit]")
    await assert_readable(page, "thanks")
    await page.goto(link)
    await assert_readable(page, "invalid link")


async def test_the_keyboard_focus_is_always_visible(
    survey_site: SurveySite, new_page: NewPage
) -> None:
    page = await new_page()
    await page.goto(survey_site.link("en"))
    seen: list[str] = []
    # The skip link, both languages, the ladder, four ratings, comment, consent, then send.
    while "Send my answer" not in seen and len(seen) < 15:
        await page.keyboard.press("Tab")
        ring = await focus_ring(page)
        seen.append(ring["what"])
        assert ring["style"] != "none", ring
        assert ring["width"] >= 2, ring
        assert ring["ratio"] >= RING_CONTRAST, ring
    assert len(seen) == 11, seen


async def test_chinese_text_is_drawn_with_the_cjk_font(
    survey_site: SurveySite, new_page: NewPage
) -> None:
    page = await new_page(locale="zh-CN")
    await page.goto(survey_site.link("zh"))
    drawn = await platform_fonts(page, "h1, p, legend, label, button, a[lang]")
    assert len(drawn) >= 20
    for text, fonts in drawn:
        han = len(HAN.findall(text))
        if han:
            assert fonts.get(CJK_FONT, 0) >= han, (text, fonts)
    assert any(len(HAN.findall(text)) >= 4 for text, _ in drawn)
