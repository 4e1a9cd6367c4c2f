"""CSV imports on SQLite and PostgreSQL: all-or-nothing, idempotent, tiers recomputed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from feedback.accounts.csvfiles import NOT_UTF8
from feedback.accounts.imports import (
    CHUNK_ROWS,
    import_accounts,
    import_contacts,
    import_purchases,
)
from feedback.accounts.roles import Role
from feedback.accounts.tables import Account, AttributeDefinition, Contact, Purchase
from feedback.config import TierThresholds
from feedback.db import Database
from feedback.errors import ImportFailed, RowError

TODAY = dt.date(2026, 11, 26)
THRESHOLDS = TierThresholds()

ACCOUNTS_CSV = (
    "\ufeffcode,name,industry,region,manager_email,opened_on,closed_on,closed_reason,"
    "plan,seats,score\n"
    "A1,上海精密机械有限公司,制造业,华东,{manager},2020-01-15,,,金牌,12,\n"
    "A2,Beta Ltd,retail,north,,2021-06-01,2025-03-31,moved to a competitor,silver,3.5,\n"
    "A3,Gamma GmbH,retail,south,,,,,,,\n"
    "A4,Delta,services,west,,2022-02-02,,,gold,7,\n"
)
PURCHASES_CSV = (
    "account_code,occurred_on,amount,quantity,ref\n"
    "A1,2026-01-10,500.00,2,INV-1\n"
    "A1,2026-06-01,200,,INV-2\n"
    "A2,2026-02-01,150.50,1,\n"
    "A2,2026-02-01,49.50,1,\n"
    "A3,2026-03-01,50,1,\n"
    "A3,2026-03-01,50,1,\n"
    "A3,2024-01-01,9999,1,OLD-1\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def accounts_by_code() -> dict[str, dict[str, Any]]:
    rows = await Account.select().order_by(Account.code)
    for row in rows:
        if isinstance(row["attributes"], str):
            row["attributes"] = json.loads(row["attributes"])
    return {row["code"]: row for row in rows}


async def purchases() -> list[tuple[Any, ...]]:
    rows = await Purchase.select().order_by(Purchase.external_ref)
    return [
        (
            r["id"],
            r["account"],
            r["occurred_on"],
            Decimal(r["amount"]),
            r["quantity"],
            r["external_ref"],
        )
        for r in rows
    ]


async def seeded(tmp_path: Path, make_staff: Any) -> tuple[int, Path]:
    manager = await make_staff(Role.account_manager, "wang.fang@example.com")
    path = write(tmp_path, "accounts.csv", ACCOUNTS_CSV.format(manager="Wang.Fang@Example.com"))
    await import_accounts(path, TODAY, THRESHOLDS)
    return manager.id, path


async def test_accounts_arrive_with_chinese_names_managers_and_typed_attributes(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    manager = await make_staff(Role.account_manager, "wang.fang@example.com")
    path = write(tmp_path, "accounts.csv", ACCOUNTS_CSV.format(manager="Wang.Fang@Example.com"))

    summary = await import_accounts(path, TODAY, THRESHOLDS)

    assert summary.rows == 4
    assert summary.attributes == {"plan": "categorical", "score": "categorical", "seats": "numeric"}
    accounts = await accounts_by_code()
    assert list(accounts) == ["A1", "A2", "A3", "A4"]
    a1, a2, a3 = accounts["A1"], accounts["A2"], accounts["A3"]
    assert (a1["name"], a1["industry"], a1["region"]) == ("上海精密机械有限公司", "制造业", "华东")
    assert a1["manager"] == manager.id
    assert a1["opened_on"] == dt.date(2020, 1, 15)
    assert (a1["status"], a1["closed_on"]) == ("active", None)
    assert a1["attributes"] == {"plan": "金牌", "seats": 12, "score": None}
    assert (a2["status"], a2["closed_on"], a2["closed_reason"]) == (
        "closed",
        dt.date(2025, 3, 31),
        "moved to a competitor",
    )
    assert a2["attributes"] == {"plan": "silver", "seats": 3.5, "score": None}
    assert a3["manager"] is None
    assert a3["opened_on"] is None
    assert a3["attributes"] == {"plan": None, "seats": None, "score": None}
    definitions = await AttributeDefinition.select(
        AttributeDefinition.name, AttributeDefinition.kind
    ).order_by(AttributeDefinition.name)
    assert [(d["name"], d["kind"]) for d in definitions] == [
        ("plan", "categorical"),
        ("score", "categorical"),
        ("seats", "numeric"),
    ]


async def test_a_numeric_attribute_left_blank_with_spaces_is_missing(
    db: Database, tmp_path: Path
) -> None:
    # CRM exports write a missing number as a space (total charges of a month-old account).
    path = write(
        tmp_path,
        "accounts.csv",
        "code,opened_on,MonthlyCharges,TotalCharges\n"
        "7590-VHVEG,2017-12-01,29.85,29.85\n"
        "4472-LVYGI,2018-01-01,52.55, \n",
    )

    summary = await import_accounts(path, TODAY, THRESHOLDS)

    assert summary.attributes == {"MonthlyCharges": "numeric", "TotalCharges": "numeric"}
    accounts = await accounts_by_code()
    assert accounts["7590-VHVEG"]["attributes"] == {"MonthlyCharges": 29.85, "TotalCharges": 29.85}
    assert accounts["4472-LVYGI"]["attributes"] == {"MonthlyCharges": 52.55, "TotalCharges": None}


async def test_a_bad_accounts_file_writes_nothing_and_reports_every_bad_line(
    db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "accounts.csv",
        "code,name,manager_email,opened_on\n"
        "B1,Good,,2020-01-01\n"
        "B2,Bad date,,2020-02-30\n"
        "B3,Good,,\n"
        "B4,Unknown manager,nobody@example.com,\n"
        "B1,Repeated,,\n"
        ',"No code",,\n',
    )

    with pytest.raises(ImportFailed) as caught:
        await import_accounts(path, TODAY, THRESHOLDS)

    assert caught.value.errors == [
        RowError(3, "opened_on '2020-02-30' is not a date (YYYY-MM-DD)"),
        RowError(5, "manager_email 'nobody@example.com' is not a staff user"),
        RowError(6, "code B1 already appears on line 2"),
        RowError(7, "code is empty"),
    ]
    assert "accounts.csv: 4 bad row(s), nothing was imported" in caught.value.message
    assert await Account.count() == 0
    assert await AttributeDefinition.count() == 0


async def test_a_missing_required_column_is_named(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "purchases.csv", "account_code,amount\nA1,5\n")
    with pytest.raises(ImportFailed) as caught:
        await import_purchases(path, TODAY, THRESHOLDS)
    assert caught.value.errors == [RowError(1, "missing required column 'occurred_on'")]


async def test_purchases_are_upserted_and_tiers_recomputed(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    await seeded(tmp_path, make_staff)
    path = write(tmp_path, "purchases.csv", PURCHASES_CSV)

    summary = await import_purchases(path, TODAY, THRESHOLDS)

    assert summary.rows == 7
    assert summary.tiers == {"A": 1, "B": 1, "C": 1, "D": 1}
    accounts = await accounts_by_code()
    tiers = {
        code: (row["tier"], Decimal(row["trailing_revenue"])) for code, row in accounts.items()
    }
    assert tiers == {
        "A1": ("A", Decimal("700.00")),
        "A2": ("B", Decimal("200.00")),
        "A3": ("C", Decimal("100.00")),
        "A4": ("D", Decimal("0.00")),
    }
    stored = await purchases()
    assert len(stored) == 7
    by_ref = {row[5]: row for row in stored}
    ids = {code: row["id"] for code, row in accounts.items()}
    assert by_ref["INV-1"][1:5] == (ids["A1"], dt.date(2026, 1, 10), Decimal("500.00"), 2)
    assert by_ref["INV-2"][4] == 1
    derived = [row for row in stored if row[5].startswith("auto-")]
    assert len(derived) == 4, "two identical A3 rows keep two purchases"


async def test_reimporting_the_same_files_changes_nothing(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    _, accounts_path = await seeded(tmp_path, make_staff)
    purchases_path = write(tmp_path, "purchases.csv", PURCHASES_CSV)
    contacts_path = write(
        tmp_path, "contacts.csv", "account_code,email,name,language\nA1,li@example.cn,李丽,zh\n"
    )
    await import_purchases(purchases_path, TODAY, THRESHOLDS)
    await import_contacts(contacts_path)
    before = (await accounts_by_code(), await purchases(), await Contact.select())

    await import_accounts(accounts_path, TODAY, THRESHOLDS)
    await import_purchases(purchases_path, TODAY, THRESHOLDS)
    await import_contacts(contacts_path)

    assert (await accounts_by_code(), await purchases(), await Contact.select()) == before
    assert (await Account.count(), await Purchase.count(), await Contact.count()) == (4, 7, 1)
    assert await AttributeDefinition.count() == 3


async def test_unknown_accounts_fail_the_whole_file_even_after_written_chunks(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    await seeded(tmp_path, make_staff)
    good = "".join(f"A1,2026-01-01,1.00,1,R{n}\n" for n in range(CHUNK_ROWS + 500))
    path = write(
        tmp_path,
        "purchases.csv",
        "account_code,occurred_on,amount,quantity,ref\n"
        "ZZ,2026-01-01,1,1,X1\n" + good + "A1,2026-01-01,-1,1,X2\nA9,2026-01-01,1,1,X3\n",
    )
    last = CHUNK_ROWS + 500 + 3

    with pytest.raises(ImportFailed) as caught:
        await import_purchases(path, TODAY, THRESHOLDS)

    assert caught.value.errors == [
        RowError(2, "unknown account_code 'ZZ'"),
        RowError(last, "amount '-1' is negative"),
        RowError(last + 1, "unknown account_code 'A9'"),
    ]
    assert await Purchase.count() == 0


async def test_a_failure_after_a_written_chunk_rolls_everything_back(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    await seeded(tmp_path, make_staff)
    rows = "".join(f"A2,2026-01-01,1.00,R{n}\n" for n in range(CHUNK_ROWS * 2))
    path = write(
        tmp_path,
        "purchases.csv",
        "account_code,occurred_on,amount,ref\n" + rows + "A2,2026-01-01,1.00,R0,extra\n",
    )

    with pytest.raises(ImportFailed) as caught:
        await import_purchases(path, TODAY, THRESHOLDS)

    assert caught.value.errors == [
        RowError(CHUNK_ROWS * 2 + 2, "5 values, but the header has 4 columns")
    ]
    assert await Purchase.count() == 0


async def test_contacts_are_upserted_by_account_and_email(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    await seeded(tmp_path, make_staff)
    first = write(
        tmp_path,
        "contacts.csv",
        "account_code,email,name,language,phone,survey\n"
        "A1,Li.Wei@Example.cn,李伟,zh,+86 21 5555 0101,no\n"
        "A2,ops@beta.example,Ops,,,\n",
    )
    await import_contacts(first)
    second = write(
        tmp_path, "contacts2.csv", "account_code,email,name\nA1,li.wei@example.cn,李伟 (采购)\n"
    )

    summary = await import_contacts(second)

    assert summary.rows == 1
    rows = await Contact.select(
        Contact.account.code, Contact.email, Contact.name, Contact.language, Contact.phone
    ).order_by(Contact.email)
    assert [tuple(row.values()) for row in rows] == [
        ("A1", "li.wei@example.cn", "李伟 (采购)", "zh", "+86 21 5555 0101"),
        ("A2", "ops@beta.example", "Ops", "en", ""),
    ]
    opt_in = await Contact.select(Contact.email, Contact.survey_opt_in).order_by(Contact.email)
    assert [row["survey_opt_in"] for row in opt_in] == [False, True]


async def test_contacts_of_unknown_accounts_are_refused(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.csv", "account_code,email\nNOPE,a@b.example\n")
    with pytest.raises(ImportFailed) as caught:
        await import_contacts(path)
    assert caught.value.errors == [RowError(2, "unknown account_code 'NOPE'")]
    assert await Contact.count() == 0


async def test_a_later_accounts_file_updates_its_columns_and_merges_attributes(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    manager_id, _ = await seeded(tmp_path, make_staff)
    path = write(
        tmp_path,
        "accounts2.csv",
        "code,closed_on,plan,contract\nA2,,platinum,2027-12-31\nA5,,,\n",
    )

    summary = await import_accounts(path, TODAY, THRESHOLDS)

    assert summary.attributes == {"contract": "categorical", "plan": "categorical"}
    accounts = await accounts_by_code()
    a2 = accounts["A2"]
    assert (a2["name"], a2["status"], a2["closed_on"]) == ("Beta Ltd", "active", None)
    assert a2["attributes"] == {
        "contract": "2027-12-31",
        "plan": "platinum",
        "score": None,
        "seats": 3.5,
    }
    assert accounts["A1"]["manager"] == manager_id
    assert (accounts["A5"]["name"], accounts["A5"]["tier"]) == ("A5", "D")
    assert accounts["A5"]["attributes"] == {"contract": None, "plan": None}


async def test_a_ref_seen_again_updates_its_purchase_in_place(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    await seeded(tmp_path, make_staff)
    ids = {code: row["id"] for code, row in (await accounts_by_code()).items()}
    first = write(
        tmp_path,
        "first.csv",
        "account_code,occurred_on,amount,ref\n"
        "A1,2026-01-01,10,R1\nA1,2026-01-02,20,R2\nA2,2026-01-03,30,R1\n",
    )
    await import_purchases(first, TODAY, THRESHOLDS)
    before = {row[5]: row for row in await purchases()}
    assert before["R1"][1:4] == (ids["A2"], dt.date(2026, 1, 3), Decimal("30.00"))
    second = write(
        tmp_path, "second.csv", "account_code,occurred_on,amount,ref\nA3,2026-02-01,99.99,R2\n"
    )

    await import_purchases(second, TODAY, THRESHOLDS)

    after = {row[5]: row for row in await purchases()}
    assert after["R2"] == (
        before["R2"][0],
        ids["A3"],
        dt.date(2026, 2, 1),
        Decimal("99.99"),
        1,
        "R2",
    )
    assert after["R1"] == before["R1"]
    assert len(after) == 2


async def test_progress_is_reported_in_bytes_up_to_the_whole_file(
    db: Database, tmp_path: Path, make_staff: Any
) -> None:
    await seeded(tmp_path, make_staff)
    rows = "".join(f"A1,2026-01-01,1.00,1,P{n}\n" for n in range(CHUNK_ROWS * 2 + 10))
    path = write(tmp_path, "purchases.csv", "account_code,occurred_on,amount,quantity,ref\n" + rows)
    size = path.stat().st_size
    seen: list[tuple[int, int]] = []

    await import_purchases(
        path, TODAY, THRESHOLDS, progress=lambda done, total: seen.append((done, total))
    )

    assert len(seen) >= 3
    assert {total for _, total in seen} == {size}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (size, size)


async def test_accounts_progress_counts_both_readings(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", "code,plan\nK1,gold\nK2,silver\n")
    seen: list[tuple[int, int]] = []

    await import_accounts(path, TODAY, THRESHOLDS, progress=lambda *step: seen.append(step))

    size = path.stat().st_size
    assert seen == [(size, 2 * size), (2 * size, 2 * size)]


async def test_an_empty_file_is_refused(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.csv", "")
    with pytest.raises(ImportFailed) as caught:
        await import_contacts(path)
    assert caught.value.errors == [RowError(1, "the file is empty; line 1 must name the columns")]


async def test_a_small_file_that_is_not_utf8_is_refused_for_that_alone(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes("account_code,email,name\nA1,li@example.cn,李丽\n".encode("gbk"))
    with pytest.raises(ImportFailed) as caught:
        await import_contacts(path)
    assert caught.value.errors == [RowError(2, NOT_UTF8)]
