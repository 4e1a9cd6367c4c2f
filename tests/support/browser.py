"""What the browser tests share: Debian's Chromium, pages, and the survey site they answer."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from playwright.async_api import Page

from feedback.links import token_hash

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "NewPage", "SurveySite"]

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
NewPage = Callable[..., Awaitable[Page]]
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
