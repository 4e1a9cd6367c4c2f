"""Seeding the demo: the simulation lands in the database and the demo staff can log in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.accounts.services import account_detail
from feedback.accounts.tables import Account, Contact, Purchase, StaffUser
from feedback.clock import FrozenClock
from feedback.config import TierThresholds
from feedback.db import Database
from feedback.demo.command import demo_command
from feedback.demo.seed import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, database_is_empty, seed
from feedback.demo.simulator import Simulation, simulate
from feedback.errors import DomainError

AS_OF = dt.date(2026, 11, 26)
CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at a low cost: the demo creates 15 users, ~0.1-0.25 s each at full cost here."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    monkeypatch.setattr(staff, "_hasher", cheap)


@pytest.fixture(scope="module")
def small() -> Simulation:
    return simulate(AS_OF, accounts=60, seed=5)


async def _revenue_by_code() -> dict[str, tuple[int, Decimal]]:
    rows = await Purchase.raw(
        "SELECT account.code AS code, COUNT(*) AS n, SUM(purchase.amount) AS revenue "
        "FROM purchase JOIN account ON account.id = purchase.account GROUP BY account.code"
    )
    return {row["code"]: (row["n"], Decimal(str(row["revenue"])).quantize(CENT)) for row in rows}


async def test_seeding_loads_the_simulation_and_the_demo_admin_logs_in(
    db: Database, clock: FrozenClock, small: Simulation
) -> None:
    assert await database_is_empty()
    steps: list[tuple[str, int, int]] = []
    report = await seed(small, clock.now(), TierThresholds(), lambda *step: steps.append(step))

    assert (report.staff, report.accounts) == (15, 60)
    assert (report.contacts, report.purchases) == (small.contact_count, small.purchase_count)
    assert await Contact.count() == small.contact_count
    assert await Purchase.count() == small.purchase_count
    assert await StaffUser.count().where(StaffUser.role == "account_manager") == 8
    closed = sum(account.closed_on is not None for account in small.accounts)
    assert closed > 0
    assert await Account.count().where(Account.status == "closed") == closed
    zh = sum(c.language == "zh" for account in small.accounts for c in account.contacts)
    assert zh > 0
    assert await Contact.count().where(Contact.language == "zh") == zh
    assert await _revenue_by_code() == {
        a.code: (len(a.purchases), a.revenue) for a in small.accounts if a.purchases
    }
    assert sum(report.tiers.values()) == 60
    assert report.tiers["A"] >= 1
    assert ("staff", 15, 15) in steps
    assert {step for step, _, _ in steps} == {"staff", "accounts", "contacts", "purchases"}
    assert not await database_is_empty()

    member, _ = await staff.log_in(DEMO_ADMIN_EMAIL, DEMO_PASSWORD, clock.now(), hours=1)
    assert member.role is Role.admin
    account = next(a for a in small.accounts if a.closed_reason is not None)
    detail = await account_detail(account.code, member, AS_OF)
    assert (detail.name, detail.manager_email) == (account.name, account.manager_email)
    assert (detail.closed_on, detail.status) == (account.closed_on, "closed")
    assert detail.closed_reason == account.closed_reason.value
    assert detail.attributes == account.attributes


async def test_a_failed_seed_leaves_the_database_as_it_was(
    db: Database, clock: FrozenClock, small: Simulation
) -> None:
    # Without its account managers, the accounts file names unknown staff and is refused.
    admin_only = dataclasses.replace(small, staff=small.staff[:1])
    with pytest.raises(DomainError):
        await seed(admin_only, clock.now(), TierThresholds())
    assert await StaffUser.count() == 0
    assert await Account.count() == 0
    assert await database_is_empty()


def _demo(database: Path, *args: str, environment: str = "demo") -> tuple[int, str]:
    result = CliRunner().invoke(
        demo_command,
        args,
        env={
            "FEEDBACK_ENV": environment,
            "FEEDBACK_DATABASE_URL": f"sqlite:///{database}",
            "FEEDBACK_SECRET_KEY": "a-production-secret-that-is-long-enough-1234",
        },
    )
    return result.exit_code, result.output


def test_the_demo_command_rebuilds_sqlite_and_refuses_to_mix_with_data(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    database.write_text("an old file that --reset deletes")

    code, output = _demo(database, "--accounts", "12", "--seed", "3", "--reset")
    assert code == 0, output
    assert "admin@demo.example" in output
    assert "demo-password" in output
    assert "loaded 12 accounts" in output

    code, output = _demo(database, "--accounts", "12")
    assert code == 1
    assert "already holds" in output
    assert "--reset" in output


def test_the_demo_command_refuses_production(tmp_path: Path) -> None:
    database = tmp_path / "production.sqlite3"
    database.write_text("precious")
    code, output = _demo(database, "--reset", environment="production")
    assert code == 1
    assert "FEEDBACK_ENV=demo" in output
    assert database.read_text() == "precious"
