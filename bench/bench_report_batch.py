"""P5: a batch of account reports on two renderer processes against the same batch on one.

    .venv/bin/python -m bench.bench_report_batch [--database URL] [--reports 200]

Uses the demo data: the database at URL (one `feedback demo` has filled), or else a SQLite
file in bench/output that `feedback demo` fills (not timed). Takes the first REPORTS active
accounts by code and runs, as separate commands, `feedback reports build account CODES
--out DIR --processes P` for P = 1 and P = 2, each into an empty folder (so nothing is
skipped as unchanged), alternating which goes first over two rounds. Prints each run's
time, the speed-up (time on one process / time on two; target >= 1.7, PERFORMANCE.md P5)
and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import time

from bench.bench_report import FEEDBACK, OUTPUT, demo_database
from feedback.accounts.directory import account_codes
from tests.support.databases import migrated_database

TARGET = 1.7
ROUNDS = 2


async def first_codes(url: str, count: int) -> list[str]:
    async with migrated_database(url, migrated=False):
        return (await account_codes())[:count]


def build(url: str, codes: list[str], processes: int) -> float:
    folder = OUTPUT / f"batch-{processes}"
    shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "FEEDBACK_ENV": "demo", "FEEDBACK_DATABASE_URL": url}
    command = [str(FEEDBACK), "reports", "build", "account", *codes, "--out", str(folder),
               "--processes", str(processes), "--lang", "en"]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=3600)  # fmt: skip
    return time.perf_counter() - started


def main(url: str, reports: int) -> None:
    codes = asyncio.run(first_codes(url, reports))
    times: dict[int, list[float]] = {1: [], 2: []}
    for round_number in range(ROUNDS):
        order = (1, 2) if round_number % 2 == 0 else (2, 1)
        for processes in order:
            seconds = build(url, codes, processes)
            times[processes].append(seconds)
            print(f"{len(codes)} reports on {processes} process(es): {seconds:.1f} s", flush=True)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    verdict = "pass" if one / two >= TARGET else "FAIL"
    print(f"speed-up on 2 processes: {one / two:.2f} (target >= {TARGET}): {verdict}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="a database `feedback demo` has filled")
    parser.add_argument("--reports", type=int, default=200)
    arguments = parser.parse_args()
    main(demo_database(arguments.database), arguments.reports)
