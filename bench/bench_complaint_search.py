"""P7b: complaint search (number, account, email, full text) with N complaints stored, over HTTP.

    .venv/bin/python -m bench.bench_complaint_search --complaints 1000000 [--postgres ADMIN_URL]

Builds a fresh database, bulk-inserts N complaints as bench/bench_queue.py does but with
descriptions of random words from a small vocabulary (so words are common, rare and in
between), then starts `feedback serve`, logs an agent in and times GET /complaints?q=...
Prints the plan of each search, p50/p99 against the targets (p50 <= 50 ms, p99 <= 150 ms)
and the ratio against the exact-number lookup measured in the same run.
"""

from __future__ import annotations

import random
import statistics
import time

import httpx

from bench import bench_queue
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

COMMON = ("order", "late", "delivery", "invoice", "wrong", "damaged", "price", "call")
RARE = tuple(f"word{n}" for n in range(5_000))
SEARCHES = ("q=late", "q=damaged+invoice", "q=word17", "q=word4242+late", "q=C000123",
            "q=Customer+1999", "q=late&state=closed")  # fmt: skip
REQUESTS, WARMUP = 40, 5


def description(rng: random.Random) -> str:
    words = rng.sample(COMMON, 3) + [rng.choice(RARE) for _ in range(3)]
    return " ".join(words)


async def seed(database: Database, complaints: int) -> int:
    """The queue benchmark's accounts and agents; complaints with varied words."""
    agents = await bench_queue.seed(database, 0)
    rng = random.Random(11)
    started = time.perf_counter()
    for start in range(0, complaints, bench_queue.CHUNK):
        rows = []
        for _ in range(min(bench_queue.CHUNK, complaints - start)):
            row = list(bench_queue.complaint_row(rng, agents))
            row[5] = description(rng)
            rows.append(tuple(row))
        async with transaction():
            await database.executemany(bench_queue.COMPLAINT_SQL, rows)
    print(f"inserted {complaints:,} complaints in {time.perf_counter() - started:.1f} s")
    if database.kind == "postgres":
        await database.engine.run_ddl("ANALYZE complaint")
    return agents[0]


async def explain(database: Database, agent_id: int) -> None:
    viewer = staff.StaffMember(agent_id, "agent0@bench.example", "Agent 0", Role.agent)
    for text in ("late", "word17", "C000123"):
        sql = str(await queue_query(QueueFilters(q=text), viewer, bench_queue.NOW))
        prefix = "EXPLAIN QUERY PLAN " if database.kind == "sqlite" else "EXPLAIN "
        plan = await Complaint.raw(prefix + sql)
        lines = [str(row.get("detail") or row.get("QUERY PLAN")).strip() for row in plan]
        print(f"plan, q={text}:\n  " + "\n  ".join(lines))


async def time_searches(base_url: str) -> tuple[list[float], list[float]]:
    """Every search's timings, and the exact-number lookup's (the reference)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        credentials = {"email": "agent0@bench.example", "password": bench_queue.PASSWORD}
        assert (await client.post("/api/v1/auth/login", json=credentials)).status_code == 200
        reference = await timed_gets(client, "/complaints?q=%2312345", REQUESTS, WARMUP,
                                     lambda response: response.status_code == 200)  # fmt: skip
        every = []
        for query in SEARCHES:
            timings = await timed_gets(client, f"/complaints?{query}", REQUESTS, WARMUP,
                                       lambda response: response.status_code == 200)  # fmt: skip
            every += timings
            print(f"  {query:30s} p50 {statistics.median(timings) * 1000:6.1f} ms")
        return every, reference


async def measure(url: str, complaints: int) -> None:
    async with migrated_database(url) as database:
        agent_id = await seed(database, complaints)
        await explain(database, agent_id)
    async with served(url) as base_url:
        timings, reference = await time_searches(base_url)
    p50, p99 = p50_p99(timings)
    ref50 = statistics.median(reference)
    print(f"P7b search, {len(timings)} requests: p50 {p50 * 1000:.1f} ms "
          f"(target <= {bench_queue.P50_TARGET * 1000:.0f}), p99 {p99 * 1000:.1f} ms "
          f"(target <= {bench_queue.P99_TARGET * 1000:.0f}); number lookup p50 "
          f"{ref50 * 1000:.1f} ms, ratio {p50 / ref50:.2f}")  # fmt: skip


def main() -> None:
    measure_on_throwaway_database(__doc__, measure, complaints=1_000_000)


if __name__ == "__main__":
    main()
