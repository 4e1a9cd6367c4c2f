"""The database layer under concurrent writers."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from decimal import Decimal

import asyncpg
import pytest

from feedback.accounts.tables import Account, Purchase
from feedback.db import Database, transaction

# What a second row with the same unique value raises, by database kind (Piccolo passes the
# driver's own error on).
UNIQUE_VIOLATION: dict[str, type[Exception]] = {
    "sqlite": sqlite3.IntegrityError,
    "postgres": asyncpg.exceptions.UniqueViolationError,
}


async def test_32_concurrent_writers_never_see_a_locked_database(db: Database) -> None:
    account = Account(code="C1", name="One")
    await account.save()

    async def writer(n: int) -> None:
        for i in range(10):
            async with transaction():
                await Purchase.insert(
                    Purchase(
                        account=account.id,
                        occurred_on=dt.date(2026, 1, 1),
                        amount=Decimal(n),
                        quantity=1,
                        external_ref=f"r{n}-{i}",
                    )
                )

    await asyncio.gather(*(writer(n) for n in range(32)))
    assert await Purchase.count() == 320


async def test_a_failed_transaction_writes_nothing(db: Database) -> None:
    async def insert_twice() -> None:
        async with transaction():
            await Account.insert(Account(code="C2", name="Two"))
            await Account.insert(Account(code="C2", name="Duplicate"))

    with pytest.raises(UNIQUE_VIOLATION[db.kind]):
        await insert_twice()
    assert await Account.count() == 0


async def test_reads_outside_a_transaction_see_committed_writes(db: Database) -> None:
    async with transaction():
        await Account.insert(Account(code="C3", name="Three"))
    assert await Account.exists().where(Account.code == "C3")
