"""The `feedback` command on fresh databases: schema, and staff users (sync tests: the CLI
runs its own event loop with asyncio.run)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from click.testing import CliRunner, Result

from feedback.accounts import staff
from feedback.cli import main
from feedback.errors import NotAuthenticated
from tests.conftest import NOW, command_env
from tests.support.databases import on_database, scratch_database

PASSWORD = "long-enough-pw"


def run(url: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, env=command_env(url))


def create_user(url: str, email: str, role: str, password: str = PASSWORD) -> Result:
    """`feedback users create`, the password given on standard input."""
    args = ("users", "create", "--email", email, "--role", role, "--password-stdin")
    return run(url, *args, stdin=f"{password}\n")


def can_log_in(url: str, email: str, password: str) -> bool:
    async def attempt() -> bool:
        try:
            member, _ = await staff.log_in(email, password, NOW, 1)
        except NotAuthenticated:
            return False
        return member.email == email

    return on_database(url, attempt)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite3'}"


def _sqlite_state(url: str) -> tuple[set[str], int]:
    """The tables in the file and the number of applied migrations."""
    with sqlite3.connect(urlsplit(url).path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        applied = connection.execute("SELECT COUNT(*) FROM migration").fetchone()[0]
    return names, applied


def test_db_migrate_creates_the_schema_and_is_idempotent(sqlite_url: str) -> None:
    first = run(sqlite_url, "db", "migrate")
    assert first.exit_code == 0, first.output
    assert "the database schema is up to date" in first.output
    tables, applied = _sqlite_state(sqlite_url)
    assert {"staff_user", "staff_session", "account", "contact", "purchase"} <= tables
    assert applied > 0
    second = run(sqlite_url, "db", "migrate")
    assert second.exit_code == 0, second.output
    assert _sqlite_state(sqlite_url) == (tables, applied)


@pytest.fixture
def migrated(sqlite_url: str) -> str:
    result = run(sqlite_url, "db", "migrate")
    assert result.exit_code == 0, result.output
    return sqlite_url


def test_users_create_makes_a_user_who_can_log_in(migrated: str) -> None:
    result = create_user(migrated, " Ann@Example.com ", "admin")
    assert result.exit_code == 0, result.output
    assert "created admin ann@example.com" in result.output
    assert can_log_in(migrated, "ann@example.com", PASSWORD)
    assert not can_log_in(migrated, "ann@example.com", PASSWORD + "x")


def test_a_second_user_with_the_same_email_is_refused(migrated: str) -> None:
    assert create_user(migrated, "ann@example.com", "agent").exit_code == 0
    again = create_user(migrated, "ANN@example.com", "agent")
    assert again.exit_code == 1
    assert "a staff user with email ann@example.com already exists" in again.output


def test_a_short_password_is_refused_with_a_clear_message(migrated: str) -> None:
    result = create_user(migrated, "bob@example.com", "agent", "short")
    assert result.exit_code == 1
    assert "Error: the password must have at least 8 characters" in result.output
    assert "Traceback" not in result.output
    assert not can_log_in(migrated, "bob@example.com", "short")


def test_an_unknown_role_is_refused(migrated: str) -> None:
    result = create_user(migrated, "eve@example.com", "root")
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert "'root' is not one of 'agent', 'supervisor', 'account_manager', 'admin'" in (
        result.output
    )
    assert not can_log_in(migrated, "eve@example.com", PASSWORD)


def test_users_deactivate_stops_logins(migrated: str) -> None:
    created = create_user(migrated, "cat@example.com", "supervisor")
    assert created.exit_code == 0, created.output
    assert can_log_in(migrated, "cat@example.com", PASSWORD)
    result = run(migrated, "users", "deactivate", "cat@example.com")
    assert result.exit_code == 0, result.output
    assert "deactivated cat@example.com" in result.output
    assert not can_log_in(migrated, "cat@example.com", PASSWORD)


def test_deactivating_an_unknown_user_fails_clearly(migrated: str) -> None:
    result = run(migrated, "users", "deactivate", "nobody@example.com")
    assert result.exit_code == 1
    assert "Error: no staff user with email nobody@example.com" in result.output


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    with scratch_database() as url:
        yield url


def _postgres_state(url: str) -> tuple[set[str], int]:
    async def read() -> tuple[set[str], int]:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            rows = await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            applied = await connection.fetchval("SELECT COUNT(*) FROM migration")
        finally:
            await connection.close()
        return {row["table_name"] for row in rows}, applied

    return asyncio.run(read())


def test_db_migrate_on_postgres_is_idempotent(postgres_url: str) -> None:
    first = run(postgres_url, "db", "migrate")
    assert first.exit_code == 0, first.output
    tables, applied = _postgres_state(postgres_url)
    assert {"staff_user", "staff_session", "account", "contact", "purchase"} <= tables
    assert applied > 0
    second = run(postgres_url, "db", "migrate")
    assert second.exit_code == 0, second.output
    assert "the database schema is up to date" in second.output
    assert _postgres_state(postgres_url) == (tables, applied)
    created = create_user(postgres_url, "pg@example.com", "account_manager")
    assert created.exit_code == 0, created.output
    assert can_log_in(postgres_url, "pg@example.com", PASSWORD)
