"""`feedback complaints figures`: time in each step, deadlines kept, reopen rate and root
causes of the complaints received in a period, for supervisors and management."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

from feedback.complaints import reporting
from feedback.complaints.deadlines import Step
from feedback.config import Settings
from feedback.runtime import run_on_database

__all__ = ["complaints_group"]

UTC = dt.UTC
Decorated = TypeVar("Decorated", bound=Callable[..., Any])
STEP_NAMES = {Step.apology: "apology", Step.resolution: "resolution", Step.follow_up: "follow-up"}


@click.group("complaints")
def complaints_group() -> None:
    """Complaint tickets."""


def _words(key: str) -> str:
    return key.replace("_", " ")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _section(title: str, rows: list[str]) -> list[str]:
    return [title, *(f"  {row}" for row in rows or ["none"])]


def _lines(figures: reporting.ComplaintFigures) -> list[str]:
    steps = [
        f"{t.group}  {_words(t.state)}: {t.moves} move(s), {t.mean_hours:.1f} h on average"
        for t in figures.steps
    ]
    deadlines = [
        f"{c.group}  {STEP_NAMES[Step(c.step)]}: {c.on_time} of {c.finished + c.overdue} on "
        f"time ({_share(c.on_time, c.finished + c.overdue)}), {c.overdue} overdue and still open"
        for c in figures.compliance
    ]
    reopens = [
        f"{r.group}  {r.reopened} of {r.resolved} resolved ({_share(r.reopened, r.resolved)})"
        for r in figures.reopens
    ]
    causes = [f"{c.group}  {_words(c.root_cause)}: {c.complaints}" for c in figures.root_causes]
    return [
        *_section("time spent in each state before moving on:", steps),
        *_section("deadlines (steps finished, and steps still open past their deadline):",
                  deadlines),
        *_section("reopened after the customer's follow-up:", reopens),
        *_section("root causes found (cancelled complaints left out):", causes),
    ]  # fmt: skip


def _received_on(
    flag: str, name: str, which: str, default: str
) -> Callable[[Decorated], Decorated]:
    """--from or --to: a day complaints were received on, optional."""
    return click.option(
        flag,
        name,
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help=f"{which} day complaints were received on. Default: {default}.",
    )


@complaints_group.command("figures")
@_received_on("--from", "first", "First", "90 days before the last")
@_received_on("--to", "last", "Last", "today")
@click.option("--by", type=click.Choice([b.value for b in reporting.Breakdown]),
              default=reporting.Breakdown.none.value, show_default=True,
              help="Give each figure per account tier or per industry.")  # fmt: skip
def figures(first: dt.datetime | None, last: dt.datetime | None, by: str) -> None:
    """The complaint figures of the complaints received from --from to --to (both included)."""

    async def work(settings: Settings) -> tuple[reporting.ReportScope, reporting.ComplaintFigures]:
        now = settings.clock().now()
        until_day = last.date() if last else now.date()
        since_day = first.date() if first else until_day - dt.timedelta(days=90)
        if since_day > until_day:
            raise click.UsageError(f"--from {since_day} is after --to {until_day}")
        scope = reporting.ReportScope(
            dt.datetime.combine(since_day, dt.time(), UTC),
            dt.datetime.combine(until_day + dt.timedelta(days=1), dt.time(), UTC),
            reporting.Breakdown(by),
        )
        return scope, await reporting.complaint_figures(scope, now)

    scope, outcome = run_on_database(work)
    grouping = "" if scope.by is reporting.Breakdown.none else f", by {scope.by.value}"
    until = (scope.until - dt.timedelta(days=1)).date()
    click.echo(f"complaints received {scope.since.date()} to {until}{grouping}")
    for line in _lines(outcome):
        click.echo(line)
