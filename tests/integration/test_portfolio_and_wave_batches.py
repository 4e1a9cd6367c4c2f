"""`feedback reports build portfolio` and `build wave`: a folder of reports and its manifest,
as `build account` makes them, on a fresh SQLite file and a fresh PostgreSQL database (sync
tests: the command runs its own event loop)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from feedback.accounts.roles import Role
from feedback.accounts.tables import Account
from feedback.cli import main
from feedback.clock import FrozenClock
from feedback.surveys.services import close_wave, create_wave
from feedback.surveys.waves import Period, SurveyCalendar, closing_instant
from tests.conftest import NOW, TODAY, command_env
from tests.support.databases import filled_database, on_database
from tests.support.factories import (
    PERIOD,
    PREVIOUS,
    make_account,
    make_purchases,
    make_staff_user,
    make_wave,
)
from tests.support.pdf import pdf_text

WREN, FINCH = "wren@example.com", "finch@example.com"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["reports", "build", *args], env=command_env(url))


async def _portfolios_and_waves() -> None:
    """Wren manages K-1, Finch K-2; PREVIOUS closed, PERIOD open (nobody asked yet)."""
    for email, code in ((WREN, "K-1"), (FINCH, "K-2")):
        manager = await make_staff_user(Role.account_manager, NOW, email)
        await make_account(code, tier="C", manager=manager.id)
    await make_staff_user(Role.supervisor, NOW, "kite@example.com")
    opens, closes = SurveyCalendar().dates(Period.parse(PREVIOUS))
    await create_wave(PREVIOUS, NOW, opens, closes)
    await close_wave(PREVIOUS, closing_instant(closes))
    await make_wave(FrozenClock(NOW))


async def _a_purchase_of_k1() -> None:
    account = await Account.select(Account.id).where(Account.code == "K-1").first()
    assert account is not None
    await make_purchases(account["id"], (TODAY - dt.timedelta(days=3), "4321.00"))


@pytest.fixture(params=["sqlite", "postgres"])
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("batches")
    with filled_database(request.param, folder, _portfolios_and_waves) as url:
        yield url


def _outcomes(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {entry["name"]: entry["outcome"] for entry in manifest["reports"]}


def _file(out: Path, pattern: str) -> str:
    [found] = out.glob(pattern)
    return pdf_text(found.read_bytes())


def test_each_managers_portfolio_is_built_and_a_rerun_renders_only_what_changed(
    filled: str, tmp_path: Path
) -> None:
    out = tmp_path / "portfolios"
    first = run(filled, "portfolio", "--all", "--out", str(out), "--lang", "en")
    assert first.exit_code == 0, first.output
    assert "2 built, 0 unchanged (already built from the same data), 0 failed" in first.output
    assert _outcomes(out) == {FINCH: "built", WREN: "built"}
    wren = _file(out, "portfolio-wren_example.com-*-en.pdf")
    assert "Account feedback report: Account K-1 (K-1)" in wren
    assert "K-2" not in wren
    assert "Account feedback report: Account K-2 (K-2)" in _file(out, "portfolio-finch*-en.pdf")
    on_database(filled, _a_purchase_of_k1)
    again = run(filled, "portfolio", WREN, FINCH, "--out", str(out), "--lang", "en")
    assert "1 built, 1 unchanged" in again.output
    assert _outcomes(out) == {WREN: "built", FINCH: "unchanged"}
    assert "4,321.00" in _file(out, "portfolio-wren*-en.pdf")
    assert not list(out.glob(".*.partial"))


def test_a_portfolio_that_cannot_be_made_is_listed_and_the_others_are_built(
    filled: str, tmp_path: Path
) -> None:
    out = tmp_path / "portfolios"
    done = run(filled, "portfolio", "nobody@example.com", WREN, "--out", str(out))
    assert done.exit_code == 1
    assert "1 built, 0 unchanged (already built from the same data), 1 failed" in done.output
    assert "nobody@example.com: no account manager with email nobody@example.com" in done.output
    assert _outcomes(out) == {"nobody@example.com": "failed", WREN: "built"}
    for flags in ([], ["--all", WREN]):
        wrong = run(filled, "portfolio", *flags, "--out", str(out))
        assert wrong.exit_code == 2
        assert "name the account managers by email, or give --all" in wrong.output


def test_every_waves_report_is_built_a_bad_period_is_listed_and_a_rerun_skips_them(
    filled: str, tmp_path: Path
) -> None:
    out = tmp_path / "waves"
    first = run(filled, "wave", "--out", str(out), "--processes", "2")
    assert first.exit_code == 0, first.output
    assert "2 built, 0 unchanged" in first.output
    assert f"Wave report: {PREVIOUS}" in _file(out, f"wave-{PREVIOUS}.pdf")
    current = _file(out, f"wave-{PERIOD}.pdf")
    assert "Provisional: this wave is still open." in current
    assert f"{PREVIOUS} 0 0 — 0 — — —" in current  # the trend reaches back to it
    again = run(filled, "wave", "2031-H1", PERIOD, PREVIOUS, "--out", str(out))
    assert again.exit_code == 1
    assert "0 built, 2 unchanged (already built from the same data), 1 failed" in again.output
    assert "2031-H1: there is no wave for 2031-H1" in again.output
    assert _outcomes(out) == {"2031-H1": "failed", PERIOD: "unchanged", PREVIOUS: "unchanged"}
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", f"wave-{PREVIOUS}.pdf", f"wave-{PERIOD}.pdf",
    ]  # fmt: skip
