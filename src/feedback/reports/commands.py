"""`feedback reports`: an account's feedback report or a portfolio report as a PDF file, and
batches of account, portfolio and wave reports."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from feedback.accounts.directory import account_codes
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, active_members, find_user
from feedback.config import Settings
from feedback.languages import LANGUAGES
from feedback.progress import progress
from feedback.reports.account import account_report
from feedback.reports.batches import BatchEntry, BatchPlan, build_batch
from feedback.reports.pdf import ACCESSIBLE, ARCHIVAL, file_name_part, render_pdf
from feedback.reports.portfolio import (
    PortfolioChoice,
    manager_by_email,
    portfolio_codes,
    portfolio_report,
)
from feedback.reports.rendering import portfolio_html, report_html, wave_html
from feedback.reports.wave import WaveChoice, wave_report
from feedback.runtime import run_on_database
from feedback.surveys.overview import wave_summaries

__all__ = ["reports_group"]

# Whoever runs the command on the server reads every account, as `feedback waves results`
# does; the export is logged under this name.
SERVER_OPERATOR = StaffMember(id=0, email="command line", name="", role=Role.admin)


@click.group("reports")
def reports_group() -> None:
    """Printable reports."""


@dataclass(frozen=True)
class PdfFile:
    """Where a command writes its report, and whether as PDF/A-3b for archives."""

    path: Path
    archival: bool

    def write(self, html: str) -> None:
        pdf = render_pdf(html, ARCHIVAL if self.archival else ACCESSIBLE)
        # Written beside the target and moved over it: an interrupted run leaves no half a file.
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_bytes(pdf)
        os.replace(partial, self.path)
        click.echo(f"wrote {self.path} ({len(pdf):,} bytes)")


def _written_to_a_file(command: Callable[..., None]) -> Callable[..., None]:
    """The options --out FILE and --archival, given to ``command`` as one PdfFile, ``out``."""

    @click.option("--out", "path", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @click.option("--archival", is_flag=True,
                  help="PDF/A-3b, for archives, not the tagged PDF/UA-1.")  # fmt: skip
    @functools.wraps(command)
    def with_file(path: Path, archival: bool, **options: Any) -> None:
        command(out=PdfFile(path, archival), **options)

    return with_file


@reports_group.command("account")
@click.argument("code")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Default: the language of the account's main contact.",
)
@_written_to_a_file
def account(code: str, out: PdfFile, lang: str | None) -> None:
    """Write the feedback report of the account CODE to a PDF file."""

    async def work(settings: Settings) -> str:
        report = await account_report(
            code, SERVER_OPERATOR, settings.clock().now(), settings.contact_standards, lang or ""
        )
        return report_html(report)

    out.write(run_on_database(work))


@reports_group.command("portfolio")
@click.option("--manager", default=None, metavar="EMAIL", help="The account manager's email.")
@click.option("--all", "everyone", is_flag=True, help="Every active account of the company.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Default: English.")
@click.option(
    "--accounts",
    default="",
    metavar="CODES",
    help="Only these accounts' reports (codes, comma-separated); default: every account's.",
)
@_written_to_a_file
def portfolio(
    manager: str | None, everyone: bool, out: PdfFile, lang: str | None, accounts: str
) -> None:
    """Write the portfolio report of one account manager (--manager) or of the whole company
    (--all) to a PDF file: the summary, the lists, then each account's report."""
    if (manager is None) == (not everyone):
        raise click.UsageError("name the portfolio: --manager EMAIL or --all")

    async def work(settings: Settings) -> str:
        chosen = await manager_by_email(manager) if manager else None
        choice = PortfolioChoice(chosen, lang or "", portfolio_codes(accounts))
        now = settings.clock().now()
        return portfolio_html(
            await portfolio_report(SERVER_OPERATOR, choice, now, settings.contact_standards)
        )

    out.write(run_on_database(work))


@reports_group.group("build")
def build_group() -> None:
    """Batches of reports in a folder, with a manifest; a rerun skips what is unchanged."""


def _batch_file(kind: str, name: str, lang: str | None) -> str:
    """A file name of the name's own letters; a name with others gets a digest too, so two
    names never share a file."""
    safe = file_name_part(name)
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{kind}-{safe}{'-' + lang if lang else ''}.pdf"


def _batch_options(command: Callable[..., None]) -> Callable[..., None]:
    """The folder (--out) and the renderer processes (--processes) every batch takes."""
    command = click.option(
        "--processes", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
        show_default="one per core", help="Renderer processes.",
    )(command)  # fmt: skip
    return click.option(
        "--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True
    )(command)


@dataclass(frozen=True)
class Batch:
    """A batch to build: what its progress bar says, its folder and renderer processes, and
    how to plan it once the database is open."""

    description: str
    out: Path
    processes: int
    plan_of: Callable[[Settings], Awaitable[BatchPlan]]


def _build(batch: Batch) -> None:
    """Build the batch, say what became of it, list the failures; exit 1 if any failed."""

    async def work(settings: Settings) -> list[BatchEntry]:
        plan = await batch.plan_of(settings)
        with progress(batch.description, len(plan.names)) as advance:
            return await build_batch(plan, batch.out, batch.processes, advance)

    batch.out.mkdir(parents=True, exist_ok=True)
    entries = run_on_database(work)
    counts = {
        outcome: sum(e.outcome == outcome for e in entries)
        for outcome in ("built", "unchanged", "failed")
    }
    click.echo(
        f"{counts['built']} built, {counts['unchanged']} unchanged (already built from the "
        f"same data), {counts['failed']} failed; the manifest is {batch.out / 'manifest.json'}"
    )
    for entry in entries:
        if entry.outcome == "failed":
            click.echo(f"{entry.name}: {entry.problem}", err=True)
    if counts["failed"]:
        sys.exit(1)


@build_group.command("account")
@click.argument("codes", nargs=-1)
@click.option("--manager", default=None, help="Only this account manager's portfolio (email).")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Default: each account's main contact's language.",
)
@_batch_options
def build_accounts(
    codes: tuple[str, ...], out: Path, manager: str | None, lang: str | None, processes: int
) -> None:
    """Write the account reports of CODES (default: every active account, or the manager's)
    into the folder OUT, with OUT/manifest.json saying what became of each."""

    async def plan_of(settings: Settings) -> BatchPlan:
        now = settings.clock().now()
        managed_by = (await find_user(manager)).id if manager else None

        async def page_of(code: str) -> str:
            report = await account_report(
                code, SERVER_OPERATOR, now, settings.contact_standards, lang or ""
            )
            return report_html(report)

        names = list(codes) or await account_codes(managed_by)
        return BatchPlan(names, lambda code: _batch_file("account", code, lang), page_of)

    _build(Batch("account reports", out, processes, plan_of))


@build_group.command("portfolio")
@click.argument("managers", nargs=-1, metavar="[MANAGER_EMAILS]...")
@click.option("--all", "everyone", is_flag=True, help="Every active account manager's.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Default: English.")
@_batch_options
def build_portfolios(
    managers: tuple[str, ...], everyone: bool, out: Path, lang: str | None, processes: int
) -> None:
    """Write the portfolio report of each account manager named (or of every active one,
    --all) into the folder OUT, with OUT/manifest.json saying what became of each."""
    if bool(managers) == everyone:
        raise click.UsageError("name the account managers by email, or give --all")

    async def plan_of(settings: Settings) -> BatchPlan:
        now = settings.clock().now()

        async def page_of(email: str) -> str:
            choice = PortfolioChoice(await manager_by_email(email), lang or "")
            return portfolio_html(
                await portfolio_report(SERVER_OPERATOR, choice, now, settings.contact_standards)
            )

        names = list(managers) or [
            member.email for member in await active_members({Role.account_manager})
        ]
        return BatchPlan(names, lambda email: _batch_file("portfolio", email, lang), page_of)

    _build(Batch("portfolio reports", out, processes, plan_of))


@build_group.command("wave")
@click.argument("periods", nargs=-1)
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Default: English.")
@_batch_options
def build_waves(periods: tuple[str, ...], out: Path, lang: str | None, processes: int) -> None:
    """Write the wave report of each of PERIODS (such as 2026-H2; default: every wave) into
    the folder OUT, with OUT/manifest.json saying what became of each."""

    async def plan_of(settings: Settings) -> BatchPlan:
        now = settings.clock().now()

        async def page_of(period: str) -> str:
            report = await wave_report(SERVER_OPERATOR, WaveChoice(period, lang or ""), now)
            return wave_html(report)

        names = list(periods) or [summary.period for summary in await wave_summaries()]
        return BatchPlan(names, lambda period: _batch_file("wave", period, lang), page_of)

    _build(Batch("wave reports", out, processes, plan_of))
