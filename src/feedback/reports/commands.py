"""`feedback reports`: an account's feedback report as a PDF file, and batches of them."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

import click

from feedback.accounts.directory import account_codes
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, find_user
from feedback.config import Settings
from feedback.languages import LANGUAGES
from feedback.progress import progress
from feedback.reports.account import account_report
from feedback.reports.batches import BatchEntry, BatchPlan, build_batch
from feedback.reports.pdf import ACCESSIBLE, ARCHIVAL, render_pdf
from feedback.reports.rendering import report_html
from feedback.runtime import run_on_database

__all__ = ["reports_group"]

# Whoever runs the command on the server reads every account, as `feedback waves results`
# does; the export is logged under this name.
SERVER_OPERATOR = StaffMember(id=0, email="command line", name="", role=Role.admin)
UNSAFE_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9._-]")


@click.group("reports")
def reports_group() -> None:
    """Printable reports."""


@reports_group.command("account")
@click.argument("code")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Default: the language of the account's main contact.",
)
@click.option("--archival", is_flag=True,
              help="PDF/A-3b, for archives, not the tagged PDF/UA-1.")  # fmt: skip
def account(code: str, out: Path, lang: str | None, archival: bool) -> None:
    """Write the feedback report of the account CODE to a PDF file."""

    async def work(settings: Settings) -> str:
        report = await account_report(
            code, SERVER_OPERATOR, settings.clock().now(), settings.contact_standards, lang or ""
        )
        return report_html(report)

    pdf = render_pdf(run_on_database(work), ARCHIVAL if archival else ACCESSIBLE)
    # Written beside the target and moved over it: an interrupted run leaves no half a file.
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(pdf)
    os.replace(partial, out)
    click.echo(f"wrote {out} ({len(pdf):,} bytes)")


@reports_group.group("build")
def build_group() -> None:
    """Batches of reports in a folder, with a manifest; a rerun skips what is unchanged."""


def _account_file(code: str, lang: str | None) -> str:
    """A file name of the code's own letters; a code with others gets a digest too, so two
    codes never share a file."""
    safe = UNSAFE_IN_FILE_NAMES.sub("_", code)
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
