"""`feedback import` end to end on a fresh database: SQLite, and for visits PostgreSQL too."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedback.accounts.csvfiles import VISIT_COLUMNS
from feedback.accounts.tables import ContactLog
from feedback.cli import main
from tests.conftest import TODAY, command_env
from tests.support.databases import empty_database, on_database
from tests.support.visits import visits_csv


@pytest.fixture
def feedback(tmp_path: Path) -> CliRunner:
    """A runner whose database is a new, migrated SQLite file."""
    runner = CliRunner(env=command_env(f"sqlite:///{tmp_path / 'cli.sqlite3'}"))
    migrated = runner.invoke(main, ["db", "migrate"])
    assert migrated.exit_code == 0, migrated.output
    return runner


def test_accounts_then_purchases_are_imported(feedback: CliRunner, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("code,name,plan\nK1,北京客户,gold\nK2,Second,\n", encoding="utf-8-sig")
    purchases = tmp_path / "purchases.csv"
    purchases.write_text(
        "account_code,occurred_on,amount\nK1,2020-01-01,10.00\nK2,2020-01-02,5\n",
        encoding="utf-8",
    )

    first = feedback.invoke(main, ["import", "accounts", str(accounts)])
    second = feedback.invoke(main, ["import", "purchases", str(purchases)])

    assert first.exit_code == 0, first.output
    assert first.output == (
        "imported 2 accounts from accounts.csv\n"
        "attributes: plan categorical\n"
        "tiers: A 0, B 0, C 0, D 2\n"
    )
    assert second.exit_code == 0, second.output
    assert second.output.startswith("imported 2 purchases from purchases.csv\n")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        names = connection.execute("SELECT code, name FROM account ORDER BY code").fetchall()
        count = connection.execute("SELECT COUNT(*) FROM purchase").fetchone()[0]
    assert names == [("K1", "北京客户"), ("K2", "Second")]
    assert count == 2


def test_a_large_import_shows_its_progress_on_standard_error_off_a_terminal(
    feedback: CliRunner, tmp_path: Path
) -> None:
    accounts = tmp_path / "big.csv"
    rows = [f"K{n:06d},Customer number {n:06d} of the big file,gold" for n in range(30_000)]
    accounts.write_text("code,name,plan\n" + "\n".join(rows) + "\n", encoding="utf-8")
    size = accounts.stat().st_size
    assert size > 1_048_576  # large enough to show progress
    done = feedback.invoke(main, ["import", "accounts", str(accounts)])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("imported 30000 accounts from big.csv\n")
    lines = done.stderr.splitlines()
    # Two passes over the file (the attributes' kinds, then the rows): twice its bytes.
    assert lines[-1] == f"importing big.csv: {2 * size:,} of {2 * size:,} bytes (100%)"
    assert 5 <= len(lines) <= 11
    assert all(line.startswith("importing big.csv: ") for line in lines)


def test_a_bad_file_ends_the_command_with_its_lines(feedback: CliRunner, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("account_code,email\nK9,x@y.example\nK9,broken\n", encoding="utf-8")

    result = feedback.invoke(main, ["import", "contacts", str(contacts)])

    assert result.exit_code == 1
    assert result.output == (
        "Error: contacts.csv: 2 bad row(s), nothing was imported:\n"
        "  line 2: unknown account_code 'K9'\n"
        "  line 3: unknown account_code 'K9'; email 'broken' is not an email address\n"
    )


# Visits, calls and emails, on both engines


@pytest.fixture(params=["sqlite", "postgres"])
def with_accounts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CliRunner]:
    """A runner on a new database of each kind holding the manager wang.fang@example.com,
    the account K1 with its contact li.na@k1.example, and K2."""
    with empty_database(request.param, tmp_path) as url:
        runner = CliRunner(env=command_env(url))
        accounts = tmp_path / "accounts.csv"
        accounts.write_text("code\nK1\nK2\n", encoding="utf-8")
        contacts = tmp_path / "contacts.csv"
        contacts.write_text("account_code,email,name\nK1,li.na@k1.example,Li Na\n")
        manager = ["--email", "wang.fang@example.com", "--role", "account_manager"]
        for args, stdin in (
            (["db", "migrate"], None),
            (["users", "create", *manager, "--password-stdin"], "long-enough-pw\n"),
            (["import", "accounts", str(accounts)], None),
            (["import", "contacts", str(contacts)], None),
        ):
            done = runner.invoke(main, args, input=stdin)
            assert done.exit_code == 0, done.output
        yield runner


def _day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def _contact_log_count(runner: CliRunner) -> int:
    return on_database(runner.env["FEEDBACK_DATABASE_URL"] or "", ContactLog.count)


def test_visits_are_imported_and_importing_them_again_adds_nothing(
    with_accounts: CliRunner, tmp_path: Path
) -> None:
    visits = tmp_path / "visits.csv"
    visits.write_text(
        visits_csv([
            {"account_code": "K1", "kind": "visit", "day": _day(3), "ref": "CRM-1",
             "staff_email": "wang.fang@example.com", "contact_email": "li.na@k1.example"},
            {"account_code": "K1", "kind": "call", "day": _day(0), "notes": "回访客户"},
            {"account_code": "K2", "kind": "email", "day": _day(30)},
        ]),
        encoding="utf-8",
    )  # fmt: skip

    first = with_accounts.invoke(main, ["import", "visits", str(visits)])
    again = with_accounts.invoke(main, ["import", "visits", str(visits)])

    assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
    assert first.output == (
        "imported 3 visits, calls and emails from visits.csv: 3 new, 0 already there\n"
    )
    assert again.output == (
        "imported 3 visits, calls and emails from visits.csv: 0 new, 3 already there\n"
    )
    assert _contact_log_count(with_accounts) == 3


def test_a_bad_visits_file_ends_the_command_with_its_lines_and_writes_nothing(
    with_accounts: CliRunner, tmp_path: Path
) -> None:
    visits = tmp_path / "visits.csv"
    visits.write_text(
        "account_code,kind,day,contact_email\n"
        f"K1,visit,{_day(1)},li.na@k1.example\n"
        f"K1,fax,{_day(1)},\n"
        f"K2,call,{_day(-1)},li.na@k1.example\n",
        encoding="utf-8",
    )

    result = with_accounts.invoke(main, ["import", "visits", str(visits)])

    assert result.exit_code == 1
    assert result.output == (
        "Error: visits.csv: 2 bad row(s), nothing was imported:\n"
        "  line 3: kind must be visit, call or email, got 'fax'\n"
        f"  line 4: day {_day(-1)} is after today ({TODAY}); "
        "contact_email 'li.na@k1.example' is not a contact of account K2\n"
    )
    assert _contact_log_count(with_accounts) == 0


def test_import_visits_help_explains_every_column() -> None:
    result = CliRunner().invoke(main, ["import", "visits", "--help"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    column = re.compile(r" {4}(\w+) ")
    described = [found[1] for line in lines if (found := column.match(line))]
    assert described == list(VISIT_COLUMNS.names)
    assert "visit, call or email" in result.output
    assert "not after today" in result.output
