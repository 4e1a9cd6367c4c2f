"""`feedback complaints figures` on a fresh SQLite file and a fresh PostgreSQL database
(sync tests: the command runs its own event loop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from feedback.accounts.roles import Role
from feedback.cli import main
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import Severity
from tests.conftest import NOW, TODAY, command_env
from tests.support.databases import filled_database
from tests.support.factories import (
    make_account,
    make_staff_user,
    raise_complaint,
    reopened_complaint,
)

HOUR = dt.timedelta(hours=1)


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=command_env(url))


async def _two_complaints() -> None:
    """Tier A: apologised in 1 h (2 h allowed), resolved at 5 h, reopened by the customer.
    Tier C: received 30 h ago (severe: apology due in 4 h) and not touched since."""
    clock = FrozenClock(NOW - dt.timedelta(days=3))
    agent = await make_staff_user(Role.agent, clock.now())
    await reopened_complaint(clock, await make_account("A1", tier="A"), agent)
    clock.at = NOW - 30 * HOUR
    await raise_complaint(clock, await make_account("C1", tier="C"), Severity.severe)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with filled_database(request.param, tmp_path_factory.mktemp("figures"), _two_complaints) as url:
        yield url


def test_the_figures_of_a_period_are_printed_in_plain_words_per_tier(history: str) -> None:
    done = run(history, "complaints", "figures", "--by", "tier")
    assert done.exit_code == 0, done.output
    first = TODAY - dt.timedelta(days=90)
    assert done.output.splitlines() == [
        f"complaints received {first} to {TODAY}, by tier",
        "time spent in each state before moving on:",
        "  A  apologised: 1 move(s), 1.0 h on average",
        "  A  investigating: 1 move(s), 3.0 h on average",
        "  A  received: 1 move(s), 1.0 h on average",
        "  A  resolved: 1 move(s), 24.0 h on average",
        "deadlines (steps finished, and steps still open past their deadline):",
        "  A  apology: 1 of 1 on time (100%), 0 overdue and still open",
        "  A  follow-up: 1 of 1 on time (100%), 0 overdue and still open",
        "  A  resolution: 1 of 2 on time (50%), 1 overdue and still open",
        "  C  apology: 0 of 1 on time (0%), 1 overdue and still open",
        "reopened after the customer's follow-up:",
        "  A  1 of 1 resolved (100%)",
        "root causes found (cancelled complaints left out):",
        "  A  product quality: 1",
    ]


def test_a_period_without_complaints_says_so_and_a_reversed_one_is_refused(
    history: str,
) -> None:
    done = run(history, "complaints", "figures", "--from", "2020-01-01", "--to", "2020-01-31")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[1:] == [
        "time spent in each state before moving on:",
        "  none",
        "deadlines (steps finished, and steps still open past their deadline):",
        "  none",
        "reopened after the customer's follow-up:",
        "  none",
        "root causes found (cancelled complaints left out):",
        "  none",
    ]
    reversed_period = run(
        history, "complaints", "figures", "--from", "2020-02-01", "--to", "2020-01-01"
    )
    assert reversed_period.exit_code == 2
    assert "--from 2020-02-01 is after --to 2020-01-01" in reversed_period.output
