"""`feedback reports portfolio` on a fresh SQLite file and a fresh PostgreSQL database
(sync tests: the command runs its own event loop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner, Result

from feedback.accounts.roles import Role
from feedback.cli import main
from tests.conftest import NOW, TODAY, command_env
from tests.support.databases import filled_database
from tests.support.factories import make_account, make_purchases, make_staff_user
from tests.support.pdf import pdf_text

MANAGER = "wren@example.com"
SUPERVISOR = "kite@example.com"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=command_env(url))


async def _two_portfolios() -> None:
    """Wren manages K-1 (1,234.56 a month ago) and K-2; someone else manages S-1."""
    wren = await make_staff_user(Role.account_manager, NOW, MANAGER)
    other = await make_staff_user(Role.account_manager, NOW)
    await make_staff_user(Role.supervisor, NOW, SUPERVISOR)
    bought = TODAY - dt.timedelta(days=30)
    for code, manager in (("K-1", wren), ("K-2", wren), ("S-1", other)):
        account = await make_account(code, tier="C", manager=manager.id, language="zh")
        await make_purchases(account, (bought, "1234.56"))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def portfolios(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("portfolios")
    with filled_database(request.param, folder, _two_portfolios) as url:
        yield url


def test_a_managers_portfolio_or_the_companys_is_written_to_the_file(
    portfolios: str, tmp_path: Path
) -> None:
    out = tmp_path / "wren.pdf"
    done = run(portfolios, "reports", "portfolio", "--manager", MANAGER, "--out", str(out))
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"wrote {out} (")
    english = pdf_text(out.read_bytes())
    assert "Portfolio report: Account_Manager" in english
    assert "Active accounts Revenue, last 12 months" in english
    assert "2 2,469.12" in english
    assert "Account feedback report: Account K-1 (K-1)" in english
    assert "Account feedback report: Account K-2 (K-2)" in english
    assert "S-1" not in english
    chinese = run(portfolios, "reports", "portfolio", "--all", "--out", str(out), "--lang", "zh",
                  "--accounts", "S-1", "--archival")  # fmt: skip
    assert chinese.exit_code == 0, chinese.output
    words = pdf_text(out.read_bytes())
    assert "客户组合报告: 全公司" in words
    assert "3 3,703.68" in words
    assert "客户反馈报告: Account S-1 (S-1)" in words
    assert "客户反馈报告: Account K-1" not in words
    with pikepdf.open(out) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "3"
    assert [p.name for p in tmp_path.iterdir()] == ["wren.pdf"]


def test_an_unknown_manager_or_a_wrong_choice_ends_with_a_message_and_writes_nothing(
    portfolios: str, tmp_path: Path
) -> None:
    out = tmp_path / "kept.pdf"
    out.write_bytes(b"an earlier report")
    for email in ("nobody@example.com", SUPERVISOR):
        refused = run(portfolios, "reports", "portfolio", "--manager", email, "--out", str(out))
        assert refused.exit_code == 2, refused.output
        assert f"Error: no account manager with email {email}" in refused.output
        assert "Traceback" not in refused.output
    for flags in ([], ["--all", "--manager", MANAGER]):
        wrong = run(portfolios, "reports", "portfolio", *flags, "--out", str(out))
        assert wrong.exit_code == 2
        assert "name the portfolio: --manager EMAIL or --all" in wrong.output
    elsewhere = run(portfolios, "reports", "portfolio", "--manager", MANAGER, "--out", str(out),
                    "--accounts", "K-1,S-1")  # fmt: skip
    assert elsewhere.exit_code == 1
    assert "Error: no active account with code S-1 in this portfolio" in elsewhere.output
    assert out.read_bytes() == b"an earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.pdf"]
