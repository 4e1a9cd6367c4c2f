"""The portfolio report of one account manager with N accounts in full: data, HTML and PDF.

    .venv/bin/python -m bench.bench_portfolio_report [--database URL] [--manager EMAIL]
                                                     [--sections 50 200] [--lang en]

Uses the demo data: the database at URL (one `feedback demo` has filled), or else a SQLite
file in bench/output that `feedback demo` fills (not timed), as bench_report does. The
portfolio is MANAGER's (default: the account manager with the most active accounts); for
each N of --sections it prints the reports of the N accounts with the most value at risk
in full, as `feedback reports portfolio --manager EMAIL --accounts CODES` does, and times:

- the summary and the lists alone (the same report with one account in full);
- the data of the whole report (`portfolio_report`), its HTML (`portfolio_html`) and the
  PDF (`render_pdf`), with the number of pages and the largest memory the process held;
- the reference: `render_pdf` alone on the same final HTML.

Prints each part and the ratio report / reference (P4's measure, <= 1.3, for one report).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import resource
import time
from collections import Counter

import pikepdf

from bench.bench_report import demo_database
from feedback.accounts.directory import account_dimensions, active_accounts_with_revenue
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, active_members
from feedback.accounts.tiers import trailing_window
from feedback.config import Settings
from feedback.reports.pdf import render_pdf
from feedback.reports.portfolio import PortfolioChoice, manager_by_email, portfolio_report
from feedback.reports.rendering import portfolio_html
from tests.support.databases import migrated_database

READER = StaffMember(id=0, email="bench", name="", role=Role.admin)
STANDARDS = Settings().contact_standards
TARGET = 1.3


async def busiest_manager() -> str:
    """The email of the active account manager with the most accounts."""
    counts = Counter(about.manager_id for about in (await account_dimensions()).values())
    managers = await active_members([Role.account_manager])
    if not managers:
        raise SystemExit("no account manager: is this a demo database?")
    return max(managers, key=lambda member: counts[member.id]).email


async def measure(manager: StaffMember, count: int, language: str, now: dt.datetime) -> None:
    """The report with the ``count`` accounts of most value at risk in full, timed."""
    accounts = await active_accounts_with_revenue(manager.id, *trailing_window(now.date()))
    started = time.perf_counter()
    one = PortfolioChoice(manager, language, (accounts[0].code,))
    lists = await portfolio_report(READER, one, now, STANDARDS)
    summary = time.perf_counter() - started
    codes = tuple(item.account.code for item in lists.ranked.items[:count])
    data_started = time.perf_counter()
    chosen = PortfolioChoice(manager, language, codes)
    report = await portfolio_report(READER, chosen, now, STANDARDS)
    drawn_started = time.perf_counter()
    html = portfolio_html(report)
    pdf_started = time.perf_counter()
    pdf = render_pdf(html)
    finished = time.perf_counter()
    render_pdf(html)
    reference = time.perf_counter() - finished
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
    total = finished - data_started
    print(
        f"{len(codes)} of {report.accounts} accounts in full [{language}]: summary and lists "
        f"alone {summary * 1000:.0f} ms; data {drawn_started - data_started:.2f} s, HTML "
        f"{pdf_started - drawn_started:.2f} s ({len(html):,} characters), PDF "
        f"{finished - pdf_started:.1f} s ({pages} pages, {len(pdf):,} bytes); total "
        f"{total:.1f} s against WeasyPrint alone {reference:.1f} s: ratio "
        f"{total / reference:.2f} (P4's target for one report <= {TARGET}); largest memory "
        f"{_peak_mib():.0f} MiB; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(url: str, email: str | None, counts: list[int], language: str) -> None:
    now = dt.datetime.now(dt.UTC)
    async with migrated_database(url, migrated=False):
        manager = await manager_by_email(email or await busiest_manager())
        print(f"the portfolio of {manager.email}; {os.cpu_count()} cores", flush=True)
        for count in counts:
            await measure(manager, count, language, now)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="a database `feedback demo` has filled")
    parser.add_argument("--manager", help="the account manager's email")
    parser.add_argument("--sections", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--lang", default="en", choices=["en", "zh"])
    arguments = parser.parse_args()
    database_url = demo_database(arguments.database)
    asyncio.run(main(database_url, arguments.manager, arguments.sections, arguments.lang))
