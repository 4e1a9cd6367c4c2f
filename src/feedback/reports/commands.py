"""`feedback reports`: an account's feedback report or a portfolio report as a PDF file, and
batches of account reports."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from feedback.accounts.directory import account_codes
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, find_user
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
from feedback.reports.rendering import portfolio_html, report_html
from feedback.runtime import run_on_database

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


def _account_file(code: str, lang: str | None) -> str:
    """A file name of the code's own letters; a code with others gets a digest too, so two
    codes never share a file."""
    safe = file_name_part(code)
    if safe != code:
        safe += "-" + hashlib.sha256(code.encode()).hexdigest()[:8]
    return f"account-{safe}{'-' + lang if lang else ''}.pdf"


@build_group.command("account")
@click.argument("codes", nargs=-1)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--manager", default=None, help="Only this account manager's portfolio (email).")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Default: each account's main contact's language.",
)
@click.option("--processes", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default="one per core", help="Renderer processes.")  # fmt: skip
def build_accounts(
    codes: tuple[str, ...], out: Path, manager: str | None, lang: str | None, processes: int
) -> None:
    """Write the account reports of CODES (default: every active account, or the manager's)
    into the folder OUT, with OUT/manifest.json saying what became of each."""

    async def work(settings: Settings) -> list[BatchEntry]:
        now = settings.clock().now()
        managed_by = (await find_user(manager)).id if manager else None
        names = list(codes) or await account_codes(managed_by)

        async def page_of(code: str) -> str:
            report = await account_report(
                code, SERVER_OPERATOR, now, settings.contact_standards, lang or ""
            )
            return report_html(report)

        plan = BatchPlan(names, lambda code: _account_file(code, lang), page_of)
        with progress("account reports", len(names)) as advance:
            return await build_batch(plan, out, processes, advance)

    out.mkdir(parents=True, exist_ok=True)
    entries = run_on_database(work)
    counts = {
        outcome: sum(e.outcome == outcome for e in entries)
        for outcome in ("built", "unchanged", "failed")
    }
    click.echo(
        f"{counts['built']} built, {counts['unchanged']} unchanged (already built from the "
        f"same data), {counts['failed']} failed; the manifest is {out / 'manifest.json'}"
    )
    for entry in entries:
        if entry.outcome == "failed":
            click.echo(f"{entry.name}: {entry.problem}", err=True)
    if counts["failed"]:
        sys.exit(1)
