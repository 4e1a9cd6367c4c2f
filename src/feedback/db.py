"""The database layer: one engine per URL, bound to every table, on SQLite or PostgreSQL.

Piccolo's stock SQLite engine opens a new connection for every query outside a
transaction and lets concurrent writers fight over the file lock. ``SerialSQLiteEngine``
keeps one persistent writer connection, serialises write transactions on it with an
asyncio lock (so writers in this process queue instead of failing with "database is
locked"), begins them IMMEDIATE with a busy timeout (for writers in other processes), and
answers reads from a few persistent reader connections that WAL lets run alongside.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
import numpy as np
import numpy.typing as npt
from piccolo.conf.apps import AppConfig
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

from feedback.errors import ConfigurationError

__all__ = [
    "Database",
    "SerialSQLiteEngine",
    "app_config",
    "bound",
    "engine_for_url",
    "engine_in_use",
    "migrate",
    "ping",
    "transaction",
]

PICCOLO_CONF = "feedback.piccolo_conf"
BUSY_TIMEOUT_MS = 30_000
NUMBER_ROWS_PER_FETCH = 100_000
READ_PREFIXES = ("SELECT", "WITH", "EXPLAIN")
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
)


class SerialTransaction(SQLiteTransaction):
    """A write transaction on the engine's single writer connection."""

    engine: SerialSQLiteEngine

    async def __aenter__(self) -> SerialTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        lock = await self.engine.write_lock()
        await lock.acquire()
        try:
            self.connection = await self.engine.writer()
            await self.connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    await self.rollback()
                    raise
        finally:
            self.engine.current_transaction.reset(self.context)
            (await self.engine.write_lock()).release()
        return exception is None


class SerialSQLiteEngine(SQLiteEngine):
    """SQLite with one serialised writer connection and a few persistent readers."""

    def __init__(self, path: str, readers: int = 4) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000)
        self.reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all_readers: list[aiosqlite.Connection] = []
        self._lock: asyncio.Lock | None = None
        self._opening = asyncio.Lock()

    async def get_connection(self) -> aiosqlite.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in SQLITE_PRAGMAS:
            await connection.execute(pragma)
        return connection

    async def start(self) -> None:
        async with self._opening:
            if self._writer is not None:
                return
            self._writer = await self.get_connection()
            self._lock = asyncio.Lock()
            self._readers = asyncio.Queue()
            for _ in range(self.reader_count):
                reader = await self.get_connection()
                await reader.execute("PRAGMA query_only = ON")
                self._all_readers.append(reader)
                self._readers.put_nowait(reader)

    async def close(self) -> None:
        async with self._opening:
            connections = [self._writer, *self._all_readers]
            self._writer, self._readers, self._lock = None, None, None
            self._all_readers = []
            for connection in connections:
                if connection is not None:
                    await connection.close()

    async def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            await self.start()
        assert self._writer is not None
        return self._writer

    async def write_lock(self) -> asyncio.Lock:
        if self._lock is None:
            await self.start()
        assert self._lock is not None
        return self._lock

    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._readers is None:
            await self.start()
        assert self._readers is not None
        connection = await self._readers.get()
        try:
            yield connection
        finally:
            self._readers.put_nowait(connection)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SerialTransaction:
        return SerialTransaction(
            engine=self, transaction_type=TransactionType.immediate, allow_nested=allow_nested
        )

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> list[dict[str, Any]]:
        # One trip to the connection's thread (not three: execute, fetch, close); under load
        # each trip waits for the event loop to hand over the GIL.
        return list(await connection.execute_fetchall(query, args or []))  # type: ignore[arg-type]

    async def _run(self, query: str, args: list[Any] | None) -> list[dict[str, Any]]:
        current = self.current_transaction.get()
        if current is not None:
            return await self._run_in_existing_connection(current.connection, query, args)
        if query.lstrip()[:7].upper().startswith(READ_PREFIXES) and " RETURNING " not in query:
            async with self.reader() as connection:
                return await self._run_in_existing_connection(connection, query, args)
        async with self.transaction() as transaction:
            rows = await self._run_in_existing_connection(transaction.connection, query, args)
        return rows

    async def run_querystring(
        self, querystring: QueryString, in_pool: bool = False
    ) -> list[dict[str, Any]]:
        query, args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        return await self._run(query, args)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> list[dict[str, Any]]:
        return await self._run(ddl, None)


def engine_for_url(url: str) -> Engine[Any]:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path`` or ``postgresql://...``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ConfigurationError(f"FEEDBACK_DATABASE_URL has no file path: {url!r}")
        return SerialSQLiteEngine(path=path)
    if parts.scheme in {"postgresql", "postgres"}:
        return PostgresEngine(config={"dsn": url})
    raise ConfigurationError(
        f"FEEDBACK_DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}"
    )


class Database:
    """The engine for one database URL and its lifecycle."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for_url(url)

    @property
    def kind(self) -> str:
        return "sqlite" if isinstance(self.engine, SQLiteEngine) else "postgres"

    async def open(self) -> None:
        if isinstance(self.engine, SerialSQLiteEngine):
            await self.engine.start()
        elif isinstance(self.engine, PostgresEngine) and self.engine.pool is None:
            await self.engine.start_connection_pool(min_size=2, max_size=20)

    async def close(self) -> None:
        if isinstance(self.engine, SerialSQLiteEngine):
            await self.engine.close()
        elif isinstance(self.engine, PostgresEngine) and self.engine.pool is not None:
            await self.engine.close_connection_pool()

    def bind(self, tables: Iterable[type[Table]]) -> None:
        """Make this the engine of the tables (``piccolo_conf.all_tables()``) and of Piccolo's
        migration runner, which finds it as ``piccolo_conf.DB``."""
        global _bound
        for table in tables:
            table._meta._db = self.engine
        _bound = self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many rows inside the current transaction.

        ``sql`` uses ``?`` placeholders; they become ``$n`` on PostgreSQL.
        """
        current = self.engine.current_transaction.get()
        if current is None:
            raise RuntimeError("executemany must run inside a transaction")
        if self.kind == "postgres":
            sql = _numbered_placeholders(sql)
        await current.connection.executemany(sql, list(rows))

    async def read_numbers(self, sql: str, *args: Any) -> npt.NDArray[np.float64]:
        """A read whose columns are all numbers, as one float matrix (rows x columns).

        Rows are fetched as plain tuples in chunks, never one dict per row, so millions of
        rows cost little more than the matrix itself. NULL becomes NaN (NumPy converts None).
        ``sql`` uses ``?`` placeholders.
        """
        chunks: list[npt.NDArray[np.float64]] = []
        async for rows in self._tuple_chunks(sql, list(args)):
            chunks.append(np.array(rows, dtype=np.float64))
        if not chunks:
            return np.empty((0, 0), dtype=np.float64)
        return np.concatenate(chunks)

    async def _tuple_chunks(self, sql: str, args: list[Any]) -> AsyncIterator[list[Any]]:
        if isinstance(self.engine, SerialSQLiteEngine):
            async with self.engine.reader() as connection:
                cursor = await connection.execute(sql, args)
                cursor.row_factory = None
                while rows := await cursor.fetchmany(NUMBER_ROWS_PER_FETCH):
                    yield list(rows)
            return
        assert isinstance(self.engine, PostgresEngine)
        assert self.engine.pool is not None
        async with self.engine.pool.acquire() as connection, connection.transaction():
            cursor = await connection.cursor(_numbered_placeholders(sql), *args)
            while rows := await cursor.fetch(NUMBER_ROWS_PER_FETCH):
                yield [tuple(row) for row in rows]


def _numbered_placeholders(sql: str) -> str:
    pieces = sql.split("?")
    return "".join(
        piece + (f"${index}" if index < len(pieces) else "")
        for index, piece in enumerate(pieces, start=1)
    )


_bound: Database | None = None


def bound() -> Database:
    """The database the tables are bound to."""
    if _bound is None:
        raise RuntimeError("no database is bound; call Database(url).bind(all_tables()) first")
    return _bound


def engine_in_use() -> Engine[Any]:
    """The bound engine; before any binding (Piccolo's own command line), the configured one."""
    if _bound is not None:
        return _bound.engine
    from feedback.config import Settings

    return engine_for_url(Settings.from_env().database_url)


def transaction() -> Any:
    """A write transaction on the bound database (IMMEDIATE on SQLite)."""
    return bound().engine.transaction()


async def ping() -> None:
    """Raise if the bound database does not answer."""
    await bound().engine.run_ddl("SELECT 1")


async def migrate() -> None:
    """Apply every pending migration of every app to the bound database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    # Where Piccolo's runner finds the app registry and, through it, the bound engine.
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
    result = await run_forwards("all")
    if not result.success:
        raise ConfigurationError(f"migration failed: {result.message}")


def app_config(
    package_file: str, tables: Sequence[type[Table]], after: Sequence[str] = ()
) -> AppConfig:
    """The Piccolo app of the package holding ``package_file``: named after the package, its
    migrations in the package's piccolo_migrations folder, run after those of the apps in
    ``after`` (their modules, e.g. "feedback.accounts.piccolo_app")."""
    package = Path(package_file).parent
    return AppConfig(
        app_name=package.name,
        migrations_folder_path=str(package / "piccolo_migrations"),
        table_classes=list(tables),
        migration_dependencies=list(after),
        commands=[],
    )
