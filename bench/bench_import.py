"""P3: importing a purchases CSV against a bare chunked bulk insert of the same rows.

    .venv/bin/python -m bench.bench_import --rows 1000000 [--postgres postgresql://...]

Each measurement runs in its own process on a fresh database, so its peak RSS is its own
(the service is imported only in those processes):
the reference inserts ready-made rows (built before the clock starts) with executemany in
1,000-row chunks inside one transaction; the import runs the real service path (read, parse,
validate, upsert in chunks in one transaction, recompute tiers). With --postgres, the URL is
an administrative connection: a scratch database is created for each run and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from tests.support.databases import scratch_database

ROOT = Path(__file__).resolve().parents[1]  # where `python -m bench...` finds its packages
TODAY = dt.date(2026, 11, 26)
REFERENCE_CHUNK = 1000
INSERT = (
    "INSERT INTO purchase (account, occurred_on, amount, quantity, external_ref) "
    "VALUES (?, ?, ?, ?, ?)"
)


def purchase_lines(rows: int, accounts: int, blank_refs: float) -> Iterator[tuple[str, ...]]:
    """The benchmark's purchases, the same on every call: (code, date, amount, qty, ref)."""
    chance = random.Random(20261126)
    start = dt.date(2024, 1, 1).toordinal()
    for number in range(rows):
        ref = "" if chance.random() < blank_refs else f"INV-{number:08d}"
        yield (
            f"ACC-{chance.randrange(accounts):05d}",
            dt.date.fromordinal(start + chance.randrange(1060)).isoformat(),
            f"{chance.randrange(100, 500_000) / 100:.2f}",
            str(chance.randint(1, 5)),
            ref or "",
        )


def write_csv(path: Path, rows: int, accounts: int, blank_refs: float) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("account_code,occurred_on,amount,quantity,ref\n")
        for line in purchase_lines(rows, accounts, blank_refs):
            out.write(",".join(line) + "\n")


async def prepared_database(url: str, accounts: int) -> dict[str, int]:
    from feedback.accounts.tables import Account
    from feedback.db import Database, bound, migrate, transaction
    from feedback.piccolo_conf import all_tables

    database = Database(url)
    database.bind(all_tables())
    await database.open()
    with contextlib.redirect_stdout(io.StringIO()):
        await migrate()
    async with transaction():
        await bound().executemany(
            "INSERT INTO account (code, name) VALUES (?, ?)",
            [(f"ACC-{n:05d}", f"Account {n}") for n in range(accounts)],
        )
    rows = await Account.select(Account.id, Account.code)
    return {row["code"]: row["id"] for row in rows}


class Clock:
    """Seconds and peak RSS of the timed part of a phase only.

    A child's getrusage peak starts at its parent's RSS when it was forked, so the parent
    imports nothing of the service. Setting up (importing the service hashes a password
    with Argon2, 64 MiB; migrating; building the reference's rows) is left out: the peak
    is reset (Linux clear_refs) when the clock starts, so the peak reported is what the
    timed work itself reached.
    """

    def start(self) -> None:
        Path("/proc/self/clear_refs").write_text("5")
        self.rss_start_kb = current_rss_kb()
        self.started = time.perf_counter()

    def stop(self) -> dict[str, float]:
        seconds = time.perf_counter() - self.started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"seconds": seconds, "rss_start_kb": self.rss_start_kb, "rss_peak_kb": peak}


def current_rss_kb() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


async def reference(args: argparse.Namespace, clock: Clock) -> dict[str, float]:
    """Insert ready-made rows (refs derived as the import does) in 1,000-row chunks inside
    one transaction."""
    from feedback.db import bound, transaction

    ids = await prepared_database(args.url, args.accounts)
    from feedback.accounts.csvfiles import DerivedRefs, purchase_values

    refs = DerivedRefs()
    rows = []
    for code, day, amount, qty, ref in purchase_lines(args.rows, args.accounts, args.blank_refs):
        typed = (dt.date.fromisoformat(day), Decimal(amount), int(qty))
        rows.append((ids[code], *typed, ref or refs.ref_for(*purchase_values(code, *typed))))
    clock.start()
    async with transaction():
        for first in range(0, len(rows), REFERENCE_CHUNK):
            await bound().executemany(INSERT, rows[first : first + REFERENCE_CHUNK])
    result = clock.stop()
    await bound().close()
    return result


async def service(args: argparse.Namespace, clock: Clock) -> dict[str, float]:
    """The real import of the CSV file, tier recompute included."""
    from feedback.accounts.imports import import_purchases
    from feedback.config import TierThresholds
    from feedback.db import bound

    await prepared_database(args.url, args.accounts)
    clock.start()
    summary = await import_purchases(Path(args.csv), TODAY, TierThresholds())
    result = clock.stop()
    assert summary.rows == args.rows, summary
    await bound().close()
    return result


def measure(args: argparse.Namespace) -> None:
    """In a child process: run one phase and print its seconds and peak RSS as JSON."""
    phase = reference if args.phase == "reference" else service
    print(json.dumps(asyncio.run(phase(args, Clock()))))


def run_phase(args: argparse.Namespace, phase: str, url: str, csv_path: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.bench_import", "--phase", phase, "--url", url]
    command += ["--csv", str(csv_path)]
    command += ["--rows", str(args.rows), "--accounts", str(args.accounts)]
    command += ["--blank-refs", str(args.blank_refs)]
    # A phase of a million rows takes under a minute; one stuck for an hour never ends.
    done = subprocess.run(
        command, cwd=ROOT, check=True, capture_output=True, text=True, timeout=3600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def scratch_url(kind: str, args: argparse.Namespace, workdir: Path, phase: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'{phase}.sqlite3'}"
        return
    with scratch_database(args.postgres) as url:
        yield url


def report(kind: str, rows: int, results: dict[str, dict[str, float]]) -> None:
    rates = {phase: rows / result["seconds"] for phase, result in results.items()}
    ratio = rates["service"] / rates["reference"]
    print(f"[{kind}] {rows:,} purchases")
    for phase, label in (("reference", "bare chunked insert"), ("service", "feedback import")):
        result = results[phase]
        print(
            f"  {label:<20} {result['seconds']:8.2f} s  {rates[phase]:>10,.0f} rows/s  "
            f"peak RSS {result['rss_peak_kb'] / 1024:6.1f} MiB "
            f"(at start {result['rss_start_kb'] / 1024:.1f} MiB)"
        )
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    print(f"  ratio import/reference {ratio:.2f} ({verdict} the P3 target >= 0.50)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--blank-refs", type=float, default=0.0, help="share of rows without ref")
    parser.add_argument("--postgres", help="admin URL; also measure on PostgreSQL")
    parser.add_argument("--phase", choices=["reference", "service"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        measure(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "purchases.csv"
        write_csv(csv_path, args.rows, args.accounts, args.blank_refs)
        size = csv_path.stat().st_size / 1024 / 1024
        print(f"generated {csv_path.name}: {args.rows:,} rows, {size:.1f} MiB")
        for kind in ["sqlite"] + (["postgres"] if args.postgres else []):
            results = {}
            for phase in ("reference", "service"):
                with scratch_url(kind, args, workdir, phase) as url:
                    results[phase] = run_phase(args, phase, url, csv_path)
            report(kind, args.rows, results)


if __name__ == "__main__":
    main()
