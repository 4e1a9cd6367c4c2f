"""P1/P1b reference: the survey GET form + POST answer path written directly on Litestar.

Served by bench/bench_submissions.py under uvicorn, like the service:

    BENCH_REFERENCE_URL=sqlite:///path.sqlite3 uvicorn --app-dir bench \
        submission_reference:create_app --factory

It does what the service's path does, with nothing in between: look the link's token hash
up (unanswered, not expired, wave open), show a small HTML form with a CSRF token (cookie
and hidden field), and on POST check the token, validate the level, the ratings and the
comment, then in one transaction mark the invitation answered (only if it still is not)
and insert the response row. SQLite: one persistent aiosqlite connection (WAL,
synchronous=NORMAL), write transactions serialised by an asyncio lock. PostgreSQL: an
asyncpg pool per worker (2 to 20 connections, as the service's).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import html
import os
import secrets
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosqlite
import asyncpg
from litestar import Litestar, Request, Response, get, post
from litestar.enums import MediaType
from litestar.response import Redirect

__all__ = ["create_app"]

CSRF_COOKIE = "csrftoken"
LEVELS = frozenset("0123")
RATINGS = frozenset("12345")
ASPECTS = ("quality", "delivery", "service_attitude", "value")
MAX_COMMENT = 4000
LOOKUP = (
    "SELECT i.id, i.wave, i.account, q.version FROM invitation i "
    "JOIN wave w ON w.id = i.wave JOIN questionnaire q ON q.id = w.questionnaire "
    "WHERE i.token_hash = {0} AND i.responded_at IS NULL AND i.expires_at > {1} "
    "AND w.status = 'open'"
)
CLAIM = (
    "UPDATE invitation SET responded_at = {0} "
    "WHERE id = {1} AND responded_at IS NULL AND expires_at > {0} RETURNING id"
)  # on SQLite, "?" placeholders: the time is passed twice
INSERT = (
    "INSERT INTO response (invitation, wave, account, questionnaire_version, level, quality, "
    "delivery, service_attitude, value, comment, may_contact, channel, recorded_by, "
    "created_at) VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, 'web', NULL, "
    "{11})"
)
FORM = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your opinion</title>'
    '</head><body><h1>Your opinion</h1><p>Survey {period}.</p><form method="post">'
    '<input type="hidden" name="_csrf_token" value="{csrf}">{levels}{aspects}'
    '<textarea name="comment" maxlength="4000"></textarea>'
    '<input type="checkbox" name="may_contact" value="yes">'
    '<button type="submit">Send my answer</button></form></body></html>'
)
LEVEL_INPUTS = "".join(
    f'<input type="radio" id="level-{n}" name="level" value="{n}" required>'
    f'<label for="level-{n}">Level {n}</label>'
    for n in range(4)
)
ASPECT_INPUTS = "".join(
    f'<input type="radio" name="{aspect}" value="{rating}">'
    for aspect in ASPECTS
    for rating in "12345"
)


class Store(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def lookup(self, token_hash: str, now: dt.datetime) -> tuple[Any, ...] | None: ...
    async def record(self, invitation: tuple[Any, ...], values: tuple[Any, ...]) -> bool: ...


class SQLiteStore:
    """One persistent connection; the lock keeps one write transaction at a time on it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = asyncio.Lock()
        self.connection: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.connection = await aiosqlite.connect(self.path, isolation_level=None)
        await self.connection.execute("PRAGMA journal_mode = WAL")
        await self.connection.execute("PRAGMA synchronous = NORMAL")
        await self.connection.execute("PRAGMA busy_timeout = 30000")

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def lookup(self, token_hash: str, now: dt.datetime) -> tuple[Any, ...] | None:
        assert self.connection is not None
        sql = LOOKUP.format("?", "?")
        async with self.connection.execute(sql, (token_hash, str(now))) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row is not None else None

    async def record(self, invitation: tuple[Any, ...], values: tuple[Any, ...]) -> bool:
        assert self.connection is not None
        now = str(values[-1])
        async with self.lock:
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = await self.connection.execute(
                    CLAIM.format("?", "?"), (now, invitation[0], now)
                )
                claimed = await cursor.fetchone()
                await cursor.close()
                if claimed is None:
                    await self.connection.execute("ROLLBACK")
                    return False
                await self.connection.execute(
                    INSERT.format(*["?"] * 12), (*invitation, *values[:-1], now)
                )
                await self.connection.execute("COMMIT")
            except BaseException:
                await self.connection.execute("ROLLBACK")
                raise
        return True


class PostgresStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(self.url, min_size=2, max_size=20)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def lookup(self, token_hash: str, now: dt.datetime) -> tuple[Any, ...] | None:
        assert self.pool is not None
        row = await self.pool.fetchrow(LOOKUP.format("$1", "$2"), token_hash, now)
        return tuple(row) if row is not None else None

    async def record(self, invitation: tuple[Any, ...], values: tuple[Any, ...]) -> bool:
        assert self.pool is not None
        async with self.pool.acquire() as connection, connection.transaction():
            claimed = await connection.fetchval(
                CLAIM.format("$1", "$2"),
                values[-1],
                invitation[0],
            )
            if claimed is None:
                return False  # nothing written: the transaction ends without changes
            placeholders = [f"${n}" for n in range(1, 13)]
            await connection.execute(INSERT.format(*placeholders), *invitation, *values)
        return True


def _store(url: str) -> Store:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return SQLiteStore(unquote(parts.path[1:]))
    return PostgresStore(url)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invalid() -> Response[str]:
    page = "<!doctype html><title>Link not usable</title><p>This link cannot be used.</p>"
    return Response(page, status_code=404, media_type=MediaType.HTML)


def _form(request: Request[Any, Any, Any], period: str, status: int = 200) -> Response[str]:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_hex(32)
    page = FORM.format(
        period=html.escape(period), csrf=token, levels=LEVEL_INPUTS, aspects=ASPECT_INPUTS
    )
    response = Response(page, status_code=status, media_type=MediaType.HTML)
    response.set_cookie(CSRF_COOKIE, token, samesite="strict")
    return response


def _values(form: Any, now: dt.datetime) -> tuple[Any, ...] | None:
    """(level, quality, delivery, service_attitude, value, comment, may_contact, now)."""
    level = str(form.get("level", ""))
    ratings = [str(form.get(aspect, "")) for aspect in ASPECTS]
    comment = str(form.get("comment", "")).replace("\r\n", "\n")
    if level not in LEVELS or len(comment) > MAX_COMMENT:
        return None
    if any(rating and rating not in RATINGS for rating in ratings):
        return None
    scores = [int(rating) if rating else None for rating in ratings]
    return (int(level), *scores, comment, bool(form.get("may_contact")), now)


def create_app() -> Litestar:
    store = _store(os.environ["BENCH_REFERENCE_URL"])

    @get("/s/thanks")
    async def thanks() -> Response[str]:
        page = "<!doctype html><title>Thank you</title><p>Thank you for your answer.</p>"
        return Response(page, media_type=MediaType.HTML)

    @get("/s/{token:str}")
    async def questionnaire(request: Request[Any, Any, Any], token: str) -> Response[str]:
        if await store.lookup(_hash(token), dt.datetime.now(dt.UTC)) is None:
            return _invalid()
        return _form(request, "2026-H2")

    @post("/s/{token:str}", status_code=303)
    async def answer(request: Request[Any, Any, Any], token: str) -> Response[Any]:
        form = await request.form()
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, str(form.get("_csrf_token", ""))):
            return Response("CSRF token missing or wrong", status_code=403)
        now = dt.datetime.now(dt.UTC)
        invitation = await store.lookup(_hash(token), now)
        if invitation is None:
            return _invalid()
        values = _values(form, now)
        if values is None:
            return _form(request, "2026-H2", status=400)
        if not await store.record(invitation, values):
            return _invalid()
        return Redirect("/s/thanks?lang=en", status_code=303)

    return Litestar(
        route_handlers=[thanks, questionnaire, answer],
        on_startup=[store.open],
        on_shutdown=[store.close],
    )
