"""An acknowledged survey answer survives the server being killed (SIGKILL) under load."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from pathlib import Path

import asyncpg
import httpx
import pytest

from feedback.links import token_hash
from feedback.surveys.waves import Period
from tests.conftest import TODAY
from tests.support.servers import (
    ENDING_SECONDS,
    Service,
    Site,
    fresh_site,
    run_feedback,
    serving,
    write_csv,
)

CUSTOMERS = 400
CLIENTS = 16
# Kill the server once this many answers were acknowledged, with the rest still in flight.
KILL_AFTER = 60
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
STORED_SQL = "SELECT i.token_hash AS hash, COUNT(r.id) AS answers FROM invitation i " \
    "LEFT JOIN response r ON r.invitation = i.id GROUP BY i.token_hash"  # fmt: skip


async def _stored_answers(url: str) -> dict[str, int]:
    """Answers per invitation (by token hash), read straight from the database files."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return dict(connection.execute(STORED_SQL).fetchall())
    connection = await asyncpg.connect(url)
    try:
        return {row["hash"]: row["answers"] for row in await connection.fetch(STORED_SQL)}
    finally:
        await connection.close()


async def _prepare(site: Site, folder: Path) -> list[str]:
    codes = [f"K{n:04d}" for n in range(CUSTOMERS)]
    write_csv(folder / "accounts.csv", ["code", "name"], [[c, f"Customer {c}"] for c in codes])
    write_csv(
        folder / "contacts.csv",
        ["account_code", "email", "language", "survey"],
        [[c, f"{c.lower()}@customer.example", "en", "yes"] for c in codes],
    )
    today = TODAY
    period = str(Period.of(today))
    opens, closes = today - dt.timedelta(days=1), today + dt.timedelta(days=30)
    await run_feedback(site.env, "import", "accounts", folder / "accounts.csv")
    await run_feedback(site.env, "import", "contacts", folder / "contacts.csv")
    await run_feedback(site.env, "waves", "create", "--period", period, "--opens", f"{opens}",
                    "--closes", f"{closes}")  # fmt: skip
    await run_feedback(site.env, "waves", "issue", period, "--links-csv", folder / "links.csv")
    lines = (folder / "links.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.rsplit(",", 1)[1] for line in lines]


async def _answer(link: str) -> bool:
    """GET the form, POST an answer as a browser would; True if the service acknowledged it."""
    async with httpx.AsyncClient(timeout=10) as client:
        form = await client.get(link)
        found = CSRF_FIELD.search(form.text)
        assert form.status_code == 200, form.text
        assert found is not None
        answer = {"level": "2", "_csrf_token": found.group(1)}
        posted = await client.post(link, data=answer)
        return posted.status_code == 303 and posted.headers["location"].startswith("/s/thanks")


async def _load_until_killed(service: Service, links: list[str]) -> set[str]:
    """Answer links from CLIENTS clients; SIGKILL the server mid-load. The acknowledged links."""
    acknowledged: set[str] = set()
    queue = list(links)
    killed = asyncio.Event()

    async def client() -> None:
        while queue:
            link = queue.pop()
            try:
                if await _answer(link):
                    acknowledged.add(link)
            except (httpx.TransportError, AssertionError):
                return  # the server is gone: this answer was never acknowledged
            if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                killed.set()
                service.process.kill()

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    if not killed.is_set():
        await service.stop()
        pytest.fail(f"the load ended with {len(acknowledged)} answers and no kill")
    await asyncio.wait_for(service.process.wait(), ENDING_SECONDS)
    return acknowledged


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_answers_acknowledged_before_a_kill_are_all_stored_once(
    kind: str, tmp_path: Path
) -> None:
    async with fresh_site(kind, tmp_path) as site:
        links = await _prepare(site, tmp_path)
        service = await Service.start(site.env, site.port)
        await service.wait_until_serving(site.base_url)
        acknowledged = await _load_until_killed(service, links)
        await asyncio.wait_for(service.reader, ENDING_SECONDS)
        assert service.process.returncode == -9, "the server was killed, not stopped"
        assert KILL_AFTER <= len(acknowledged) < CUSTOMERS

        stored = await _stored_answers(site.database_url)
        for link in acknowledged:
            assert stored[token_hash(link.rsplit("/", 1)[1])] == 1, f"lost or doubled: {link}"
        assert max(stored.values()) == 1

        async with serving(site) as restarted:
            await restarted.wait_until_serving(site.base_url)
            used = sorted(acknowledged)[0]
            unused = next(link for link in links if stored[token_hash(link.rsplit("/", 1)[1])] == 0)
            async with httpx.AsyncClient(timeout=10) as client:
                assert (await client.get(used)).status_code == 404, "a used link stays used"
            assert await _answer(unused), "links nobody answered still work after the restart"
