"""A long command's progress: plain lines every tenth when not on a terminal, a bar on one."""

from __future__ import annotations

import io

from rich.console import Console

from feedback.progress import measured, progress


def test_off_a_terminal_progress_is_a_line_each_tenth_and_at_the_end() -> None:
    written = io.StringIO()
    with progress("reports", 25, Console(file=written, force_terminal=False)) as advance:
        for _ in range(25):
            advance(1)
    lines = written.getvalue().splitlines()
    assert lines[0] == "reports: 3 of 25 (12%)"
    assert lines[-1] == "reports: 25 of 25 (100%)"
    assert len(lines) == 9


def test_measured_work_says_its_unit_and_follows_a_growing_total() -> None:
    written = io.StringIO()
    with measured(
        "importing big.csv", "bytes", Console(file=written, force_terminal=False)
    ) as report:
        report(500_000, 2_000_000)  # the first of two passes over a 1,000,000-byte file
        report(1_000_000, 2_000_000)
        report(1_000_000, 2_000_000)  # no new tenth: no line
        report(2_000_000, 2_000_000)
    assert written.getvalue().splitlines() == [
        "importing big.csv: 500,000 of 2,000,000 bytes (25%)",
        "importing big.csv: 1,000,000 of 2,000,000 bytes (50%)",
        "importing big.csv: 2,000,000 of 2,000,000 bytes (100%)",
    ]


def test_on_a_terminal_progress_draws_a_bar() -> None:
    written = io.StringIO()
    with progress("reports", 4, Console(file=written, force_terminal=True, width=80)) as advance:
        advance(4)
    assert "reports" in written.getvalue()
    assert "100%" in written.getvalue()
