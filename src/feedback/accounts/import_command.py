"""The `feedback import` commands: accounts, contacts, purchases and visits from CSV files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from feedback.accounts import imports
from feedback.config import Settings, TierThresholds
from feedback.progress import measured
from feedback.runtime import run_on_database

__all__ = ["import_group"]

LARGE_FILE_BYTES = 1_048_576

import_group = click.Group(
    "import",
    help="Import accounts, contacts, purchases or visits from CSV files (UTF-8, header on "
    "line 1). A file with any bad line is refused whole, each bad line named.",
)
csv_path = click.argument(
    "path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)
Work = Callable[[Settings, imports.Progress], Awaitable[imports.ImportSummary]]
TieredImport = Callable[
    [Path, dt.date, TierThresholds, imports.Progress], Awaitable[imports.ImportSummary]
]


@contextmanager
def import_progress(path: Path) -> Iterator[imports.Progress]:
    """The bytes read of a large file (from 1 MiB), as every long command shows progress."""
    if path.stat().st_size < LARGE_FILE_BYTES:
        yield lambda done, total: None
        return
    with measured(f"importing {path.name}", "bytes") as report:
        yield report


def run_import(path: Path, what: str, work: Work) -> None:
    """Run one import on the configured database and say what it wrote."""

    async def on_database(settings: Settings) -> imports.ImportSummary:
        with import_progress(path) as advance:
            return await work(settings, advance)

    summary = run_on_database(on_database)
    counted = ""
    if summary.new is not None:
        counted = f": {summary.new} new, {summary.rows - summary.new} already there"
        counted += f" ({summary.changed} of them changed)" if summary.changed else ""
    click.echo(f"imported {summary.rows} {what} from {path.name}{counted}")
    if summary.attributes:
        kinds = ", ".join(f"{name} {kind}" for name, kind in sorted(summary.attributes.items()))
        click.echo(f"attributes: {kinds}")
    if summary.tiers is not None:
        click.echo("tiers: " + ", ".join(f"{t} {n}" for t, n in summary.tiers.items()))


def run_tiered_import(path: Path, what: str, importer: TieredImport) -> None:
    """Run an import that recomputes tiers after it: as of the configured clock's today,
    with the configured thresholds."""
    run_import(
        path,
        what,
        lambda settings, advance: importer(
            path, settings.clock().today(), settings.tier_thresholds, advance
        ),
    )


@import_group.command("accounts")
@csv_path
def import_accounts(path: Path) -> None:
    """Accounts by code; columns beyond the known ones become custom attributes."""
    run_tiered_import(path, "accounts", imports.import_accounts)


@import_group.command("contacts")
@csv_path
def import_contacts(path: Path) -> None:
    """Contacts by account_code and email."""
    run_import(path, "contacts", lambda settings, advance: imports.import_contacts(path, advance))


@import_group.command("purchases")
@csv_path
def import_purchases(path: Path) -> None:
    """Purchases by ref (derived from the row when empty); tiers are recomputed after."""
    run_tiered_import(path, "purchases", imports.import_purchases)


@import_group.command("visits")
@csv_path
def import_visits(path: Path) -> None:
    """Visits, calls and emails with accounts, for the contact log.

    \b
    Columns, in any order:
      account_code   required: the account's code
      kind           required: visit, call or email
      day            required: YYYY-MM-DD, not after today
      staff_email    who made it: a staff user's email
      contact_email  the contact met: one of the account's contacts
      person_met     the person met as written down (default: the contact's name)
      notes          what was said or agreed
      ref            the CRM's id of the entry; when empty, one is derived from the
                     row, so importing the same file again adds nothing

    An entry whose ref is already stored is updated from the file.
    """
    run_import(
        path,
        "visits, calls and emails",
        lambda settings, advance: imports.import_visits(path, settings.clock().now(), advance),
    )
