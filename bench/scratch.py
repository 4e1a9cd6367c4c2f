"""What the benchmarks share: throwaway PostgreSQL databases, opening one migrated, and
timing pages of `feedback serve` over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

if TYPE_CHECKING:
    from feedback.db import Database

__all__ = ["migrated_database", "p50_p99", "scratch_database", "served", "timed_gets"]

FEEDBACK = Path(sys.executable).parent / "feedback"


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new, empty database (or a copy of the database at ``template``)."""
    name = f"feedback_bench_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{urlsplit(template).path[1:]}"' if template else ""
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.asynccontextmanager
async def migrated_database(url: str, migrated: bool = True) -> AsyncIterator[Database]:
    """The database at ``url``, bound, open and migrated (unless it already is), closed after."""
    from feedback.db import Database, migrate  # not before: a caller may time its own imports
    from feedback.piccolo_conf import all_tables

    database = Database(url)
    database.bind(all_tables())
    await database.open()
    try:
        if migrated:
            with contextlib.redirect_stdout(io.StringIO()):  # Piccolo's migration banners
                await migrate()
        yield database
    finally:
        await database.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def served(url: str) -> AsyncIterator[str]:
    """`feedback serve` (one worker) on the database at ``url``; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "FEEDBACK_ENV": "test", "FEEDBACK_DATABASE_URL": url}
    server = await asyncio.create_subprocess_exec(
        FEEDBACK, "serve", "--port", str(port), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as probe:
            for _ in range(300):
                try:
                    if (await probe.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 30)


async def timed_gets(
    client: httpx.AsyncClient,
    path: str,
    requests: int,
    warmup: int,
    check: Callable[[httpx.Response], bool] = lambda response: True,
) -> list[float]:
    """Seconds of each of ``requests`` GETs of ``path`` after ``warmup`` untimed ones.

    Every answer must be a 200 that passes ``check``.
    """
    timings = []
    for n in range(warmup + requests):
        started = time.perf_counter()
        response = await client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text[:300]
        assert check(response), path
        if n >= warmup:
            timings.append(elapsed)
    return timings


def p50_p99(timings: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
