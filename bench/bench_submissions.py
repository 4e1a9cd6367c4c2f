"""P1/P1b: survey submissions under concurrent load, service against a raw reference, same run.

    .venv/bin/python -m bench.bench_submissions --submissions 10000 [--postgres ADMIN_URL]

For each engine (SQLite; PostgreSQL too with --postgres, on a scratch database created
through ADMIN_URL and dropped after) it prepares one database through the service's own
code (migrations, `import_accounts`, `import_contacts`, `create_wave`, `issue_wave` with
`links_csv`), with one fresh link per submission, and copies it for the reference. Then,
in --rounds rounds, each on its own share of the links, it serves one after the other
under uvicorn in a subprocess (1 worker on SQLite, 2 on PostgreSQL) the reference
(bench/submission_reference.py: the same path written directly on Litestar with aiosqlite
or asyncpg) and the service (`feedback serve`), and drives each with the same load client:
CLIENTS concurrent browsers, each submission a new customer (empty cookie jar) who GETs the
form, reads the CSRF token, POSTs an answer where the form says and expects the 303 to the
thanks page. Afterwards it checks in each database that every acknowledged submission is
stored exactly once, and that nothing else was stored. It also reports the server's CPU
time per submission (all its processes), which the machine's other load disturbs less.
Targets (shared PERFORMANCE.md): service >= 0.5x the reference's rate on both engines,
p99 < 100 ms on SQLite, 0 errors, every 2xx stored once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import hashlib
import html
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
import aiosqlite
import asyncpg

from tests.support.databases import migrated_database, scratch_database

BENCH_DIR = Path(__file__).resolve().parent
CLIENTS = 32
PERIOD = "2026-H2"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form\b[^>]*\baction="([^"]*)"')
ANSWER = {
    "level": "3",
    "quality": "4",
    "delivery": "5",
    "service_attitude": "",
    "value": "4",
    "comment": "Deliveries were on time; the new packaging is better.",
}
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0


@dataclass
class LoadResult:
    seconds: float = 0.0
    server_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, other: LoadResult) -> None:
        self.seconds += other.seconds
        self.server_cpu += other.server_cpu
        self.latencies += other.latencies
        self.acknowledged += other.acknowledged
        for problem, count in other.errors.items():
            self.errors[problem] = self.errors.get(problem, 0) + count

    @property
    def rate(self) -> float:
        return len(self.acknowledged) / self.seconds

    def percentile_ms(self, share: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[share - 1] * 1000


@dataclass(frozen=True)
class Stored:
    acknowledged_once: int
    missing: int
    duplicated: int
    unacknowledged: int

    @property
    def ok(self) -> bool:
        return self.missing == self.duplicated == self.unacknowledged == 0


# --- preparing the data through the service -------------------------------------------


async def prepare(url: str, submissions: int, workdir: Path) -> list[str]:
    """Accounts, contacts and an issued wave; returns one link path per contact."""
    from feedback.accounts.imports import import_accounts, import_contacts
    from feedback.config import TierThresholds
    from feedback.mail.services import MailContext
    from feedback.surveys.issuance import issue_wave
    from feedback.surveys.services import create_wave

    accounts, contacts = workdir / "accounts.csv", workdir / "contacts.csv"
    with accounts.open("w", encoding="utf-8") as out:
        out.write("code,name\n")
        out.writelines(f"B{n:07d},Customer {n}\n" for n in range((submissions + 1) // 2))
    with contacts.open("w", encoding="utf-8") as out:
        out.write("account_code,email,name,language,survey\n")
        out.writelines(
            f"B{n // 2:07d},c{n}@example.com,Contact {n},en,yes\n" for n in range(submissions)
        )
    now = dt.datetime.now(dt.UTC)
    async with migrated_database(url):
        await import_accounts(accounts, now.date(), TierThresholds())
        await import_contacts(contacts)
        await create_wave(
            PERIOD,
            now,
            opens_on=now.date() - dt.timedelta(days=1),
            closes_on=now.date() + dt.timedelta(days=30),
        )
        links_csv = workdir / "links.csv"
        await issue_wave(PERIOD, now, MailContext("http://bench"), links_csv=links_csv)
    with links_csv.open(encoding="utf-8") as handle:
        return [urlsplit(row["link"]).path for row in csv.DictReader(handle)]


# --- the load client -------------------------------------------------------------------


async def submit(session: aiohttp.ClientSession, base: str, path: str) -> str | None:
    """One customer's submission; None when acknowledged, else what went wrong."""
    session.cookie_jar.clear()
    async with session.get(base + path) as page:
        body = await page.text()
        if page.status != 200:
            return f"GET {page.status}"
    found = CSRF_FIELD.search(body)
    if found is None:
        return "GET without a CSRF token"
    data = {"_csrf_token": found.group(1), **ANSWER}
    action = FORM_ACTION.search(body)  # as a browser does: post where the form says
    target = urljoin(base + path, html.unescape(action.group(1)) if action else "")
    async with session.post(target, data=data, allow_redirects=False) as sent:
        await sent.read()
        if sent.status != 303 or not sent.headers.get("location", "").startswith("/s/thanks"):
            return f"POST {sent.status}"
    return None


async def client(base: str, links: Iterator[str], deadline: float, result: LoadResult) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # keep cookies of 127.0.0.1
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as session:
        for path in links:
            started = time.perf_counter()
            try:
                problem = await submit(session, base, path)
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = type(exc).__name__
            if problem is None:
                result.latencies.append(time.perf_counter() - started)
                result.acknowledged.append(path.rsplit("/", 1)[1])
            else:
                result.errors[problem] = result.errors.get(problem, 0) + 1
            if time.perf_counter() > deadline:
                return


async def load(base: str, links: list[str], duration: float | None) -> LoadResult:
    result = LoadResult()
    shared = iter(links)  # one event loop: clients take the next link in turn
    started = time.perf_counter()
    deadline = started + duration if duration else float("inf")
    await asyncio.gather(*(client(base, shared, deadline, result) for _ in range(CLIENTS)))
    result.seconds = time.perf_counter() - started
    return result


# --- servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def group_cpu_seconds(group: int) -> float:
    """User + system CPU time of the live processes of a process group (the server's)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def served(
    command: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[tuple[str, int]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_until_up(base, process))
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


async def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"the server exited with {process.returncode}; see its log")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(base + "/s/thanks") as page:
                    if page.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise SystemExit(f"the server at {base} did not answer within 30 s")


def reference_command(workers: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--app-dir", str(BENCH_DIR),
        "submission_reference:create_app", "--factory", "--host", "127.0.0.1",
        "--workers", str(workers), "--log-level", "info",
    ]  # fmt: skip


def service_command(workers: int, profile: Path | None) -> list[str]:
    feedback = str(Path(sys.executable).with_name("feedback"))
    command = [feedback, "serve", "--workers", str(workers)]
    if profile is None:
        return command
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    record = ["record", "--subprocesses", "--format", "raw", "-o", str(profile), "--"]
    return [py_spy, *record, *command]


# --- checking what was stored ----------------------------------------------------------

STORED_SQL = (
    "SELECT i.token_hash, COUNT(r.id) FROM invitation i JOIN response r ON r.invitation = i.id "
    "GROUP BY i.token_hash"
)


async def stored_counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite"):
        async with aiosqlite.connect(unquote(urlsplit(url).path[1:])) as connection:
            rows = await connection.execute_fetchall(STORED_SQL)
    else:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(STORED_SQL)
        finally:
            await connection.close()
    return {row[0]: int(row[1]) for row in rows}


def check_stored(url: str, acknowledged: list[str]) -> Stored:
    counts = asyncio.run(stored_counts(url))
    hashes = {hashlib.sha256(token.encode()).hexdigest() for token in acknowledged}
    return Stored(
        acknowledged_once=sum(1 for h in hashes if counts.get(h) == 1),
        missing=sum(1 for h in hashes if h not in counts),
        duplicated=sum(1 for h in hashes if counts.get(h, 0) > 1),
        unacknowledged=sum(1 for h in counts if h not in hashes),
    )


# --- one engine ------------------------------------------------------------------------


def run_phase(
    command: list[str], env: dict[str, str], links: list[str], args: argparse.Namespace, log: Path
) -> LoadResult:
    port = free_port()
    with served([*command, "--port", str(port)], env, port, log) as (base, group):
        cpu = group_cpu_seconds(group)
        result = asyncio.run(load(base, links, args.duration))
        result.server_cpu = group_cpu_seconds(group) - cpu
    return result


def measure(
    kind: str, urls: tuple[str, str], links: list[str], args: argparse.Namespace, workdir: Path
) -> None:
    """Rounds of reference then service, each round on its own share of the links."""
    service_url, reference_url = urls
    workers = 2 if kind == "postgres" else 1
    phases = {
        "reference": (
            reference_command(workers),
            {"BENCH_REFERENCE_URL": reference_url},
            reference_url,
        ),
        "service": (
            service_command(workers, args.profile),
            {"FEEDBACK_DATABASE_URL": service_url, "FEEDBACK_ENV": "dev"},
            service_url,
        ),
    }
    totals = {name: LoadResult() for name in phases}
    share = -(-len(links) // args.rounds)
    for first in range(0, len(links), share):
        for name, (command, env, _) in phases.items():
            log = workdir / f"{kind}-{name}.log"
            totals[name].add(run_phase(command, env, links[first : first + share], args, log))
    stored = {
        name: check_stored(url, totals[name].acknowledged) for name, (*_, url) in phases.items()
    }
    report(kind, workers, totals, stored)


def report(
    kind: str, workers: int, results: dict[str, LoadResult], stored: dict[str, Stored]
) -> None:
    load_now = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"[{kind}] {workers} worker(s), {CLIENTS} concurrent clients (load average {load_now})")
    reference, service = results["reference"], results["service"]
    for name, label in (("reference", "raw reference"), ("service", "feedback serve")):
        result = results[name]
        errors = sum(result.errors.values())
        detail = f" {result.errors}" if errors else ""
        print(
            f"  {label:<15} {len(result.acknowledged):>7,} submissions in {result.seconds:6.2f} s"
            f" = {result.rate:7,.0f}/s  p50 {result.percentile_ms(50):6.1f} ms"
            f"  p99 {result.percentile_ms(99):6.1f} ms  errors {errors}{detail}"
            f"  server CPU {1000 * result.server_cpu / max(len(result.latencies), 1):.2f} ms each"
        )
        print(
            f"  {'':<15} stored once {stored[name].acknowledged_once:,}, "
            f"missing {stored[name].missing}, duplicated {stored[name].duplicated}, "
            f"stored unacknowledged {stored[name].unacknowledged}"
            f" ({'ok' if stored[name].ok else 'FAILED'})"
        )
    ratio = service.rate / reference.rate
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"  ratio service/reference {ratio:.2f} ({verdict} the target >= {TARGET_RATIO})")
    if kind == "sqlite":
        p99 = service.percentile_ms(99)
        verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
        print(f"  service p99 {p99:.1f} ms ({verdict} the target < {TARGET_P99_MS:.0f} ms)")


@contextlib.contextmanager
def prepared(
    kind: str, args: argparse.Namespace, workdir: Path
) -> Iterator[tuple[str, str, list[str]]]:
    """(service URL, reference URL, links): a database prepared by the service, and its copy."""
    if kind == "sqlite":
        service, reference = workdir / "service.sqlite3", workdir / "reference.sqlite3"
        links = asyncio.run(prepare(f"sqlite:///{service}", args.submissions, workdir))
        shutil.copyfile(service, reference)
        yield f"sqlite:///{service}", f"sqlite:///{reference}", links
        return
    with scratch_database(args.postgres) as service_url:
        links = asyncio.run(prepare(service_url, args.submissions, workdir))
        with scratch_database(args.postgres, template=service_url) as reference_url:
            yield service_url, reference_url, links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=10_000, help="links issued per engine")
    parser.add_argument("--duration", type=float, help="stop each run after this many seconds")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternate reference and service this many times"
    )
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also measure on PostgreSQL")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--profile", type=Path, help="record the service with py-spy to this file (raw stacks)"
    )
    args = parser.parse_args()
    kinds = (["sqlite"] if args.sqlite else []) + (["postgres"] if args.postgres else [])
    with tempfile.TemporaryDirectory(prefix="bench-submissions-") as tmp:
        workdir = Path(tmp)
        for kind in kinds:
            with prepared(kind, args, workdir) as (service_url, reference_url, links):
                measure(kind, (service_url, reference_url), links, args, workdir)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")


if __name__ == "__main__":
    main()
