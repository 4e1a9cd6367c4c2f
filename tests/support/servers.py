"""`feedback` as its own process: commands run as an administrator would, and `feedback serve`
on a fresh database of each kind."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import sys
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import command_env
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.network import free_port

__all__ = [
    "COMMAND_SECONDS",
    "ENDING_SECONDS",
    "FEEDBACK",
    "STARTUP_SECONDS",
    "Service",
    "Site",
    "fresh_site",
    "run_feedback",
    "served",
    "serving",
    "write_csv",
]

FEEDBACK = Path(sys.executable).parent / "feedback"
STARTUP_SECONDS = 30.0
COMMAND_SECONDS = 120.0
# A child told to end (or killed) that has not ended by then is stuck.
ENDING_SECONDS = 10.0


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
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
        await asyncio.wait_for(command.wait(), ENDING_SECONDS)
        pytest.fail(f"feedback {args} did not finish in {COMMAND_SECONDS} s")
    assert command.returncode == 0, f"feedback {args} failed:\n{output.decode()}"


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
        await asyncio.wait_for(self.reader, ENDING_SECONDS)


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
        pg_name, url = await create_postgres_database()
    port = free_port()
    env = {**os.environ, **command_env(url), "FEEDBACK_BASE_URL": f"http://127.0.0.1:{port}"}
    try:
        await run_feedback(env, "db", "migrate")
        yield Site(kind, url, port, env)
    finally:
        if pg_name:
            await drop_postgres_database(pg_name)


@contextlib.asynccontextmanager
async def serving(site: Site) -> AsyncIterator[Service]:
    """`feedback serve` on the site, stopped at the end; wait_until_serving() before use."""
    service = await Service.start(site.env, site.port)
    try:
        yield service
    finally:
        await service.stop()


@contextlib.asynccontextmanager
async def served(database_url: str) -> AsyncIterator[str]:
    """`feedback serve` (one worker, test settings) on the database at ``database_url`` and
    a free port, answering, stopped at the end; yields its base URL. An error raised inside
    carries the server's output as a note."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    env = {**os.environ, "FEEDBACK_ENV": "test", "FEEDBACK_DATABASE_URL": database_url}
    site = Site(kind, database_url, free_port(), env)
    failure: Exception | None = None
    try:
        async with serving(site) as service:
            try:
                await service.wait_until_serving(site.base_url)
                yield site.base_url
            except Exception as exc:
                failure = exc
                raise
    finally:
        if failure is not None:  # the service has stopped: its output is all there
            tail = "".join(service.log().splitlines(keepends=True)[-40:])
            failure.add_note(f"feedback serve's output, its last 40 lines:\n{tail}")
