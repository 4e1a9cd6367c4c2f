"""The report renderers' memory: each renderer process of `feedback serve`, against
WeasyPrint alone rendering the same reports.

    .venv/bin/python -m bench.bench_renderer_memory [--database URL] [--reports 30]

Uses the demo data: the database at URL (one `feedback demo` has filled), or else a SQLite
file in bench/output that `feedback demo` fills (not timed). Serves it with `feedback serve`
(one worker), logs in as the demo's administrator and asks for the account reports of the
first REPORTS active accounts (GET /accounts/{code}/report.pdf), one after the other. It
reads each renderer process's resident memory from /proc (VmRSS now, VmHWM its peak) once
the server has started its first renderer and after every tenth report.

The reference, measured in the same run: a Python process that imports the renderer
(`feedback.reports.pdf`, WeasyPrint) and nothing else and renders the same accounts' report
pages, assembled in this process. Prints the renderers' largest peak, the reference's, their
ratio, and whether the peak is under the target (200 MiB, PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.bench_report import READER, STANDARDS, demo_database
from feedback.accounts.directory import account_codes
from feedback.reports.account import account_report
from feedback.reports.rendering import report_html
from tests.support.databases import migrated_database
from tests.support.network import free_port
from tests.support.servers import Site, serving

TARGET_MIB = 200
EVERY = 10
DEMO_LOGIN = {"email": "admin@demo.example", "password": "demo-password"}
REFERENCE = """
import sys
from pathlib import Path
from feedback.reports.pdf import render_pdf
for page in sorted(Path(sys.argv[1]).glob("*.html")):
    render_pdf(page.read_text(encoding="utf-8"))
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def kib(pid: int, field: str) -> int:
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def renderers(server: int) -> list[int]:
    """The server's renderer processes: its children started by multiprocessing's spawn,
    not its resource tracker."""
    with open(f"/proc/{server}/task/{server}/children", encoding="ascii") as children:
        pids = [int(pid) for pid in children.read().split()]
    found = []
    for pid in pids:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(pid)
    return found


def show(label: str, server: int) -> int:
    """Print each renderer's memory; return the largest peak in KiB."""
    figures = [(pid, kib(pid, "VmRSS"), kib(pid, "VmHWM")) for pid in renderers(server)]
    described = ", ".join(
        f"{rss // 1024} MiB now, {top // 1024} MiB peak" for _, rss, top in figures
    )
    print(f"{label}: {len(figures)} renderer(s): {described}", flush=True)
    return max((peak for _, _, peak in figures), default=0)


async def first_renderer(server: int) -> None:
    """Wait until the server has started its first renderer and that one has warmed up."""
    for _ in range(600):
        if renderers(server) and kib(renderers(server)[0], "VmRSS") > 60 * 1024:
            await asyncio.sleep(3)
            return
        await asyncio.sleep(0.1)
    raise SystemExit("feedback serve started no renderer in 60 s")


async def served_reports(url: str, codes: list[str]) -> int:
    port = free_port()
    env = {**os.environ, "FEEDBACK_ENV": "test", "FEEDBACK_DATABASE_URL": url}
    site = Site("sqlite" if url.startswith("sqlite") else "postgres", url, port, env)
    async with serving(site) as service:
        await service.wait_until_serving(site.base_url)
        server = service.process.pid
        await first_renderer(server)
        peak = show("warmed up", server)
        async with httpx.AsyncClient(base_url=site.base_url, timeout=300) as client:
            login = await client.post("/api/v1/auth/login", json=DEMO_LOGIN)
            assert login.status_code == 200, login.text
            for number, code in enumerate(codes, start=1):
                response = await client.get(f"/accounts/{code}/report.pdf")
                assert response.content.startswith(b"%PDF"), response.text[:200]
                if number % EVERY == 0 or number == len(codes):
                    peak = max(peak, show(f"after {number} reports", server))
        return peak


async def pages(url: str, codes: list[str], folder: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    async with migrated_database(url, migrated=False):
        for code in codes:
            report = await account_report(code, READER, now, STANDARDS, "")
            (folder / f"{code}.html").write_text(report_html(report), encoding="utf-8")


def reference(url: str, codes: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(pages(url, codes, Path(folder)))
        done = subprocess.run([sys.executable, "-c", REFERENCE, folder], check=True,
                              capture_output=True, text=True, timeout=3600)  # fmt: skip
    return int(done.stdout.split()[-1])


async def first_codes(url: str, count: int) -> list[str]:
    async with migrated_database(url, migrated=False):
        return (await account_codes())[:count]


def main(url: str, count: int) -> None:
    codes = asyncio.run(first_codes(url, count))
    served_peak = asyncio.run(served_reports(url, codes))
    alone = reference(url, codes)
    verdict = "pass" if served_peak < TARGET_MIB * 1024 else "FAIL"
    print(f"{len(codes)} reports: renderer peak {served_peak / 1024:.1f} MiB, WeasyPrint alone "
          f"{alone / 1024:.1f} MiB, ratio {served_peak / alone:.2f}; "
          f"under {TARGET_MIB} MiB: {verdict}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database `feedback demo` has filled")
    parser.add_argument("--reports", type=int, default=30)
    args = parser.parse_args()
    main(demo_database(args.database), args.reports)
