"""The `feedback demo` command: simulate a customer base and load it with the demo staff."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from pathlib import Path
from urllib.parse import urlsplit

import click
from piccolo.engine.sqlite import SQLiteEngine
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from feedback.config import Settings
from feedback.db import engine_for_url, migrate
from feedback.demo.customers import Simulation
from feedback.demo.seed import (
    DEMO_ADMIN_EMAIL,
    DEMO_PASSWORD,
    SeedReport,
    database_is_empty,
    seed,
)
from feedback.demo.simulator import simulate
from feedback.errors import Conflict, InvalidInput
from feedback.progress import bar_columns
from feedback.runtime import run_on_database
from feedback.scoring import services as scoring
from feedback.scoring.labels import ChurnRule
from feedback.scoring.scores import ScoreRun, score_accounts

__all__ = ["demo_command"]

SQLITE_COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _sqlite_path(url: str) -> Path | None:
    engine = engine_for_url(url)
    return Path(engine.path) if isinstance(engine, SQLiteEngine) else None


def _delete_sqlite_database(url: str, console: Console) -> None:
    path = _sqlite_path(url)
    if path is None:
        console.print(
            "--reset deletes SQLite files only; a PostgreSQL database is used only if empty."
        )
        return
    for suffix in SQLITE_COMPANION_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    console.print(f"deleted the SQLite database {path}")


def _occupied(url: str) -> Conflict:
    if _sqlite_path(url) is None:
        return Conflict(
            "the PostgreSQL database already holds staff users or accounts; demo data goes "
            "only into an empty database (drop and create it, then run again)"
        )
    return Conflict(
        "the database already holds staff users or accounts; run `feedback demo --reset` "
        "to delete the SQLite file and rebuild the demo"
    )


def _where(url: str) -> str:
    path = _sqlite_path(url)
    if path is not None:
        return f"SQLite at {path}"
    parts = urlsplit(url)  # no credentials in the output
    return f"PostgreSQL {parts.hostname}:{parts.port or 5432}{parts.path}"


class _ProgressBars:
    """Feeds seed progress (step, done, total) into one rich bar per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=total)
        self.progress.update(self.tasks[step], completed=done, total=total)


def _progress(console: Console) -> Progress:
    return Progress(*bar_columns("{task.description:<10}"), console=console)


async def _migrate_quietly(console: Console) -> None:
    """Migrate without Piccolo's per-app report, unless the migration fails."""
    report = io.StringIO()
    try:
        with contextlib.redirect_stdout(report):
            await migrate()
    except BaseException:
        console.print(report.getvalue(), markup=False, highlight=False)
        raise
    console.print("the database schema is up to date")


# Scores every four weeks up to today, so trends and accounts that rose a band show.
SCORE_DAYS_BACK = (56, 28, 0)


async def _churn_scores(
    simulation: Simulation, settings: Settings, now: dt.datetime, console: Console
) -> list[ScoreRun]:
    """Train a churn model on the demo history and score it at a few past days and today.

    A customer base too small or too short to learn from gets no scores, and says why.
    """
    try:
        with console.status("training a churn model on the demo history"):
            await scoring.train(
                simulation.as_of, ChurnRule(), settings.tier_thresholds, now,
                settings.contact_standards,
            )  # fmt: skip
    except InvalidInput as exc:
        console.print(f"no churn scores: {exc.message}")
        return []
    days = [simulation.as_of - dt.timedelta(days=back) for back in SCORE_DAYS_BACK]
    return [
        await score_accounts(day, settings.tier_thresholds, now, settings.contact_standards)
        for day in days
    ]


def _load(
    simulation: Simulation, now: dt.datetime, console: Console
) -> tuple[SeedReport, list[ScoreRun]]:

    async def work(settings: Settings) -> tuple[SeedReport, list[ScoreRun]]:
        await _migrate_quietly(console)
        if not await database_is_empty():
            raise _occupied(settings.database_url)
        with _progress(console) as progress:
            report = await seed(simulation, now, settings, _ProgressBars(progress))
        return report, await _churn_scores(simulation, settings, now, console)

    return run_on_database(work)


def _print_summary(console: Console, simulation: Simulation, report: SeedReport) -> None:
    console.print(
        f"loaded {report.accounts} accounts, {report.contacts} contacts, "
        f"{report.purchases} purchases, {report.contact_log} visits, calls and emails "
        f"and {report.staff} staff users "
        f"(as of {simulation.as_of}, seed {simulation.seed})"
    )
    console.print("tiers: " + ", ".join(f"{tier} {n}" for tier, n in report.tiers.items()))
    waves = Table("wave", "invited", "answered", "response rate", title="past survey waves")
    for wave in report.waves:
        rate = f"{wave.answered / wave.invited:.0%}" if wave.invited else "-"
        waves.add_row(wave.period, str(wave.invited), str(wave.answered), rate)
    console.print(waves)
    complaints = report.complaints
    console.print(
        f"complaints: {sum(complaints.states.values())} ({complaints.from_survey} raised by the "
        f"last wave's answers), {complaints.breached} with a missed deadline; "
        + ", ".join(f"{state} {n}" for state, n in sorted(complaints.states.items()))
    )
    staff = Table("email", "name", "role", title="demo staff (all share the password)")
    for member in simulation.staff:
        staff.add_row(member.email, member.name, member.role.label)
    console.print(staff)
    console.print(
        f"log in as [bold]{DEMO_ADMIN_EMAIL}[/bold] with password [bold]{DEMO_PASSWORD}[/bold]"
    )


@click.command("demo")
@click.option(
    "--accounts",
    "account_count",
    default=3000,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many customer accounts to simulate.",
)
@click.option("--seed", "seed_value", default=7, show_default=True, help="Same seed, same data.")
@click.option(
    "--reset",
    is_flag=True,
    help="Delete the SQLite database file first. PostgreSQL is never emptied: "
    "the demo loads only into an empty database.",
)
def demo_command(account_count: int, seed_value: int, reset: bool) -> None:
    """Load a simulated customer base and demo staff users (not in production)."""
    settings = Settings.from_env()
    if settings.production:
        raise click.ClickException(
            "demo staff share a published password; set FEEDBACK_ENV=demo to load demo data"
        )
    console = Console()
    if reset:
        _delete_sqlite_database(settings.database_url, console)
    started = time.perf_counter()
    now = settings.clock().now()
    with console.status(f"simulating {account_count} accounts"):
        simulation = simulate(now.date(), account_count, seed_value)
    report, scores = _load(simulation, now, console)
    console.print(f"demo data is in {_where(settings.database_url)}")
    _print_summary(console, simulation, report)
    for run in scores[-1:]:
        console.print(run.lines()[0], markup=False, highlight=False)
    console.print(f"done in {time.perf_counter() - started:.1f} s")
