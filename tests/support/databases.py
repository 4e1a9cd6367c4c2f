"""Throwaway databases: a new PostgreSQL database per run or test, a SQLite file beside it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from feedback.db import Database
from feedback.piccolo_conf import all_tables

__all__ = [
    "POSTGRES_ADMIN_URL",
    "create_postgres_database",
    "drop_postgres_database",
    "empty_database",
    "empty_tables",
    "on_database",
]

T = TypeVar("T")
POSTGRES_ADMIN_URL = os.environ.get(
    "FEEDBACK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def create_postgres_database() -> tuple[str, str]:
    """A new, empty PostgreSQL database: its name and its URL."""
    name = f"feedback_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}. "
            "Every database test runs on PostgreSQL too; start it and run again."
        ) from exc
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    parts = urlsplit(POSTGRES_ADMIN_URL)
    return name, urlunsplit(parts._replace(path=f"/{name}"))


async def drop_postgres_database(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextmanager
def empty_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of the kind (``sqlite`` or ``postgres``) for tests of
    the `feedback` command, which runs its own event loop; a PostgreSQL one is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'feedback.sqlite3'}"
        return
    name, url = asyncio.run(create_postgres_database())
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(name))


async def empty_tables(database: Database) -> None:
    """Delete every row but the migration records."""
    tables = [t for t in all_tables() if t._meta.tablename != "migration"]
    if database.kind == "postgres":
        names = ", ".join(f'"{t._meta.tablename}"' for t in tables)
        await database.engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    async with database.engine.transaction():
        for table in reversed(tables):
            await database.engine.run_ddl(f'DELETE FROM "{table._meta.tablename}"')


def on_database(url: str, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on the database at ``url`` in an event loop of its own (for sync tests of
    the `feedback` command, which runs its own)."""

    async def runner() -> T:
        database = Database(url)
        database.bind(all_tables())
        await database.open()
        try:
            return await work()
        finally:
            await database.close()

    return asyncio.run(runner())
