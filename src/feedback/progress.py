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

__all__ = ["Advance", "bar_columns", "progress"]

# Plain progress is a line each time this share of the work more is done.
PLAIN_STEP = 0.1

Advance = Callable[[int], None]


def bar_columns(description: str = "{task.description}") -> tuple[ProgressColumn, ...]:
    """The columns of every progress bar: what is done, the bar, the share, the time taken."""
    return (TextColumn(description), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())


@contextmanager
def progress(description: str, total: int, console: Console | None = None) -> Iterator[Advance]:
    """Report ``total`` steps of work; the caller calls the yielded function with the number
    of steps just done. Written to standard error, so standard output stays the result."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        with Progress(*bar_columns(), console=console) as bar:
            task = bar.add_task(description, total=total)
            yield lambda steps: bar.advance(task, steps)
        return
    done, said = 0, 0.0

    def advance(steps: int) -> None:
        nonlocal done, said
        done += steps
        share = done / total if total else 1.0
        if share - said >= PLAIN_STEP or done == total:
            said = share
            console.print(f"{description}: {done} of {total}", markup=False, highlight=False)

    yield advance
