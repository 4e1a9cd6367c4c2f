"""The wave report: its data, HTML and PDF against WeasyPrint's own time on the same HTML.

    .venv/bin/python -m bench.bench_wave_report [--database URL] [--wave PERIOD] [--lang en]
                                                [--runs 3]

Uses the demo data: the database at URL (one `feedback demo` has filled), or else a SQLite
file in bench/output that `feedback demo` fills (not timed), as bench_report does. For the
wave (default: the latest) it times, --runs times, the data (`wave_report`: wave results,
complaint figures, churn over the records scoring reads, the latest scores), the HTML
(`wave_html`) and the PDF (`render_pdf`), then `render_pdf` alone on the same final HTML,
and prints the medians and the ratio report / reference (P4's measure, <= 1.3, for one
report).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time

from bench.bench_report import demo_database
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.reports.pdf import render_pdf
from feedback.reports.rendering import wave_html
from feedback.reports.wave import WaveChoice, wave_report
from tests.support.databases import migrated_database

READER = StaffMember(id=0, email="bench", name="", role=Role.admin)
TARGET = 1.3


async def measure(choice: WaveChoice, now: dt.datetime) -> tuple[float, float, float, float]:
    """Seconds of the data, the HTML, the PDF and of WeasyPrint alone on the same page."""
    started = time.perf_counter()
    report = await wave_report(READER, choice, now)
    drawn = time.perf_counter()
    html = wave_html(report)
    rendering = time.perf_counter()
    render_pdf(html)
    finished = time.perf_counter()
    render_pdf(html)
    return drawn - started, rendering - drawn, finished - rendering, time.perf_counter() - finished


async def main(url: str, choice: WaveChoice, runs: int) -> None:
    now = dt.datetime.now(dt.UTC)
    async with migrated_database(url, migrated=False):
        await measure(choice, now)  # warm-up: the catalog, the template, fontconfig
        times = [await measure(choice, now) for _ in range(runs)]
    data, html, pdf, reference = (statistics.median(column) for column in zip(*times, strict=True))
    total = data + html + pdf
    print(
        f"wave report {choice.period or '(the latest)'} [{choice.language or 'en'}], median of "
        f"{runs}: data {data:.2f} s, HTML {html * 1000:.0f} ms, PDF {pdf:.2f} s; total "
        f"{total:.2f} s against WeasyPrint alone {reference:.2f} s: ratio {total / reference:.2f}"
        f" (P4's target for one report <= {TARGET}); load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="a database `feedback demo` has filled")
    parser.add_argument("--wave", default="", help="the period, such as 2026-H2")
    parser.add_argument("--lang", default="en", choices=["en", "zh"])
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    database_url = demo_database(arguments.database)
    asyncio.run(main(database_url, WaveChoice(arguments.wave, arguments.lang), arguments.runs))
