"""Databases for the benchmarks: throwaway PostgreSQL ones, and opening one migrated."""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg

if TYPE_CHECKING:
    from feedback.db import Database

__all__ = ["migrated_database", "scratch_database"]


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

    database = Database(url)
    database.bind()
    await database.open()
    try:
        if migrated:
            with contextlib.redirect_stdout(io.StringIO()):  # Piccolo's migration banners
                await migrate()
        yield database
    finally:
        await database.close()
