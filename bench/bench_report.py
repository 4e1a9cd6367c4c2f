"""P4: one account report PDF against WeasyPrint's own time on the same final HTML.

    .venv/bin/python -m bench.bench_report [--database URL | --postgres ADMIN_URL]
                                            [--account CODE] [--runs 15]

Uses the demo data: the database at URL (one `feedback demo` has filled), or else a fresh
one that `feedback demo` fills (not timed): a SQLite file in bench/output, or with
--postgres a throwaway PostgreSQL database created through ADMIN_URL and dropped after.
The account is CODE, or else the scored account with the most complaints in the last 12
months (the fullest report). Then, in one process and alternating so that both see the
same machine, it times for each language:

- the report: data (`account_report`), charts and HTML (`report_html`) and the PDF
  (`render_pdf`), as `feedback reports account` makes it;
- the reference: `render_pdf` alone on the final HTML of the same report.

Two warm-up rounds come first (the catalog, the template and fontconfig load once per
process). Prints the medians of each part, the ratio report / reference (target <= 1.3,
PERFORMANCE.md P4) and, for the web route's way, the same report rendered through the
pool of worker processes (`render_pdf_off_the_loop`), the first time (a worker starts
and loads WeasyPrint) and then warm.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.complaints.tables import Complaint
from feedback.config import Settings
from feedback.reports.account import account_report
from feedback.reports.pdf import render_pdf, render_pdf_off_the_loop
from feedback.reports.rendering import report_html
from tests.support.databases import migrated_database, scratch_database

OUTPUT = Path(__file__).parent / "output"
FEEDBACK = Path(sys.executable).parent / "feedback"
TARGET = 1.3
WARMUP = 2
READER = StaffMember(id=0, email="bench", name="", role=Role.admin)
STANDARDS = Settings().contact_standards
FULLEST_SQL = (
    "SELECT a.code AS code, COUNT(c.id) AS complaints FROM account a "
    "JOIN complaint c ON c.account = a.id "
    "WHERE c.received_at >= {} AND a.id IN (SELECT account FROM scoring_score) "
    "GROUP BY a.code ORDER BY complaints DESC, a.code LIMIT 1"
)


def fill_with_demo(url: str) -> str:
    env = {**os.environ, "FEEDBACK_ENV": "demo", "FEEDBACK_DATABASE_URL": url}
    print("building the demo database (feedback demo) ...", flush=True)
    reset = ["--reset"] if url.startswith("sqlite") else []
    subprocess.run([str(FEEDBACK), "demo", *reset], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=1800)  # fmt: skip
    return url


def demo_database(url: str | None) -> str:
    """``url`` (a database `feedback demo` has filled), or else a SQLite file in bench/output
    that `feedback demo` fills."""
    if url:
        return url
    OUTPUT.mkdir(exist_ok=True)
    return fill_with_demo(f"sqlite:///{OUTPUT / 'bench_report.sqlite3'}")


async def fullest_account(now: dt.datetime) -> str:
    rows = await Complaint.raw(FULLEST_SQL, now - dt.timedelta(days=365))
    if not rows:
        raise SystemExit("no scored account with complaints: is this a demo database?")
    return str(rows[0]["code"])


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


async def whole_report(code: str, language: str, now: dt.datetime) -> tuple[str, list[float]]:
    """The report made as `feedback reports account` makes it: its HTML and each part's time."""
    started = time.perf_counter()
    report = await account_report(code, READER, now, STANDARDS, language)
    assembled = time.perf_counter()
    html = report_html(report)
    drawn = time.perf_counter()
    render_pdf(html)
    finished = time.perf_counter()
    return html, [assembled - started, drawn - assembled, finished - drawn, finished - started]


def weasyprint_alone(html: str) -> float:
    started = time.perf_counter()
    render_pdf(html)
    return time.perf_counter() - started


async def measure(code: str, language: str, now: dt.datetime, runs: int) -> None:
    html, _ = await whole_report(code, language, now)
    parts: dict[str, list[float]] = {"data": [], "html": [], "pdf": [], "total": [], "ref": []}
    pooled: list[float] = []
    for run in range(WARMUP + runs):
        # Alternate which goes first, so that neither always finds the caches warm.
        reference = weasyprint_alone(html) if run % 2 else 0.0
        made, times = await whole_report(code, language, now)
        assert made == html, "the report's HTML must be the reference's"
        reference = reference or weasyprint_alone(html)
        through_pool = await timed(lambda: _pooled(code, language, now))
        if run < WARMUP:
            continue
        for key, value in zip(parts, [*times, reference], strict=True):
            parts[key].append(value)
        pooled.append(through_pool)
    ratio = statistics.median(parts["total"]) / statistics.median(parts["ref"])
    print(
        f"{code} [{language}] {len(html):,} characters of HTML: data {median_ms(parts['data'])}, "
        f"charts and HTML {median_ms(parts['html'])}, PDF {median_ms(parts['pdf'])}; total "
        f"{median_ms(parts['total'])} against WeasyPrint alone {median_ms(parts['ref'])}: "
        f"ratio {ratio:.2f} (target <= {TARGET}) {'met' if ratio <= TARGET else 'MISSED'}; "
        f"through the worker pool {median_ms(pooled)}"
    )


async def _pooled(code: str, language: str, now: dt.datetime) -> bytes:
    report = await account_report(code, READER, now, STANDARDS, language)
    return await render_pdf_off_the_loop(report_html(report))


async def main(url: str, code: str | None, runs: int, languages: list[str]) -> None:
    now = dt.datetime.now(dt.UTC)
    async with migrated_database(url, migrated=False):
        code = code or await fullest_account(now)
        cold = await timed(lambda: _pooled(code, languages[0], now))
        print(f"the first report through the pool (a worker process starts): {cold * 1000:.0f} ms")
        print(f"{runs} runs after {WARMUP} warm-up rounds; medians; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
        for language in languages:
            await measure(code, language, now, runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="a database `feedback demo` has filled")
    where.add_argument("--postgres", help="an admin URL: the demo goes into a throwaway database")
    parser.add_argument("--account", help="the account code (default: the fullest report)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--lang", nargs="+", default=["en", "zh"], choices=["en", "zh"])
    arguments = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if arguments.database:
            url = arguments.database
        elif arguments.postgres:
            url = fill_with_demo(stack.enter_context(scratch_database(arguments.postgres)))
        else:
            OUTPUT.mkdir(exist_ok=True)
            url = fill_with_demo(f"sqlite:///{OUTPUT / 'bench_report.sqlite3'}")
        asyncio.run(main(url, arguments.account, arguments.runs, arguments.lang))
