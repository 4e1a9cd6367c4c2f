"""P6: features, scores and reasons of every account, against the 60 s / 2 GB budget.

    .venv/bin/python -m bench.bench_churn_features [--accounts 100000] [--purchases 3000000]
        [--contacts 1000000] [--estimator gradient_boosting|logistic_regression]

Builds a fresh SQLite file with N accounts (two custom attributes each), M purchases
spread over three years, one account in five stopping at a random day, and C visits,
calls and emails in the contact log over the same years (bare chunked inserts, not
timed). A model is trained on a sample of the same kind (SAMPLE_ACCOUNTS accounts in a
file of their own, not timed) and registered in the big file: the candidate that
validates best, or with --estimator that candidate alone (the training procedure is run
with `training.CANDIDATES` narrowed to it). Then, in a child process of its own, so that
its peak RSS is the measured work's, it times what `feedback scoring score` does: load
the model, the bulk read (`services.load_records`: accounts, purchases summed into
purchase days, survey levels, complaints, the contact log), `features_at` for every
active account, probabilities and reasons (`scores.score_table`), and storing the scores
(`scores.store_scores`), and reports the child's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from feedback.config import TierThresholds
from feedback.db import Database, transaction
from feedback.scoring import registry, scores, services, training
from feedback.scoring.features import FeatureRules, features_at
from feedback.scoring.labels import ChurnRule
from feedback.scoring.records import day_number
from tests.support.databases import migrated_database

ROOT = Path(__file__).resolve().parents[1]  # where `python -m bench...` finds its packages
AS_OF = dt.date(2026, 11, 26)
BUDGET_SECONDS = 60.0
BUDGET_MIB = 2048
CHUNK = 10_000
SAMPLE_ACCOUNTS = 5_000
STOPPING_SHARE = 0.2
NOW = dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)


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
    # Accounts that stop buying take all their purchases before their stopping day.
    stop = np.where(
        rng.random(accounts + 1) < STOPPING_SHARE,
        rng.integers(len(days) // 3, len(days), accounts + 1),
        len(days),
    )
    drawn = rng.integers(1, accounts + 1, purchases)
    account = drawn.tolist()
    offset = (rng.random(purchases) * stop[drawn]).astype(np.int64).tolist()
    amount = np.round(rng.lognormal(5, 1, purchases), 2).tolist()
    for n in range(purchases):
        yield (account[n], days[offset[n]], amount[n], f"P{n:08d}")


async def fill_accounts(database: Database, accounts: int) -> None:
    """Accounts AC000000, AC000001, ... (ids from 1) with two custom attributes, in the
    caller's transaction."""
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


def contact_rows(accounts: int, contacts: int) -> Iterator[tuple[Any, ...]]:
    """Visits, calls and emails on random days of the three years, a third of the accounts
    taking four in five of them (the ones their managers keep in touch with)."""
    rng = np.random.default_rng(3)
    first = AS_OF - dt.timedelta(days=3 * 365)
    kept = max(1, accounts // 3)
    account = np.where(
        rng.random(contacts) < 0.8,
        rng.integers(1, kept + 1, contacts),
        rng.integers(1, accounts + 1, contacts),
    ).tolist()
    offset = rng.integers(0, 3 * 365 + 1, contacts).tolist()
    kind = rng.choice(["visit", "call", "email"], contacts, p=[0.3, 0.5, 0.2]).tolist()
    recorded = NOW.isoformat()
    for n in range(contacts):
        day = (first + dt.timedelta(days=offset[n])).isoformat()
        yield (account[n], kind[n], day, f"C{n:08d}", recorded)


async def fill(database: Database, accounts: int, purchases: int, contacts: int) -> None:
    async with transaction():
        await fill_accounts(database, accounts)
        for part in chunks(purchase_rows(accounts, purchases)):
            await database.executemany(
                "INSERT INTO purchase (account, occurred_on, amount, quantity, external_ref) "
                "VALUES (?, ?, ?, 1, ?)",
                part,
            )
        for part in chunks(contact_rows(accounts, contacts)):
            await database.executemany(
                "INSERT INTO contact_log (account, kind, happened_on, person_met, notes, "
                "external_ref, recorded_at) VALUES (?, ?, ?, '', '', ?, ?)",
                part,
            )


async def build(url: str, accounts: int, purchases: int, contacts: int) -> None:
    async with migrated_database(url) as database:
        await fill(database, accounts, purchases, contacts)


async def train_sample(
    url: str, sample_url: str, sizes: tuple[int, int, int], estimator: str | None
) -> str:
    """Train on a sample of the same kind and register the model in the big database."""
    if estimator:
        training.CANDIDATES = (estimator,)
    accounts, purchases, contacts = sizes
    sample = min(accounts, SAMPLE_ACCOUNTS)
    async with migrated_database(sample_url) as database:
        share = sample / accounts
        await fill(database, sample, round(purchases * share), round(contacts * share))
        await services.train(AS_OF, ChurnRule(), TierThresholds(), NOW)
        stored = await registry.load_model()
    async with migrated_database(url, migrated=False):
        await registry.save_model(stored.record, stored.model)
    return f"{stored.record.estimator} trained on {sample:,} accounts"


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


async def measure(url: str) -> None:
    print(f"load average (1, 5, 15 min) before: {load_average()}")
    async with migrated_database(url, migrated=False):
        marks = [time.perf_counter()]
        stored = await registry.load_model()
        marks.append(time.perf_counter())
        records = await services.load_records(AS_OF)
        marks.append(time.perf_counter())
        table = features_at(records, day_number(AS_OF))
        marks.append(time.perf_counter())
        scored = scores.score_table(records, day_number(AS_OF), table, stored, FeatureRules())
        marks.append(time.perf_counter())
        await scores.store_scores(scored, AS_OF, stored.record.version, NOW)
        marks.append(time.perf_counter())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = ("load model", "read (load_records)", "features_at", "scores and reasons", "store")
    print(
        "; ".join(
            f"{step}: {b - a:.2f} s"
            for step, a, b in zip(steps, marks[:-1], marks[1:], strict=True)
        )
    )
    print(f"{len(table.account_ids):,} accounts x {len(table.names)} feature columns; "
          f"{sum(1 for found in scored.reasons if found):,} with at least one reason")  # fmt: skip
    total = marks[-1] - marks[0]
    print(
        f"total {total:.2f} s ({total / BUDGET_SECONDS:.0%} of P6's {BUDGET_SECONDS:.0f} s); "
        f"peak RSS {peak:.0f} MiB ({peak / BUDGET_MIB:.0%} of 2 GB)"
    )
    print(f"load average after: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--purchases", type=int, default=3_000_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument(
        "--estimator",
        choices=training.CANDIDATES,
        help="the sample model's estimator (default: the candidate that validates best)",
    )
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.measure))
        return
    with tempfile.TemporaryDirectory(prefix="feedback-p6-") as directory:
        url = f"sqlite:///{Path(directory) / 'p6.sqlite3'}"
        sample_url = f"sqlite:///{Path(directory) / 'sample.sqlite3'}"
        sizes = (args.accounts, args.purchases, args.contacts)
        asyncio.run(build(url, *sizes))
        print(
            f"SQLite: {args.accounts:,} accounts, {args.purchases:,} purchases, "
            f"{args.contacts:,} contacts"
        )
        trained = train_sample(url, sample_url, sizes, args.estimator)
        print(asyncio.run(trained))
        subprocess.run(
            [sys.executable, "-m", "bench.bench_churn_features", "--measure", url],
            cwd=ROOT,
            check=True,
            timeout=3600,
        )


if __name__ == "__main__":
    main()
