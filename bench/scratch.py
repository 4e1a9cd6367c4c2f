"""The database a benchmark run works on: bound, opened, migrated, and closed afterwards."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator

from feedback.db import Database, migrate

__all__ = ["scratch_database"]


@contextlib.asynccontextmanager
async def scratch_database(url: str, migrated: bool = True) -> AsyncIterator[Database]:
    """The database at ``url``, migrated first unless told it already is."""
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
