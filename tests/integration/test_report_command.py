"""`feedback reports account` on a fresh SQLite file and a fresh PostgreSQL database
(sync tests: the command runs its own event loop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner, Result

from feedback.accounts.tables import Account, Contact, Purchase
from feedback.cli import main
from tests.conftest import TODAY, command_env
from tests.support.databases import filled_database
from tests.support.pdf import pdf_text


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=command_env(url))


async def _kestrel() -> None:
    account = Account(code="K-9", name="Kestrel Freight", tier="C")
    await account.save()
    await Contact(account=account.id, email="wu@kestrel.example", language="zh").save()
    bought = TODAY - dt.timedelta(days=30)
    await Purchase(account=account.id, occurred_on=bought, amount=Decimal("1234.56"),
                   external_ref="k-1").save()  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def kestrel(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind with one account, its Chinese-speaking contact and
    a purchase a month ago."""
    with filled_database(request.param, tmp_path_factory.mktemp("reports"), _kestrel) as url:
        yield url


def test_the_report_is_written_in_the_main_contacts_language_or_the_one_asked_for(
    kestrel: str, tmp_path: Path
) -> None:
    out = tmp_path / "kestrel.pdf"
    done = run(kestrel, "reports", "account", "K-9", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"wrote {out} (")
    chinese = pdf_text(out.read_bytes())
    assert "客户反馈报告: Kestrel Freight (K-9)" in chinese
    assert "1,234.56" in chinese
    english = run(kestrel, "reports", "account", "K-9", "--out", str(out), "--lang", "en")
    assert english.exit_code == 0, english.output
    words = pdf_text(out.read_bytes())
    assert "Account feedback report: Kestrel Freight (K-9)" in words
    assert "This account has not been scored yet." in words
    assert [p.name for p in tmp_path.iterdir()] == ["kestrel.pdf"]


def test_archival_reports_are_pdf_a_3b_and_the_others_pdf_ua_1(
    kestrel: str, tmp_path: Path
) -> None:
    for flags, key, part in (([], "pdfuaid:part", "1"), (["--archival"], "pdfaid:part", "3")):
        out = tmp_path / "kestrel.pdf"
        done = run(kestrel, "reports", "account", "K-9", "--out", str(out), *flags)
        assert done.exit_code == 0, done.output
        with pikepdf.open(out) as pdf:
            assert pdf.open_metadata().get(key) == part


def test_an_unknown_account_or_language_ends_with_a_message_and_writes_nothing(
    kestrel: str, tmp_path: Path
) -> None:
    out = tmp_path / "kept.pdf"
    out.write_bytes(b"an earlier report")
    unknown = run(kestrel, "reports", "account", "NOPE", "--out", str(out))
    assert unknown.exit_code == 1
    assert "Error: no account with code NOPE" in unknown.output
    assert "Traceback" not in unknown.output
    language = run(kestrel, "reports", "account", "K-9", "--out", str(out), "--lang", "fr")
    assert language.exit_code == 2
    assert "'fr' is not one of 'en', 'zh'" in language.output
    assert out.read_bytes() == b"an earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.pdf"]
