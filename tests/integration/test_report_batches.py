"""`feedback reports build account`: a folder of reports and its manifest, on a fresh SQLite
file and a fresh PostgreSQL database (sync tests: the command runs its own event loop)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from feedback.accounts.tables import Account, Contact, Purchase
from feedback.cli import main
from tests.conftest import TODAY, command_env
from tests.support.databases import filled_database, on_database
from tests.support.pdf import pdf_text


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=command_env(url))


async def _two_accounts() -> None:
    for code, name in (("B-1", "Bittern Bakery"), ("C/2", "Crane Cranes")):
        account = Account(code=code, name=name, tier="C")
        await account.save()
        await Contact(account=account.id, email=f"{code[0].lower()}@x.example").save()


async def _a_purchase() -> None:
    account = await Account.select(Account.id).where(Account.code == "B-1").first()
    assert account is not None
    await Purchase(account=account["id"], occurred_on=TODAY - dt.timedelta(days=3),
                   amount=Decimal("777.00"), external_ref="b-1").save()  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def two_accounts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with filled_database(request.param, tmp_path_factory.mktemp("batches"), _two_accounts) as url:
        yield url


def _outcomes(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {entry["name"]: entry["outcome"] for entry in manifest["reports"]}


def test_a_batch_builds_each_report_and_a_rerun_renders_only_what_changed(
    two_accounts: str, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    first = run(
        two_accounts,
        "reports",
        "build",
        "account",
        "--out",
        str(out),
        "--processes",
        "2",
        "--lang",
        "en",
    )
    assert first.exit_code == 0, first.output
    assert "2 built, 0 unchanged (already built from the same data), 0 failed" in first.output
    assert _outcomes(out) == {"B-1": "built", "C/2": "built"}
    crane = next(out.glob("account-C_2-*-en.pdf"))
    assert "Account feedback report: Crane Cranes (C/2)" in pdf_text(crane.read_bytes())
    assert "Bittern Bakery" in pdf_text((out / "account-B-1-en.pdf").read_bytes())
    built_at = crane.stat().st_mtime_ns

    again = run(two_accounts, "reports", "build", "account", "--out", str(out), "--lang", "en")
    assert "0 built, 2 unchanged" in again.output
    on_database(two_accounts, _a_purchase)
    changed = run(two_accounts, "reports", "build", "account", "--out", str(out), "--lang", "en")
    assert "1 built, 1 unchanged" in changed.output
    assert _outcomes(out) == {"B-1": "built", "C/2": "unchanged"}
    assert "777.00" in pdf_text((out / "account-B-1-en.pdf").read_bytes())
    assert crane.stat().st_mtime_ns == built_at
    assert not list(out.glob(".*.partial"))


def test_a_report_that_cannot_be_made_is_listed_and_the_others_are_built(
    two_accounts: str, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    done = run(two_accounts, "reports", "build", "account", "B-1", "NOPE", "--out", str(out))
    assert done.exit_code == 1
    assert "1 built, 0 unchanged (already built from the same data), 1 failed" in done.output
    assert "NOPE: no account with code NOPE" in done.output
    assert _outcomes(out) == {"B-1": "built", "NOPE": "failed"}
    assert sorted(path.name for path in out.iterdir()) == ["account-B-1.pdf", "manifest.json"]
    nobody = run(
        two_accounts, "reports", "build", "account", "--manager", "who@x.example", "--out", str(out)
    )
    assert nobody.exit_code == 1
    assert "Error: no staff user with email who@x.example" in nobody.output
