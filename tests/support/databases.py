"""Throwaway databases: a new PostgreSQL database per run or test, a SQLite file beside it.

The service is imported only inside the functions that need it: a benchmark imports this
module in a process that measures its own imports and memory."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

if TYPE_CHECKING:
    import pytest

    from feedback.db import Database

__all__ = [
    "POSTGRES_ADMIN_URL",
    "create_postgres_database",
    "drop_postgres_database",
    "empty_database",
    "empty_tables",
    "filled_database",
    "migrated_database",
    "on_database",
    "queries_of",
    "scratch_database",
]

T = TypeVar("T")
POSTGRES_ADMIN_URL = os.environ.get(
    "FEEDBACK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def create_postgres_database(
    admin_url: str = POSTGRES_ADMIN_URL, template: str | None = None
) -> tuple[str, str]:
    """A new PostgreSQL database, made through ``admin_url``: its name and its URL. It is
    empty, or a copy of the database at the URL ``template``."""
    name = f"feedback_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{urlsplit(template).path[1:]}"' if template else ""
    try:
        admin = await asyncpg.connect(admin_url, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin_url}: {exc}. "
            "Every database test runs on PostgreSQL too; start it and run again."
        ) from exc
    try:
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()
    parts = urlsplit(admin_url)
    return name, urlunsplit(parts._replace(path=f"/{name}"))


async def drop_postgres_database(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.contextmanager
def scratch_database(
    admin_url: str = POSTGRES_ADMIN_URL, template: str | None = None
) -> Iterator[str]:
    """The URL of a new PostgreSQL database made through ``admin_url`` (empty, or a copy of
    the one at ``template``), dropped after; for code outside an event loop."""
    name, url = asyncio.run(create_postgres_database(admin_url, template))
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(name, admin_url))


@contextlib.contextmanager
def throwaway_database(postgres_admin_url: str | None) -> Iterator[str]:
    """A new PostgreSQL database made through the admin URL when one is given, else a new
    SQLite file in a temporary folder; gone after (the benchmarks' ``--postgres`` choice)."""
    if postgres_admin_url:
        with scratch_database(postgres_admin_url) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="feedback-") as folder:
        yield f"sqlite:///{Path(folder) / 'feedback.sqlite3'}"


@contextlib.contextmanager
def empty_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of the kind (``sqlite`` or ``postgres``) for tests of
    the `feedback` command, which runs its own event loop; a PostgreSQL one is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'feedback.sqlite3'}"
        return
    with scratch_database() as url:
        yield url


async def empty_tables(database: Database) -> None:
    """Delete every row but the migration records."""
    from feedback.piccolo_conf import all_tables

    tables = [t for t in all_tables() if t._meta.tablename != "migration"]
    if database.kind == "postgres":
        names = ", ".join(f'"{t._meta.tablename}"' for t in tables)
        await database.engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    async with database.engine.transaction():
        for table in reversed(tables):
            await database.engine.run_ddl(f'DELETE FROM "{table._meta.tablename}"')


@contextlib.asynccontextmanager
async def migrated_database(url: str, migrated: bool = True) -> AsyncIterator[Database]:
    """The database at ``url``, bound, open and migrated (unless ``migrated`` is false, for
    one that already is), closed after."""
    from feedback.db import Database, migrate
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


def on_database(url: str, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on the database at ``url`` in an event loop of its own (for sync tests of
    the `feedback` command, which runs its own)."""

    async def runner() -> T:
        async with migrated_database(url, migrated=False):
            return await work()

    return asyncio.run(runner())


@contextlib.contextmanager
def filled_database(kind: str, folder: Path, fill: Callable[[], Awaitable[None]]) -> Iterator[str]:
    """The URL of a new database of the kind, migrated and filled by ``fill``, for tests of the
    `feedback` command; a PostgreSQL one is dropped after."""
    with empty_database(kind, folder) as url:

        async def migrate_and_fill() -> None:
            async with migrated_database(url):
                await fill()

        asyncio.run(migrate_and_fill())
        yield url


async def queries_of(work: Awaitable[object], monkeypatch: pytest.MonkeyPatch) -> int:
    """How many statements ``work`` sends to the database."""
    from feedback.db import engine_in_use

    engine = type(engine_in_use())
    run = engine.run_querystring
    sent = 0

    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal sent
        sent += 1
        return await run(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(engine, "run_querystring", counted)
        await work
    return sent
