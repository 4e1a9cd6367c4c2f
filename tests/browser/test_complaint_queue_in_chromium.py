"""The complaint queue and the act-on-a-complaint flow in headless Chromium, on each database.

The service runs as `feedback serve`; staff users and accounts go in the way an administrator
puts them there (`feedback users create`, `feedback import accounts`), complaints through the
API. The service keeps the real clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from tests.support.browser import NewPage
from tests.support.servers import Site, fresh_site, run_feedback, serving

pytestmark = pytest.mark.browser

PASSWORD = "queue-test-password"
AGENT, SUPERVISOR = "ann@service.example", "sam@service.example"
HOSTILE = '<img src=x onerror="alert(1)">'


@dataclass
class QueueSite:
    kind: str
    base_url: str
    complaint_ids: dict[str, int]


async def _prepare(site: Site, folder: Path) -> None:
    for email, name, role in (
        (AGENT, "Ann Agent", "agent"),
        (SUPERVISOR, "Sam Lead", "supervisor"),
    ):
        await run_feedback(site.env, "users", "create", "--email", email, "--name", name,
                           "--role", role, "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    (folder / "accounts.csv").write_text(
        "code,name,industry,region\nACC-1,Alpha Foods,food,north\nACC-2,Beta Metals,metals,south\n"
    )
    await run_feedback(site.env, "import", "accounts", str(folder / "accounts.csv"))


async def _raise_complaints(base_url: str) -> dict[str, int]:
    """Three complaints through the API, as the supervisor; ids by severity."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"email": SUPERVISOR, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        await client.get("/api/v1/auth/me")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        ids = {}
        for code, severity, text in (("ACC-1", "minor", "Invoice wrong."),
                                     ("ACC-2", "severe", HOSTILE),
                                     ("ACC-1", "major", "Late delivery.")):  # fmt: skip
            response = await client.post("/api/v1/complaints", json={
                "account_code": code, "channel": "phone", "category": "delivery",
                "severity": severity, "description": text})  # fmt: skip
            assert response.status_code == 201, response.text
            ids[severity] = response.json()["id"]
        return ids


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def queue_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[QueueSite]:
    folder = tmp_path_factory.mktemp(f"queue-{request.param}")
    async with fresh_site(request.param, folder) as site:
        await _prepare(site, folder)
        async with serving(site) as service:
            await service.wait_until_serving(site.base_url)
            yield QueueSite(site.kind, site.base_url, await _raise_complaints(site.base_url))


async def _logged_in(new_page: NewPage, site: QueueSite, email: str, width: int = 1280) -> Page:
    page = await new_page(locale="en-GB", viewport={"width": width, "height": 900})
    await page.goto(f"{site.base_url}/login?next=/complaints")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{site.base_url}/complaints")
    return page


async def _queue_ids(page: Page) -> list[int]:
    links = await page.locator("table.queue tbody a").all_inner_texts()
    return [int(text.lstrip("#")) for text in links]


async def test_the_queue_sorts_by_deadline_filters_and_says_the_time_left(
    new_page: NewPage, queue_site: QueueSite, output_dir: Path
) -> None:
    page = await _logged_in(new_page, queue_site, SUPERVISOR)
    ids = queue_site.complaint_ids
    # Severe deadlines come first, then major, then minor.
    assert await _queue_ids(page) == [ids["severe"], ids["major"], ids["minor"]]
    first = page.locator("table.queue tbody tr").first.locator(".due")
    assert (await first.inner_text()).endswith(" left")
    assert await first.get_attribute("class") == "due due-on_track"
    colour = await first.evaluate("(el) => getComputedStyle(el).color")
    assert colour == "rgb(26, 127, 55)"  # --ok, repeating what the words say
    await page.select_option("select[name=severity]", "major")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**severity=major**")
    assert await _queue_ids(page) == [ids["major"]]
    await page.screenshot(
        path=output_dir / f"complaint-queue-{queue_site.kind}.png", full_page=True
    )
    await page.click("nav.views >> text=Unassigned")
    assert len(await _queue_ids(page)) == 3


async def test_an_agent_takes_a_complaint_and_acts_through_the_allowed_forms(
    new_page: NewPage, queue_site: QueueSite, output_dir: Path
) -> None:
    page = await _logged_in(new_page, queue_site, AGENT)
    severe = queue_site.complaint_ids["severe"]
    assert await _queue_ids(page) == []  # an agent's queue opens on "mine"
    await page.click("nav.views >> text=Team")
    await page.click(f"a[href='/complaints/{severe}']")
    await page.wait_for_url(f"**/complaints/{severe}")
    assert HOSTILE in await page.locator(".card p.text").first.inner_text()  # shown as text
    assert await page.locator("img[src=x]").count() == 0
    assert await page.locator("form.action-form input[name=action]").evaluate_all(
        "(els) => els.map((el) => el.value)"
    ) == ["apologise"]  # received allows apologise and cancel; only supervisors cancel
    await page.click("text=Take it on")
    await page.wait_for_selector("text=Assigned to you.")
    await page.fill("#apologise-message", "We are sorry about the late delivery.")
    await page.click("#form-apologise button[type=submit]")
    await page.wait_for_selector("text=apologised")
    actions = page.locator("form.action-form input[name=action]")
    assert await actions.evaluate_all("(els) => els.map((el) => el.value)") == ["investigate"]
    await page.fill("#note-text", "Customer prefers a call after 3 pm.")
    await page.click("text=Add note")
    history = await page.locator("ol.history").inner_text()
    expected = (
        "opened",
        "assigned by Ann Agent",
        "assignee: Ann Agent",
        "apologise (received → apologised)",
        "by Ann Agent",
        "We are sorry about the late delivery.",
        "Customer prefers a call after 3 pm.",
    )
    for line in expected:
        assert line in history
    await page.screenshot(
        path=output_dir / f"complaint-detail-{queue_site.kind}.png", full_page=True
    )
    await page.goto(f"{queue_site.base_url}/complaints?view=mine")
    assert await _queue_ids(page) == [severe]


async def test_on_a_phone_the_queue_rows_are_cards_with_every_column_named(
    new_page: NewPage, queue_site: QueueSite, output_dir: Path
) -> None:
    page = await _logged_in(new_page, queue_site, SUPERVISOR, width=375)
    rows = page.locator("table.queue tbody tr")
    assert await rows.count() == 3
    first = rows.first
    box = await first.bounding_box()
    assert box is not None
    assert box["width"] <= 375  # no sideways scrolling
    # Each cell shows its column's name beside its value, all within the card.
    cells = await first.locator("td").evaluate_all(
        "(tds) => tds.map((td) => [getComputedStyle(td, '::before').content, "
        "td.getBoundingClientRect().right])"
    )
    names = [content.strip('"') for content, _ in cells]
    assert names == ["#", "Time left", "Account", "Tier", "Severity", "Category", "State",
                     "Assignee", "Received"]  # fmt: skip
    assert all(right <= box["x"] + box["width"] + 0.5 for _, right in cells)
    # Whichever complaint comes first (the tests before act on them), its account is shown.
    shown = await first.inner_text()
    assert "Beta Metals\nACC-2" in shown or "Alpha Foods\nACC-1" in shown
    await page.screenshot(path=output_dir / f"complaint-queue-375-{queue_site.kind}.png",
                          full_page=True)  # fmt: skip
    wide = await _logged_in(new_page, queue_site, SUPERVISOR)
    header = wide.locator("table.queue thead th").first
    assert await header.is_visible()
    wide_cell = wide.locator("table.queue tbody td").first
    assert await wide_cell.evaluate("(td) => getComputedStyle(td).display") == "table-cell"
