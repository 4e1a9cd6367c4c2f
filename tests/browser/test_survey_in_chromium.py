"""The customer survey page in headless Chromium, served by `feedback serve` on each database."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from feedback.surveys.messages import questionnaire_text
from tests.support.accessibility import touch_targets
from tests.support.browser import NewPage, SurveySite

pytestmark = pytest.mark.browser

# What each language's pages say, as customers read them.
PAGES = {
    "en": {
        "html_lang": "en",
        "locale": "en-GB",
        "form": "Your opinion",
        "required": "(required)",
        "thanks": "Thank you",
        "invalid": "This link is no longer valid",
        "comment": "Deliveries were late twice.\nOtherwise fine.",
    },
    "zh": {
        "html_lang": "zh-Hans",
        "locale": "zh-CN",
        "form": "您的意见",
        "required": "（必答）",
        "thanks": "谢谢您",
        "invalid": "此链接已失效",
        "comment": "有两次送货迟到。\n其他都很好。",
    },
}
UNKNOWN_TOKEN = "x" * 43


async def tab_to(page: Page, selector: str, limit: int = 40) -> list[str]:
    """Press Tab until the focus is on ``selector``; the focus path taken, for messages."""
    path = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return path
        path.append(await page.evaluate("() => document.activeElement.outerHTML.slice(0, 60)"))
    pytest.fail(f"Tab never reached {selector}; focus went through {path}")


async def checked(page: Page, name: str) -> str | None:
    value: str | None = await page.evaluate(
        "(n) => document.querySelector(`input[name=${n}]:checked`)?.value ?? null", name
    )
    return value


async def main_text(page: Page) -> str:
    return await page.locator("main").inner_text()


async def answer_with_the_keyboard(page: Page, comment: str) -> None:
    """Level 2, quality 4, service 5, a comment, may contact: keys only, from the page top."""
    await tab_to(page, "input[name=level]")
    await page.keyboard.press("Space")  # the first rung (level 3) ...
    await page.keyboard.press("ArrowDown")  # ... then one down, which checks level 2
    assert await checked(page, "level") == "2"
    await page.keyboard.press("Tab")  # into the quality ratings, on "No answer"
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("ArrowLeft")
    assert await checked(page, "quality") == "4"
    await page.keyboard.press("Tab")  # delivery stays unanswered
    await page.keyboard.press("Tab")
    await page.keyboard.press("ArrowLeft")
    assert await checked(page, "service_attitude") == "5"
    await tab_to(page, "textarea[name=comment]", limit=3)
    await page.keyboard.type(comment)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")
    assert await page.is_checked("#may_contact")
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.type") == "submit"


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_keyboard_only_answer_is_stored_once_then_the_link_is_like_an_unknown_one(
    survey_site: SurveySite, new_page: NewPage, output_dir: Path, language: str
) -> None:
    words = PAGES[language]
    link = survey_site.link(language)
    page = await new_page(locale=words["locale"])
    second_tab = await page.context.new_page()
    opened = await page.goto(link)
    assert opened is not None
    assert opened.status == 200
    await second_tab.goto(link)
    assert await page.get_attribute("html", "lang") == words["html_lang"]
    assert await page.title() == words["form"]
    assert await page.locator("legend").first.inner_text() == (
        f"{questionnaire_text(language).level_question} {words['required']}"
    )
    await answer_with_the_keyboard(page, words["comment"])
    await page.screenshot(path=output_dir / f"survey-{language}.png", full_page=True)
    assert await survey_site.answers_for(link) == [_nothing_stored()], "typing stores nothing"

    async with page.expect_navigation(url=f"**/s/thanks?lang={language}"):
        await page.keyboard.press("Enter")
    assert await page.get_attribute("html", "lang") == words["html_lang"]
    assert await page.locator("h1").inner_text() == words["thanks"]
    await page.screenshot(path=output_dir / f"thanks-{language}.png", full_page=True)
    stored = await survey_site.answers_for(link)
    assert len(stored) == 1
    answer = stored[0]
    assert answer["responded_at"] is not None
    assert (answer["level"], answer["quality"], answer["delivery"]) == (2, 4, None)
    assert (answer["service_attitude"], answer["value"]) == (5, None)
    assert (answer["comment"], bool(answer["may_contact"])) == (words["comment"], True)

    # The form still open in another tab is sent too: one clear page, nothing more stored.
    await second_tab.click("label[for=level-0]")
    resent = await _submit(second_tab)
    assert resent == 404
    assert await second_tab.locator("h1").inner_text() == words["invalid"]
    again = await page.goto(link)
    assert again is not None
    assert again.status == 404
    await page.screenshot(path=output_dir / f"invalid-{language}.png", full_page=True)
    used_page = (await page.title(), await main_text(page))
    unknown = await page.goto(f"{survey_site.base_url}/s/{UNKNOWN_TOKEN}")
    assert unknown is not None
    assert unknown.status == 404
    assert (await page.title(), await main_text(page)) == used_page
    assert words["invalid"] in used_page[1]
    assert await survey_site.answers_for(link) == stored


def _nothing_stored() -> dict[str, None]:
    keys = ("level", "quality", "delivery", "service_attitude", "value", "comment")
    return dict.fromkeys((*keys, "may_contact", "responded_at"))


async def _submit(page: Page) -> int:
    """Click the form's button and wait for the page it leads to; that page's status."""
    async with page.expect_navigation() as navigation:
        await page.click("button[type=submit]")
    response = await navigation.value
    assert response is not None
    return response.status


async def test_the_language_switch_changes_only_the_display_language(
    survey_site: SurveySite, new_page: NewPage
) -> None:
    link = survey_site.link("zh")
    page = await new_page(locale="en-US")
    await page.goto(link)
    assert await page.get_attribute("html", "lang") == "zh-Hans", "the contact's language wins"
    assert await page.get_attribute("a[hreflang=zh-Hans]", "aria-current") == "true"
    async with page.expect_navigation(url="**?lang=en"):
        await page.click("text=English")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.get_attribute("a[hreflang=en]", "aria-current") == "true"
    assert await page.locator("legend").first.inner_text() == (
        f"{questionnaire_text('en').level_question} (required)"
    )
    async with page.expect_navigation(url="**?lang=zh"):
        await page.click("text=中文")
    async with page.expect_navigation(url="**?lang=en"):
        await page.click("text=English")
    assert await survey_site.answers_for(link) == [_nothing_stored()], "reading stores nothing"
    await page.click(f"text={dict(questionnaire_text('en').levels)[3]}")
    assert await _submit(page) == 200
    assert page.url.endswith("/s/thanks?lang=en")
    assert await page.locator("h1").inner_text() == "Thank you"
    stored = await survey_site.answers_for(link)
    assert [(row["level"], row["comment"]) for row in stored] == [(3, "")]


async def test_the_form_works_without_javascript(
    survey_site: SurveySite, new_page: NewPage
) -> None:
    link = survey_site.link("en")
    page = await new_page(java_script_enabled=False)
    await page.goto("data:text/html,<title>off</title><script>document.title = 'on'</script>")
    assert await page.title() == "off", "scripts really do not run in this context"
    await page.goto(link)
    await page.fill("#comment", "Sent without scripts.")
    await page.click("button[type=submit]")  # no level: the browser's own check holds it back
    assert page.url == link
    assert await page.evaluate("() => document.querySelector('#level-3').validity.valueMissing")
    assert await survey_site.answers_for(link) == [_nothing_stored()]
    await page.click("label[for=level-1]")
    await page.click("label[for=delivery-2]")
    assert await _submit(page) == 200
    assert page.url.endswith("/s/thanks?lang=en")
    stored = await survey_site.answers_for(link)
    assert [(r["level"], r["delivery"], r["comment"]) for r in stored] == [
        (1, 2, "Sent without scripts.")
    ]


async def _horizontal_overflow(page: Page) -> int:
    overflow: int = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


async def test_on_a_phone_nothing_scrolls_sideways_and_every_target_is_big_enough(
    survey_site: SurveySite, new_page: NewPage, output_dir: Path
) -> None:
    link = survey_site.link("zh")
    page = await new_page(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    await page.goto(link)
    assert await _horizontal_overflow(page) == 0
    targets = [t for t in await touch_targets(page) if t["right"] > 0]  # not the skip link
    assert len(targets) >= 30
    small = [t for t in targets if t["width"] < 44 or t["height"] < 44]
    assert small == [], "touch targets under 44 x 44 CSS pixels"
    assert all(t["right"] <= 375 for t in targets), "every target is within the screen"
    await page.tap("label[for=level-3]")
    await page.tap("label[for=quality-5]")
    await page.tap("label[for=may_contact]")
    await page.screenshot(path=output_dir / "survey-mobile-zh.png", full_page=True)
    async with page.expect_navigation(url="**/s/thanks?lang=zh"):
        await page.tap("button[type=submit]")
    assert await _horizontal_overflow(page) == 0
    await page.screenshot(path=output_dir / "thanks-mobile-zh.png", full_page=True)
    stored = await survey_site.answers_for(link)
    assert [(r["level"], r["quality"], bool(r["may_contact"])) for r in stored] == [(3, 5, True)]
