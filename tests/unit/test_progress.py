"""A long command's progress: plain lines every tenth when not on a terminal, a bar on one."""

from __future__ import annotations

import io

from rich.console import Console

from feedback.progress import progress


def test_off_a_terminal_progress_is_a_line_each_tenth_and_at_the_end() -> None:
    written = io.StringIO()
    with progress("reports", 25, Console(file=written, force_terminal=False)) as advance:
        for _ in range(25):
            advance(1)
    lines = written.getvalue().splitlines()
    assert lines[0] == "reports: 3 of 25"
    assert lines[-1] == "reports: 25 of 25"
    assert len(lines) == 9


def test_on_a_terminal_progress_draws_a_bar() -> None:
    written = io.StringIO()
    with progress("reports", 4, Console(file=written, force_terminal=True, width=80)) as advance:
        advance(4)
    assert "reports" in written.getvalue()
    assert "100%" in written.getvalue()
