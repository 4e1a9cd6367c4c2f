"""P7: the complaint queue page with N complaints stored, through the real app over HTTP.

    .venv/bin/python -m bench.bench_queue --complaints 1000000 [--postgres ADMIN_URL]

Builds a fresh database (a new SQLite file, or a throwaway PostgreSQL database created
through ADMIN_URL and dropped afterwards) and bulk-inserts N complaints (5% open, the rest
closed or cancelled) on 20,000 accounts, with 20 agents. Then starts `feedback serve`, logs
an agent in, and times GET /complaints (50 rows, sorted by next deadline) for several
views, filters and a second page. Prints the query plans and p50/p99 next to the targets
(docs/PERFORMANCE.md, P7: p50 <= 50 ms, p99 <= 150 ms).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

import httpx

from bench.options import measure_on_throwaway_database
from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.complaints.queue import queue_query
from feedback.complaints.schemas import QueueFilters
from feedback.complaints.tables import Complaint
from feedback.db import Database, transaction
from tests.support.databases import migrated_database
from tests.support.servers import served
from tests.support.timing import p50_p99, timed_gets

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
ACCOUNTS, AGENTS, CHUNK = 20_000, 20, 10_000
OPEN_SHARE = 0.05
PASSWORD = "bench-password"  # noqa: S105
REQUESTS, WARMUP = 60, 5
P50_TARGET, P99_TARGET = 0.050, 0.150
COMPLAINT_SQL = (
    "INSERT INTO complaint (account, channel, category, severity, tier, description, assignee, "
    "state, version, received_at, state_entered_at, apology_due_at, resolution_due_at, "
    "next_due_at, next_warn_at, apology_breached, resolution_breached, follow_up_breached, "
    "apology_message, findings, resolution, reopen_count) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', 0)"
)
OPEN = ("received", "apologised", "investigating", "resolved")
CATEGORIES = ("product_quality", "delivery", "billing", "staff_conduct", "service", "other")


def complaint_row(rng: random.Random, agents: list[int]) -> tuple[Any, ...]:
    account = rng.randrange(1, ACCOUNTS + 1)
    tier = "ABCD"[account % 4]
    received = NOW - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
    is_open = rng.random() < OPEN_SHARE
    state = rng.choice(OPEN) if is_open else rng.choice(("closed", "closed", "cancelled"))
    due = NOW + dt.timedelta(minutes=rng.randrange(-60 * 24 * 3, 60 * 24 * 7)) if is_open else None
    warn = due - dt.timedelta(hours=6) if due else None
    assignee = rng.choice([*agents, None]) if is_open else rng.choice(agents)
    late = bool(due and due < NOW)
    return (
        account, rng.choice(("phone", "email", "visit", "web_form")), rng.choice(CATEGORIES),
        rng.choice(("minor", "major", "severe")), tier, "The order arrived late.", assignee,
        state, received, received, received + dt.timedelta(hours=8),
        received + dt.timedelta(hours=48), due, warn, late, False, False,
    )  # fmt: skip


async def seed(database: Database, complaints: int) -> list[int]:
    """Accounts, agents and complaints, bulk-inserted; returns the agents' ids."""
    async with transaction():
        await database.executemany(
            "INSERT INTO account (code, name, industry, region, status, closed_reason, "
            "attributes, tier, trailing_revenue) VALUES (?, ?, 'retail', 'north', 'active', "
            "'', '{}', ?, 0)",
            [(f"C{n:06d}", f"Customer {n}", "ABCD"[n % 4]) for n in range(1, ACCOUNTS + 1)],
        )
    agents = []
    for n in range(AGENTS):
        member = await staff.create_user(f"agent{n}@bench.example", f"Agent {n}", Role.agent,
                                         PASSWORD, NOW)  # fmt: skip
        agents.append(member.id)
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(0, complaints, CHUNK):
        rows = [complaint_row(rng, agents) for _ in range(min(CHUNK, complaints - start))]
        async with transaction():
            await database.executemany(COMPLAINT_SQL, rows)
    print(f"inserted {complaints:,} complaints in {time.perf_counter() - started:.1f} s")
    if database.kind == "postgres":
        # Autovacuum would gather these statistics shortly after a bulk load; without them
        # PostgreSQL guesses the share of open complaints and may scan the whole table.
        await database.engine.run_ddl("ANALYZE complaint")
    return agents


async def explain(database: Database, agent_id: int) -> None:
    """The plan of the queue query for a few filter sets (one index scan, no sort)."""
    viewer = staff.StaffMember(agent_id, "agent0@bench.example", "Agent 0", Role.agent)
    for filters in (QueueFilters(view="team"), QueueFilters(view="mine"),
                    QueueFilters(view="team", severity="severe", tier="A", category="billing"),
                    QueueFilters(view="breached")):  # fmt: skip
        sql = str(await queue_query(filters, viewer, NOW))
        prefix = "EXPLAIN QUERY PLAN " if database.kind == "sqlite" else "EXPLAIN "
        plan = await Complaint.raw(prefix + sql)
        lines = [str(row.get("detail") or row.get("QUERY PLAN")).strip() for row in plan]
        print(f"plan, {filters.view} {filters.severity} {filters.tier} {filters.category}:")
        print("  " + "\n  ".join(lines))


async def time_pages(base_url: str, agents: list[int]) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        credentials = {"email": "agent0@bench.example", "password": PASSWORD}
        login = await client.post("/api/v1/auth/login", json=credentials)
        assert login.status_code == 200, login.text
        first = await client.get("/api/v1/complaints?view=team&tier=D")
        assert first.status_code == 200, first.text
        queries = [
            "view=team", "view=mine", "view=unassigned", "view=breached", "view=due_soon",
            "view=team&severity=severe&tier=A", "view=team&category=billing&state=investigating",
            f"view=team&assignee_id={agents[5]}&severity=minor",
        ]  # fmt: skip
        # With few complaints stored the first page holds every open one of tier D.
        cursor = first.json()["next_cursor"]
        if cursor is None:
            print("  view=team&tier=D has a single page: its second page is not timed")
        else:
            queries.append(f"view=team&tier=D&after={cursor}")
        every = []
        for query in queries:
            timings = await timed_gets(
                client, f"/complaints?{query}", REQUESTS, WARMUP,
                lambda response: response.text.count('<a href="/complaints/') >= 1,
            )  # fmt: skip
            every += timings
            print(f"  {query:55s} p50 {statistics.median(timings) * 1000:6.1f} ms")
        return every


async def serve_and_time(url: str, agents: list[int]) -> None:
    async with served(url) as base_url:
        timings = await time_pages(base_url, agents)
    p50, p99 = p50_p99(timings)
    print(f"P7 queue page, {len(timings)} requests: p50 {p50 * 1000:.1f} ms "
          f"(target <= {P50_TARGET * 1000:.0f}), p99 {p99 * 1000:.1f} ms "
          f"(target <= {P99_TARGET * 1000:.0f})")  # fmt: skip


async def measure(url: str, complaints: int) -> None:
    async with migrated_database(url) as database:
        agents = await seed(database, complaints)
        await explain(database, agents[0])
    await serve_and_time(url, agents)


def main() -> None:
    measure_on_throwaway_database(__doc__, measure, complaints=1_000_000)


if __name__ == "__main__":
    main()
