"""Progress of a long command: a rich bar on a terminal, plain lines otherwise (logs, cron)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["Advance", "Report", "bar_columns", "measured", "progress"]

# Plain progress is a line each time this share of the work more is done.
PLAIN_STEP = 0.1

Advance = Callable[[int], None]
# How much is done, of how much.
Report = Callable[[int, int], None]


def bar_columns(description: str = "{task.description}") -> tuple[ProgressColumn, ...]:
    """The columns of every progress bar: what is done, the bar, the share, the time taken."""
    return (TextColumn(description), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())


@contextmanager
def progress(description: str, total: int, console: Console | None = None) -> Iterator[Advance]:
    """Report ``total`` steps of work; the caller calls the yielded function with the number
    of steps just done. Written to standard error, so standard output stays the result."""
    with measured(description, console=console) as report:
        done = 0

        def advance(steps: int) -> None:
            nonlocal done
            done += steps
            report(done, total)

        yield advance


@contextmanager
def measured(description: str, unit: str = "", console: Console | None = None) -> Iterator[Report]:
    """Report work as it goes: the caller calls the yielded function with how much is done
    and of how much (in ``unit``, such as bytes; the total may grow). A bar on a terminal,
    else a line each tenth of the total. Written to standard error."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        with Progress(*bar_columns(), console=console) as bar:
            task = bar.add_task(description, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)
        return
    said = 0.0
    suffix = f" {unit}" if unit else ""

    def report(done: int, total: int) -> None:
        nonlocal said
        share = done / total if total else 1.0
        if share - said >= PLAIN_STEP or (done == total and said != 1.0):
            said = share
            line = f"{description}: {done:,} of {total:,}{suffix} ({share:.0%})"
            console.print(line, markup=False, highlight=False)

    yield report
