"""The service's clock, and the rule that tests never build data from the real one."""

from __future__ import annotations

import ast
import datetime as dt

import pytest

from feedback.clock import SystemClock
from feedback.config import Settings
from feedback.errors import ConfigurationError
from tests.support.sources import found_in_sources

# The only places in tests/ that read the real clock, because the real clock is what they test.
REAL_CLOCK_ALLOWED = {
    "tests/unit/test_clock.py": "the moved system clock itself",
}
REAL_CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today")}


def _real_clock_calls(source: str) -> list[int]:
    """Lines calling datetime.now(), datetime.utcnow(), date.today() or SystemClock()."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute):
            owner = function.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if (owner_name, function.attr) in REAL_CLOCK_CALLS:
                lines.append(node.lineno)
        name = getattr(function, "id", getattr(function, "attr", ""))
        if name == "SystemClock":
            lines.append(node.lineno)
    return lines


def test_no_test_reads_the_real_clock_outside_the_listed_places() -> None:
    found = found_in_sources(_real_clock_calls, "tests", skip=REAL_CLOCK_ALLOWED)
    assert not found, (
        "tests take their today from tests.conftest (TODAY, NOW, the clock fixture, "
        f"command_env for commands and servers), not from the real clock: {found}"
    )


@pytest.mark.parametrize(
    "source",
    [
        "import datetime as dt\nx = dt.datetime.now(dt.UTC)",
        "from datetime import datetime\nx = datetime.utcnow()",
        "import datetime\nx = datetime.date.today()",
        "from datetime import date\nx = date.today()",
        "from feedback.clock import SystemClock\nx = SystemClock().now()",
    ],
)
def test_the_scan_finds_each_way_of_reading_the_real_clock(source: str) -> None:
    assert _real_clock_calls(source) == [2]


def test_the_scan_leaves_fixed_days_alone() -> None:
    assert _real_clock_calls("import datetime as dt\nx = dt.date(2026, 11, 26).today") == []


@pytest.mark.parametrize("day", [dt.date(2028, 2, 29), dt.date(2020, 1, 1), dt.date(2031, 12, 31)])
def test_a_moved_system_clock_runs_from_its_day(day: dt.date) -> None:
    clock = SystemClock(day)
    first = clock.now()
    # Midnight may pass between the two readings; the clock then moves on to the next day.
    assert first.date() in (day, day + dt.timedelta(days=1))
    assert clock.now() >= first
    assert first.tzinfo is dt.UTC


def test_the_system_clock_is_the_real_one_unless_moved() -> None:
    before = dt.datetime.now(dt.UTC)
    assert before <= SystemClock().now() <= dt.datetime.now(dt.UTC)


def test_feedback_today_moves_the_services_clock_in_test_demo_and_dev_only() -> None:
    settings = Settings.from_env({"FEEDBACK_ENV": "test", "FEEDBACK_TODAY": "2027-03-10"})
    assert settings.today == dt.date(2027, 3, 10)
    assert settings.clock().today() in (dt.date(2027, 3, 10), dt.date(2027, 3, 11))
    with pytest.raises(ConfigurationError, match="only for demo, dev and test"):
        Settings.from_env(
            {
                "FEEDBACK_ENV": "production",
                "FEEDBACK_SECRET_KEY": "k" * 40,
                "FEEDBACK_TODAY": "2027-03-10",
            }
        )
    with pytest.raises(ConfigurationError, match="YYYY-MM-DD, got '10/03/2027'"):
        Settings.from_env({"FEEDBACK_ENV": "dev", "FEEDBACK_TODAY": "10/03/2027"})
    assert Settings.from_env({"FEEDBACK_ENV": "dev"}).today is None
