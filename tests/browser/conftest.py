"""`feedback serve` as its own process on each database, and Debian's Chromium via Playwright."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from feedback.surveys.waves import Period
from tests.conftest import TODAY
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, NewPage, SurveySite
from tests.support.servers import fresh_site, run_feedback, serving, write_csv

LINKS_PER_LANGUAGE = 6


def _write_customers(folder: Path) -> list[tuple[str, str, str]]:
    """accounts.csv and contacts.csv: one contact per account, half of them speaking Chinese."""
    contacts = [
        (f"{language.upper()}{n:02d}", f"{language}{n}@customer.example", language)
        for language in ("en", "zh")
        for n in range(LINKS_PER_LANGUAGE)
    ]
    write_csv(
        folder / "accounts.csv",
        ["code", "name", "industry", "region"],
        [[code, f"Customer {code}", "retail", "east"] for code, _, _ in contacts],
    )
    write_csv(
        folder / "contacts.csv",
        ["account_code", "email", "name", "language", "survey"],
        [[code, email, f"Contact {code}", language, "yes"] for code, email, language in contacts],
    )
    return contacts


def _read_links(path: Path, contacts: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    language_of = {email: language for _, email, language in contacts}
    links: dict[str, list[str]] = {"en": [], "zh": []}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            links[language_of[row["email"]]].append(row["link"])
    assert all(len(found) == LINKS_PER_LANGUAGE for found in links.values()), links
    return links


async def _issue_links(env: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Import the customers, open a wave around today and issue its links."""
    contacts = _write_customers(folder)
    today = TODAY
    period = str(Period.of(today))
    opens, closes = today - dt.timedelta(days=1), today + dt.timedelta(days=30)
    await run_feedback(env, "import", "accounts", folder / "accounts.csv")
    await run_feedback(env, "import", "contacts", folder / "contacts.csv")
    await run_feedback(
        env, "waves", "create", "--period", period, "--opens", f"{opens}", "--closes", f"{closes}"
    )
    await run_feedback(env, "waves", "issue", period, "--links-csv", folder / "links.csv")
    return _read_links(folder / "links.csv", contacts)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def survey_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SurveySite]:
    """`feedback serve` on a database of each kind, stopped at the end.

    Data goes in the way an administrator puts it there: `feedback db migrate`, `feedback
    import`, `feedback waves create` and `feedback waves issue --links-csv`. The service keeps
    the suite's today (FEEDBACK_TODAY), so the wave opens the day before and closes 30 days
    after.
    """
    folder = tmp_path_factory.mktemp(f"site-{request.param}")
    async with fresh_site(request.param, folder) as site, serving(site) as service:
        # The service starts while the data goes in: it reads the tables only per request.
        links = await _issue_links(site.env, folder)
        await service.wait_until_serving(site.base_url)
        yield SurveySite(site.kind, site.database_url, site.base_url, links)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; Playwright never downloads a browser of its own."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run scripts/setup dev as root"
    async with (
        async_playwright() as playwright,
        await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        ) as chromium,
    ):
        yield chromium


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[NewPage]:
    """Open a page in a fresh browser context (own cookies); contexts close after the test."""
    contexts: list[BrowserContext] = []

    async def open_page(**options: Any) -> Page:
        context = await browser.new_context(**{"locale": "en-US", **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()
