"""`feedback import` end to end on a fresh SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedback.cli import main
from tests.conftest import command_env


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
