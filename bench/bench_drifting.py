"""The /drifting page with N scored accounts, through the real app over HTTP.

    .venv/bin/python -m bench.bench_drifting [--accounts 100000] [--days 3] [--postgres ADMIN_URL]

Builds a fresh database (a new SQLite file, or a throwaway PostgreSQL database created
through ADMIN_URL and dropped afterwards) with N accounts (bench_churn_features' accounts)
shared among MANAGERS account managers, and stores their scores on D days a week apart
through `scores.store_scores`, as `feedback scoring score` does (synthetic probabilities
drifting from day to day, revenue and reasons; timed, as storing also links each row to
the account's previous score). Then prints the query plans, starts `feedback serve`, and
times GET /drifting (the HTML page: 50 accounts by value at risk, the risers, their count)
for several filters and a second page, as an administrator and as an account manager.
Target, P7's (docs/PERFORMANCE.md): p50 <= 50 ms, p99 <= 150 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time

import httpx
import numpy as np

from bench.bench_churn_features import fill_accounts
from bench.options import sizes_and_postgres
from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.db import Database, transaction
from feedback.scoring import risk
from feedback.scoring.reasons import Reason
from feedback.scoring.scores import Scored, store_scores
from feedback.scoring.tables import ScoringScore
from tests.support.databases import migrated_database, throwaway_database
from tests.support.servers import served
from tests.support.timing import p50_p99, timed_gets

AS_OF = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)
MANAGERS = 20
PASSWORD = "bench-password"  # noqa: S105
# PostgreSQL plans a statement per pooled connection, and the pool hands connections out in
# turn: a fresh server needs a dozen pages before every connection has the page's plans.
REQUESTS, WARMUP = 60, 20
P50_TARGET, P99_TARGET = 0.050, 0.150
REASONS = (
    ("recency", "no purchase for {a} days; usually every {b}"),
    ("revenue", "revenue in the last 90 days down {a}% on its usual pace"),
    ("satisfaction", "satisfaction fell from level 3 to level 1 in 2026-H1"),
    ("complaints", "{b} complaints in 90 days, one past its deadline, {a} in the last year"),
)


def scored_day(accounts: int, logits: np.ndarray, rng: np.random.Generator) -> Scored:
    """Every account's score on one day: probabilities from the logits, up to three reasons."""
    probabilities = 1 / (1 + np.exp(-logits))
    revenue = np.where(
        rng.random(accounts) < 0.1, 0.0, np.round(rng.lognormal(8, 1.5, accounts), 2)
    )
    counts = rng.integers(0, 4, accounts)
    figures = rng.integers(2, 400, (accounts, 2))
    reasons = [
        [
            Reason(group, round(0.2 / (n + 1), 4), text.format(a=figures[i, 0], b=figures[i, 1]))
            for n, (group, text) in enumerate(REASONS[: counts[i]])
        ]
        for i in range(accounts)
    ]
    return Scored(np.arange(1, accounts + 1), probabilities, revenue, reasons)


async def seed(database: Database, accounts: int, days: int) -> None:
    """Accounts shared among the managers, an administrator, and ``days`` scored days."""
    async with transaction():
        await fill_accounts(database, accounts)
    await staff.create_user("admin@bench.example", "Admin", Role.admin, PASSWORD, NOW)
    for n in range(MANAGERS):
        member = await staff.create_user(f"manager{n}@bench.example", f"Manager {n}",
                                         Role.account_manager, PASSWORD, NOW)  # fmt: skip
        async with transaction():
            await database.executemany(
                "UPDATE account SET manager = ? WHERE id % ? = ?", [(member.id, MANAGERS, n)]
            )
    rng = np.random.default_rng(11)
    logits = rng.normal(-2.2, 1.2, accounts)
    for day in range(days):
        as_of = AS_OF - dt.timedelta(days=7 * (days - 1 - day))
        started = time.perf_counter()
        await store_scores(scored_day(accounts, logits, rng), as_of, 1, NOW)
        print(f"stored {accounts:,} scores of {as_of} in {time.perf_counter() - started:.2f} s")
        logits = logits + rng.normal(0.05, 0.4, accounts)
    if database.kind == "postgres":
        # What autovacuum does shortly after a bulk insert (PostgreSQL 13 and later vacuum
        # insert-only tables too): statistics, and the visibility map that lets the count
        # of risers read the index alone.
        await database.engine.run_ddl("VACUUM ANALYZE")


async def explain(database: Database) -> None:
    """The plans of a page's reads: one index walked in order, no sort of the day."""
    admin = staff.StaffMember(1, "admin@bench.example", "Admin", Role.admin)
    manager = staff.StaffMember(2, "manager0@bench.example", "Manager 0", Role.account_manager)
    prefix = "EXPLAIN QUERY PLAN " if database.kind == "sqlite" else "EXPLAIN "
    first = await (await risk.page_queries(admin, AS_OF, "", risk.PAGE_SIZE, None)).accounts
    cursor = int(first[risk.PAGE_SIZE - 1]["id"])
    cases = [("admin", admin, "", None), ("admin", admin, "high", None),
             ("admin", admin, "", cursor), ("manager", manager, "", None)]  # fmt: skip
    for who, user, band, after in cases:
        queries = await risk.page_queries(user, AS_OF, band, risk.PAGE_SIZE, after)
        shown = {"accounts": queries.accounts, "risers": queries.risers,
                 "risers count": queries.risers_count}  # fmt: skip
        for name, query in shown.items():
            if name != "accounts" and (band or after):
                continue
            plan = await ScoringScore.raw(prefix + str(query))
            lines = [str(row.get("detail") or row.get("QUERY PLAN")).strip() for row in plan]
            print(f"plan, {who} {name} band={band!r} after={after}:")
            print("  " + "\n  ".join(lines))


def _shows_accounts(response: httpx.Response) -> bool:
    return "Accounts by value at risk" in response.text and '/churn">' in response.text


async def log_in(client: httpx.AsyncClient, email: str) -> None:
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text


async def time_pages(base_url: str) -> list[float]:
    every = []
    for email, queries in (
        ("admin@bench.example", ["", "band=critical", "band=high", "band=medium", "band=low",
                                 "after={cursor}", "band=low&after={cursor}"]),
        ("manager0@bench.example", ["", "band=high"]),
    ):  # fmt: skip
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            await log_in(client, email)
            cursor = (await client.get("/api/v1/scores?band=low")).json()["next_cursor"]
            for query in queries:
                path = f"/drifting?{query.format(cursor=cursor)}"
                timings = await timed_gets(client, path, REQUESTS, WARMUP, _shows_accounts)
                every += timings
                p50, p99 = p50_p99(timings)
                print(f"  {email.split('@')[0]:8s} {path:40s} p50 {p50 * 1000:6.1f} ms, "
                      f"p99 {p99 * 1000:6.1f} ms")  # fmt: skip
    return every


async def prepare(url: str, accounts: int, days: int) -> None:
    async with migrated_database(url) as database:
        await seed(database, accounts, days)
        await explain(database)


async def serve_and_time(url: str) -> None:
    async with served(url) as base_url:
        timings = await time_pages(base_url)
    p50, p99 = p50_p99(timings)
    print(f"/drifting, {len(timings)} requests: p50 {p50 * 1000:.1f} ms "
          f"(target <= {P50_TARGET * 1000:.0f}), p99 {p99 * 1000:.1f} ms "
          f"(target <= {P99_TARGET * 1000:.0f})")  # fmt: skip


def measure(url: str, accounts: int, days: int) -> None:
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    asyncio.run(prepare(url, accounts, days))
    asyncio.run(serve_and_time(url))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    args = sizes_and_postgres(__doc__, accounts=100_000, days=3)
    with throwaway_database(args.postgres) as url:
        measure(url, args.accounts, args.days)


if __name__ == "__main__":
    main()
