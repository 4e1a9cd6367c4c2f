"""`feedback serve` as its own process on each database, and Debian's Chromium via Playwright."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import os
import socket
import sqlite3
import sys
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from feedback.surveys.tokens import token_hash
from feedback.surveys.waves import Period
from tests.conftest import TODAY, _create_postgres_database, _drop_postgres_database, command_env

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
STARTUP_SECONDS = 30.0
COMMAND_SECONDS = 120.0
# A child told to end (or killed) that has not ended by then is stuck.
ENDING_SECONDS = 10.0
LINKS_PER_LANGUAGE = 6
ANSWER_SQL = (
    "SELECT r.level, r.quality, r.delivery, r.service_attitude, r.value, r.comment, "
    "r.may_contact, i.responded_at FROM invitation i LEFT JOIN response r "
    "ON r.invitation = i.id WHERE i.token_hash = {}"
)


@dataclass
class SurveySite:
    """A running service on one database, with unused personal links by contact language."""

    kind: str
    database_url: str
    base_url: str
    links: dict[str, list[str]] = field(default_factory=dict)

    def link(self, language: str) -> str:
        """A personal link nobody has opened yet (each test takes its own)."""
        return self.links[language].pop()

    async def answers_for(self, link: str) -> list[dict[str, Any]]:
        """The stored answers of a link's invitation (with its responded_at), read directly."""
        digest = token_hash(link.rsplit("/", 1)[1])
        if self.kind == "sqlite":
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as connection:
                connection.row_factory = sqlite3.Row
                rows = connection.execute(ANSWER_SQL.format("?"), (digest,)).fetchall()
            return [dict(row) for row in rows]
        connection = await asyncpg.connect(self.database_url)
        try:
            return [dict(r) for r in await connection.fetch(ANSWER_SQL.format("$1"), digest)]
        finally:
            await connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def run_feedback(env: dict[str, str], *args: str | Path, stdin: str | None = None) -> None:
    """Run one `feedback` command as an administrator would; fail with its output."""
    command = await asyncio.create_subprocess_exec(
        FEEDBACK, *map(str, args), env=env, stdin=PIPE, stdout=PIPE, stderr=STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(
            command.communicate(stdin.encode() if stdin else None), COMMAND_SECONDS
        )
    except TimeoutError:
        command.kill()
        await command.wait()
        pytest.fail(f"feedback {args} did not finish in {COMMAND_SECONDS} s")
    assert command.returncode == 0, f"feedback {args} failed:\n{output.decode()}"


def _write_customers(folder: Path) -> list[tuple[str, str, str]]:
    """accounts.csv and contacts.csv: one contact per account, half of them speaking Chinese."""
    contacts = [
        (f"{language.upper()}{n:02d}", f"{language}{n}@customer.example", language)
        for language in ("en", "zh")
        for n in range(LINKS_PER_LANGUAGE)
    ]
    _write_csv(
        folder / "accounts.csv",
        ["code", "name", "industry", "region"],
        [[code, f"Customer {code}", "retail", "east"] for code, _, _ in contacts],
    )
    _write_csv(
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


async def _keep(process: asyncio.subprocess.Process, output: list[bytes]) -> None:
    """Read a child's output as it comes, so that it never blocks on a full pipe."""
    assert process.stdout is not None
    async for line in process.stdout:
        output.append(line)


@dataclass
class Service:
    """`feedback serve` as a child process; its output is kept for failure messages."""

    process: asyncio.subprocess.Process
    reader: asyncio.Task[None]
    output: list[bytes]

    @classmethod
    async def start(cls, env: dict[str, str], port: int) -> Service:
        process = await asyncio.create_subprocess_exec(
            FEEDBACK, "serve", "--port", str(port), env=env, stdout=PIPE, stderr=STDOUT
        )
        output: list[bytes] = []
        return cls(process, asyncio.create_task(_keep(process, output)), output)

    def log(self) -> str:
        return b"".join(self.output).decode(errors="replace")

    async def wait_until_serving(self, base_url: str) -> None:
        """Poll /health until the service answers; fail with its log if it exits or never does."""
        deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
        async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
            while asyncio.get_running_loop().time() < deadline:
                if self.process.returncode is not None:
                    pytest.fail(f"feedback serve exited:\n{self.log()}")
                try:
                    if (await client.get("/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        pytest.fail(f"feedback serve did not answer in {STARTUP_SECONDS} s:\n{self.log()}")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), ENDING_SECONDS)
            except TimeoutError:
                self.process.kill()
                await asyncio.wait_for(self.process.wait(), ENDING_SECONDS)
        await self.reader


@dataclass(frozen=True)
class Site:
    """A fresh, migrated database of one kind and the environment to serve it on a free port."""

    kind: str
    database_url: str
    port: int
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def fresh_site(kind: str, folder: Path) -> AsyncIterator[Site]:
    """A new SQLite file in ``folder`` or a new PostgreSQL database, dropped at the end."""
    pg_name = None
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'feedback.sqlite3'}"
    else:
        pg_name, url = await _create_postgres_database()
    port = _free_port()
    env = {**os.environ, **command_env(url), "FEEDBACK_BASE_URL": f"http://127.0.0.1:{port}"}
    try:
        await run_feedback(env, "db", "migrate")
        yield Site(kind, url, port, env)
    finally:
        if pg_name:
            await _drop_postgres_database(pg_name)


@contextlib.asynccontextmanager
async def serving(site: Site) -> AsyncIterator[Service]:
    """`feedback serve` on the site, stopped at the end; wait_until_serving() before use."""
    service = await Service.start(site.env, site.port)
    try:
        yield service
    finally:
        await service.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def survey_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SurveySite]:
    """`feedback serve` on a database of each kind, stopped at the end.

    Data goes in the way an administrator puts it there: `feedback db migrate`, `feedback
    import`, `feedback waves create` and `feedback waves issue --links-csv`. The service keeps
    the real clock, so the wave opens yesterday and closes in 30 days.
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
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            await chromium.close()


NewPage = Callable[..., Awaitable[Page]]


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
