"""P6, the part built so far: reading the customer base and computing point-in-time features.

    .venv/bin/python bench/bench_churn_features.py [--accounts 100000] [--purchases 3000000]

Builds a fresh SQLite file with N accounts (two custom attributes each) and M purchases
spread over three years (bare chunked inserts, not timed), then times in a child process
of its own, so that its peak RSS is the measured work's:
the scoring service's bulk read (`services.load_records`: accounts, purchases summed into
purchase days, survey levels) and `features_at` for every active account, and reports the
child's peak RSS. P6's target (<= 60 s, <= 2 GB) covers features, scores and reasons;
scores and reasons are not built yet, so this prints the share of the budget used.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from feedback.db import Database, transaction
from feedback.scoring import services
from feedback.scoring.features import features_at
from feedback.scoring.records import day_number
from scratch import migrated_database

AS_OF = dt.date(2026, 11, 26)
BUDGET_SECONDS = 60.0
BUDGET_MIB = 2048
CHUNK = 10_000


def chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def account_rows(accounts: int) -> Iterator[tuple[Any, ...]]:
    rng = np.random.default_rng(1)
    plans = rng.choice(["basic", "standard", "premium"], accounts).tolist()
    seats = rng.integers(1, 500, accounts).tolist()
    for n in range(accounts):
        attributes = json.dumps({"plan": plans[n], "seats": seats[n]})
        yield (f"AC{n:06d}", f"Account {n}", "Retail", "Nordics", attributes)


def purchase_rows(accounts: int, purchases: int) -> Iterator[tuple[Any, ...]]:
    rng = np.random.default_rng(2)
    first = AS_OF - dt.timedelta(days=3 * 365)
    days = [(first + dt.timedelta(days=n)).isoformat() for n in range(3 * 365 + 1)]
    account = rng.integers(1, accounts + 1, purchases).tolist()
    offset = rng.integers(0, len(days), purchases).tolist()
    amount = np.round(rng.lognormal(5, 1, purchases), 2).tolist()
    for n in range(purchases):
        yield (account[n], days[offset[n]], amount[n], f"P{n:08d}")


async def fill(database: Database, accounts: int, purchases: int) -> None:
    async with transaction():
        await database.executemany(
            "INSERT INTO attribute_definition (name, kind) VALUES (?, ?)",
            [("plan", "categorical"), ("seats", "numeric")],
        )
        for part in chunks(account_rows(accounts)):
            await database.executemany(
                "INSERT INTO account (code, name, industry, region, attributes, status, "
                "closed_reason, tier, trailing_revenue) VALUES (?, ?, ?, ?, ?, 'active', '', "
                "'D', 0)",
                part,
            )
        for part in chunks(purchase_rows(accounts, purchases)):
            await database.executemany(
                "INSERT INTO purchase (account, occurred_on, amount, quantity, external_ref) "
                "VALUES (?, ?, ?, 1, ?)",
                part,
            )


async def build(url: str, accounts: int, purchases: int) -> None:
    async with migrated_database(url) as database:
        await fill(database, accounts, purchases)


async def measure(url: str) -> None:
    async with migrated_database(url, migrated=False):
        started = time.perf_counter()
        records = await services.load_records(AS_OF)
        read = time.perf_counter() - started
        table = features_at(records, day_number(AS_OF))
        total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read (load_records): {read:.2f} s; features_at: {total - read:.2f} s")
    print(f"features for {len(table.account_ids):,} accounts x {len(table.names)} columns")
    print(
        f"total {total:.2f} s ({total / BUDGET_SECONDS:.0%} of P6's {BUDGET_SECONDS:.0f} s); "
        f"peak RSS {peak:.0f} MiB ({peak / BUDGET_MIB:.0%} of 2 GB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--purchases", type=int, default=3_000_000)
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.measure))
        return
    with tempfile.TemporaryDirectory(prefix="feedback-p6-") as directory:
        url = f"sqlite:///{Path(directory) / 'p6.sqlite3'}"
        asyncio.run(build(url, args.accounts, args.purchases))
        print(f"SQLite: {args.accounts:,} accounts, {args.purchases:,} purchases")
        subprocess.run([sys.executable, __file__, "--measure", url], check=True)


if __name__ == "__main__":
    main()
