"""The complaint queue and the act-on-a-complaint flow in headless Chromium, on each database.

The service runs as `feedback serve`; staff users and accounts go in the way an administrator
puts them there (`feedback users create`, `feedback import accounts`), complaints through the
API. The service keeps the real clock.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import _create_postgres_database, _drop_postgres_database

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home and stalls.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FEEDBACK = Path(sys.executable).parent / "feedback"
PASSWORD = "queue-test-password"
AGENT, SUPERVISOR = "ann@service.example", "sam@service.example"
HOSTILE = '<img src=x onerror="alert(1)">'


@dataclass
class QueueSite:
    kind: str
    base_url: str
    complaint_ids: dict[str, int]


async def _feedback(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    command = await asyncio.create_subprocess_exec(
        FEEDBACK, *args, env=env, stdin=PIPE, stdout=PIPE, stderr=STDOUT
    )
    output, _ = await command.communicate(stdin.encode() if stdin else None)
    assert command.returncode == 0, f"feedback {args} failed:\n{output.decode()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_until_serving(process: asyncio.subprocess.Process, base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        for _ in range(300):
            assert process.returncode is None, "feedback serve exited"
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    pytest.fail("feedback serve did not answer in 30 s")


async def _prepare(env: dict[str, str], folder: Path) -> None:
    await _feedback(env, "db", "migrate")
    for email, name, role in (
        (AGENT, "Ann Agent", "agent"),
        (SUPERVISOR, "Sam Lead", "supervisor"),
    ):
        await _feedback(env, "users", "create", "--email", email, "--name", name, "--role", role,
                        "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    (folder / "accounts.csv").write_text(
        "code,name,industry,region\nACC-1,Alpha Foods,food,north\nACC-2,Beta Metals,metals,south\n"
    )
    await _feedback(env, "import", "accounts", str(folder / "accounts.csv"))


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
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'feedback.sqlite3'}"
    else:
        pg_name, url = await _create_postgres_database()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FEEDBACK_ENV": "test", "FEEDBACK_DATABASE_URL": url,
           "FEEDBACK_BASE_URL": base_url}  # fmt: skip
    process = None
    try:
        await _prepare(env, folder)
        process = await asyncio.create_subprocess_exec(
            FEEDBACK, "serve", "--port", str(port), env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await _wait_until_serving(process, base_url)
        yield QueueSite(request.param, base_url, await _raise_complaints(base_url))
    finally:
        if process and process.returncode is None:
            process.terminate()
            await process.wait()
        if pg_name:
            await _drop_postgres_database(pg_name)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; Playwright never downloads a browser of its own."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install chromium"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def _logged_in(browser: Browser, site: QueueSite, email: str) -> Page:
    context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = await context.new_page()
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
    browser: Browser, queue_site: QueueSite, output_dir: Path
) -> None:
    page = await _logged_in(browser, queue_site, SUPERVISOR)
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
    await page.context.close()


async def test_an_agent_takes_a_complaint_and_acts_through_the_allowed_forms(
    browser: Browser, queue_site: QueueSite, output_dir: Path
) -> None:
    page = await _logged_in(browser, queue_site, AGENT)
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
    await page.context.close()
