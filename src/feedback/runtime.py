"""What every command shares: the configured database opened around its work, and its errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from feedback.config import Settings
from feedback.db import Database
from feedback.errors import DomainError
from feedback.piccolo_conf import all_tables

__all__ = ["Refused", "run_on_database"]

T = TypeVar("T")


def run_on_database(work: Callable[[Settings], Awaitable[T]]) -> T:
    """Open the configured database, run ``work``, close it; domain errors end the command."""
    settings = Settings.from_env()

    async def runner() -> T:
        database = Database(settings.database_url)
        database.bind(all_tables())
        await database.open()
        try:
            return await work(settings)
        finally:
            await database.close()

    try:
        return asyncio.run(runner())
    except DomainError as exc:
        raise Refused(exc) from exc


class Refused(click.ClickException):
    """A domain error that ends a command: its message, and the exit status it asks for."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.error.exit_code
