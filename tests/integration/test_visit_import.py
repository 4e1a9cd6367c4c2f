"""The visits import on SQLite and PostgreSQL: visits, calls and emails join the contact log
all-or-nothing, kept by ref, so that the same file twice adds nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.accounts.contact_log import contact_timeline
from feedback.accounts.csvfiles import NOT_UTF8
from feedback.accounts.imports import CHUNK_ROWS, import_visits
from feedback.accounts.roles import Role
from feedback.accounts.tables import Account, ContactLog
from feedback.config import Settings
from feedback.db import Database
from feedback.errors import ImportFailed, RowError
from tests.conftest import NOW, TODAY
from tests.support.factories import make_account, make_contact, make_staff_user
from tests.support.visits import visits_csv

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

MANAGER = "wang.fang@example.com"
LATER = NOW + dt.timedelta(days=3)


class World(NamedTuple):
    """K1, the manager's tier A account with its contact Li Na, and K2, a tier C account."""

    manager: int
    k1: int
    li_na: int
    k2: int


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


async def make_world() -> World:
    manager = await make_staff_user(Role.account_manager, NOW, MANAGER)
    k1 = await make_account("K1", [], tier="A", manager=manager.id)
    li_na = await make_contact(k1, "li.na@k1.example", name="Li Na")
    k2 = await make_account("K2", [("ops@k2.example", True)], tier="C")
    return World(manager.id, k1, li_na, k2)


def write(tmp_path: Path, rows: list[dict[str, str]], name: str = "visits.csv") -> Path:
    path = tmp_path / name
    path.write_text(visits_csv(rows), encoding="utf-8-sig")
    return path


THREE = [
    {"account_code": "K1", "kind": "visit", "day": ago(10), "staff_email": "Wang.Fang@Example.com",
     "contact_email": "li.na@k1.example", "notes": "Quarterly review", "ref": "CRM-1"},
    {"account_code": "K1", "kind": "Call", "day": ago(0), "person_met": "the buyer"},
    {"account_code": "K2", "kind": "email", "day": ago(40), "notes": "Sent the price list"},
]  # fmt: skip


async def entries() -> list[tuple[Any, ...]]:
    rows = await ContactLog.select().order_by(ContactLog.happened_on)
    return [
        (row["account"], row["kind"], row["happened_on"], row["contact"], row["person_met"],
         row["done_by"], row["notes"], row["external_ref"], row["recorded_at"])
        for row in rows
    ]  # fmt: skip


async def test_visits_calls_and_emails_join_the_contact_log(db: Database, tmp_path: Path) -> None:
    world = await make_world()

    summary = await import_visits(write(tmp_path, THREE), NOW)

    assert (summary.rows, summary.new, summary.changed) == (3, 3, 0)
    stored = await entries()
    day = [TODAY - dt.timedelta(days=n) for n in (40, 10, 0)]
    assert [row[:7] for row in stored] == [
        (world.k2, "email", day[0], None, "", None, "Sent the price list"),
        (world.k1, "visit", day[1], world.li_na, "Li Na", world.manager, "Quarterly review"),
        (world.k1, "call", day[2], None, "the buyer", None, ""),
    ]
    assert [row[7][:5] for row in stored] == ["auto-", "CRM-1", "auto-"]
    assert {row[8] for row in stored} == {NOW}
    timeline = await contact_timeline(world.k1, "A", Settings().contact_standards, TODAY)
    assert (timeline.standard.last_visit, timeline.standard.last_call) == (day[1], day[2])
    assert [entry.done_by for entry in timeline.entries] == [None, "Account_Manager"]


async def test_importing_the_same_file_again_adds_nothing(db: Database, tmp_path: Path) -> None:
    await make_world()
    path = write(tmp_path, THREE)
    await import_visits(path, NOW)
    before = await ContactLog.select().order_by(ContactLog.id)

    again = await import_visits(path, LATER)

    assert (again.rows, again.new, again.changed) == (3, 0, 0)
    assert await ContactLog.select().order_by(ContactLog.id) == before


async def test_a_ref_seen_again_updates_its_entry_which_keeps_when_it_was_recorded(
    db: Database, tmp_path: Path
) -> None:
    world = await make_world()
    await import_visits(write(tmp_path, THREE), NOW)
    corrected = {**THREE[0], "kind": "call", "notes": "Quarterly review, by phone"}
    added = {"account_code": "K2", "kind": "visit", "day": ago(1), "ref": "CRM-2"}

    summary = await import_visits(write(tmp_path, [corrected, added], "later.csv"), LATER)

    assert (summary.rows, summary.new, summary.changed) == (2, 1, 1)
    by_ref = {row[7]: row for row in await entries()}
    assert len(by_ref) == 4
    assert by_ref["CRM-1"][1:] == (
        "call", TODAY - dt.timedelta(days=10), world.li_na, "Li Na", world.manager,
        "Quarterly review, by phone", "CRM-1", NOW,
    )  # fmt: skip
    assert by_ref["CRM-2"][-1] == LATER


async def test_a_bad_visits_file_writes_nothing_and_reports_every_bad_line(
    db: Database, tmp_path: Path
) -> None:
    await make_world()
    good = {"account_code": "K1", "kind": "visit", "day": ago(2)}
    lines = [  # each row from line 2 on, and why it is refused
        (good, ""),
        ({**good, "kind": "fax"}, "kind must be visit, call or email, got 'fax'"),
        ({**good, "day": ago(-1)}, f"day {ago(-1)} is after today ({TODAY})"),
        ({**good, "staff_email": "nobody@example.com"},
         "staff_email 'nobody@example.com' is not a staff user"),
        ({**good, "account_code": "K2", "contact_email": "li.na@k1.example"},
         "contact_email 'li.na@k1.example' is not a contact of account K2"),
        ({**good, "ref": "CRM-9"}, ""),
        ({**good, "ref": "CRM-9"}, "ref CRM-9 already appears on line 7"),
        ({**good, "account_code": "K7", "day": "07/11/2026"},
         "unknown account_code 'K7'; day '07/11/2026' is not a date (YYYY-MM-DD)"),
    ]  # fmt: skip

    with pytest.raises(ImportFailed) as caught:
        await import_visits(write(tmp_path, [row for row, _ in lines]), NOW)

    refused = [RowError(n, why) for n, (_, why) in enumerate(lines, start=2) if why]
    assert caught.value.errors == refused
    assert "visits.csv: 6 bad row(s), nothing was imported" in caught.value.message
    assert await ContactLog.count() == 0


async def test_a_bad_line_after_written_chunks_rolls_everything_back(
    db: Database, tmp_path: Path
) -> None:
    await make_world()
    rows = [
        {"account_code": "K1", "kind": "call", "day": ago(n % 300)} for n in range(CHUNK_ROWS + 10)
    ]
    path = write(tmp_path, [*rows, {"account_code": "K1", "kind": "call", "day": "tomorrow"}])

    with pytest.raises(ImportFailed) as caught:
        await import_visits(path, NOW)

    assert caught.value.errors == [
        RowError(CHUNK_ROWS + 12, "day 'tomorrow' is not a date (YYYY-MM-DD)")
    ]
    assert await ContactLog.count() == 0


async def test_a_visits_header_and_its_encoding_are_read_as_in_every_import(
    db: Database, tmp_path: Path
) -> None:
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("account_code,kind,date\nK1,visit,2026-01-01\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        await import_visits(unknown, NOW)
    assert caught.value.errors == [
        RowError(1, "unknown column 'date'; expected: account_code, kind, day, staff_email, "
                    "contact_email, person_met, notes, ref"),
        RowError(1, "missing required column 'day'"),
    ]  # fmt: skip
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(f"account_code,kind,day,notes\nK1,call,{ago(1)},回访客户\n".encode("gbk"))
    with pytest.raises(ImportFailed) as caught:
        await import_visits(gbk, NOW)
    assert caught.value.errors == [RowError(2, NOT_UTF8)]


# Any one bad line among good ones: that line is named, and nothing of the file is written.

BAD_CHANGES = st.sampled_from(
    [
        ({"kind": "meeting"}, "kind must be visit, call or email, got 'meeting'"),
        ({"day": ago(-3)}, f"day {ago(-3)} is after today ({TODAY})"),
        ({"day": "2026-02-30"}, "day '2026-02-30' is not a date (YYYY-MM-DD)"),
        ({"account_code": "NOPE"}, "unknown account_code 'NOPE'"),
        ({"staff_email": "li.na@k1.example"}, "staff_email 'li.na@k1.example' is not a staff user"),
        ({"contact_email": "ops@k2.example"},
         "contact_email 'ops@k2.example' is not a contact of account K1"),
        ({"person_met": "x" * 201}, "person_met is longer than 200 characters"),
    ]
)  # fmt: skip
GOOD_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["visit", "call", "email"]),
            "day": st.integers(min_value=0, max_value=400).map(ago),
            "contact_email": st.sampled_from(["", "li.na@k1.example"]),
            "staff_email": st.sampled_from(["", MANAGER]),
        },
        optional={"ref": st.integers(min_value=1, max_value=10**6).map(lambda n: f"R{n}")},
    ).map(lambda row: {"account_code": "K1", **row}),
    max_size=15,
    unique_by=lambda row: row.get("ref") or id(row),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(good=GOOD_ROWS, bad=BAD_CHANGES, position=st.integers(min_value=0))
async def test_any_file_with_one_bad_line_writes_nothing(
    db: Database,
    tmp_path: Path,
    good: list[dict[str, str]],
    bad: tuple[dict[str, str], str],
    position: int,
) -> None:
    if not await Account.count():
        await make_world()
        await import_visits(write(tmp_path, THREE, "earlier.csv"), NOW)
    before = await entries()
    change, reason = bad
    at = position % (len(good) + 1)
    row = {"account_code": "K1", "kind": "call", "day": ago(5), **change}
    rows = [*good[:at], row, *good[at:]]

    with pytest.raises(ImportFailed) as caught:
        await import_visits(write(tmp_path, rows), NOW)

    assert caught.value.errors == [RowError(at + 2, reason)]
    assert await entries() == before
