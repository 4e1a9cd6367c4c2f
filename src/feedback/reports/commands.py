"""`feedback reports`: an account's feedback report as a PDF file."""

from __future__ import annotations

import os
from pathlib import Path

import click

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.config import Settings
from feedback.languages import LANGUAGES
from feedback.reports.account import account_report
from feedback.reports.pdf import ACCESSIBLE, ARCHIVAL, render_pdf
from feedback.reports.rendering import report_html
from feedback.runtime import run_on_database

__all__ = ["reports_group"]

# Whoever runs the command on the server reads every account, as `feedback waves results`
# does; the export is logged under this name.
SERVER_OPERATOR = StaffMember(id=0, email="command line", name="", role=Role.admin)


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
