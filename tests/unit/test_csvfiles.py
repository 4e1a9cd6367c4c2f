"""CSV import rules: line numbers, headers, field parsing, attribute typing, derived refs,
and the rows of a visits file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.accounts.contact_entries import CONTACT_KINDS
from feedback.accounts.csvfiles import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    NOT_UTF8,
    PURCHASE_COLUMNS,
    VISIT_COLUMNS,
    AttributeTyping,
    Columns,
    ColumnSpec,
    DerivedRefs,
    FirstLines,
    HeaderInvalid,
    PurchaseRow,
    RowInvalid,
    VisitLookups,
    VisitRow,
    is_number,
    locate_columns,
    number_value,
    numbered_rows,
    parse_account,
    parse_amount,
    parse_contact,
    parse_date,
    parse_purchase,
    parse_visit,
    purchase_parser,
)
from feedback.errors import RowError
from tests.conftest import TODAY

ACCOUNTS = {"A1": 1, "A2": 2}


def rows_of(data: bytes) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    problems: list[RowError] = []
    rows = list(numbered_rows(io.BytesIO(data), problems))
    return rows, problems


def purchase_columns(header: str = "account_code,occurred_on,amount,quantity,ref") -> Columns:
    return locate_columns(header.split(","), PURCHASE_COLUMNS)


def purchase(line: str, refs: DerivedRefs | None = None) -> PurchaseRow:
    return parse_purchase(line.split(","), purchase_columns(), ACCOUNTS, refs or DerivedRefs())


# Reading lines


def test_rows_carry_the_physical_line_they_start_on() -> None:
    data = b'code,name\n\nA1,One\n"A2","Two\nlines"\n,\nA3,Three\n'
    rows, problems = rows_of(data)
    assert rows == [
        (1, ["code", "name"]),
        (3, ["A1", "One"]),
        (4, ["A2", "Two\nlines"]),
        (7, ["A3", "Three"]),
    ]
    assert problems == []


def test_a_byte_order_mark_and_crlf_line_ends_are_ignored() -> None:
    rows, problems = rows_of("\ufeffcode,name\r\nA1,上海贸易\r\n".encode())
    assert rows == [(1, ["code", "name"]), (2, ["A1", "上海贸易"])]
    assert problems == []


def test_a_file_that_is_not_utf8_is_refused_at_its_first_bad_line() -> None:
    data = "code,name\nA1,One\nA2,上海\nA3,北京\n".encode("gbk")
    _, problems = rows_of(data)
    assert problems == [RowError(3, NOT_UTF8)]


def test_bad_utf8_far_into_a_file_is_found_on_its_line() -> None:
    data = b"code,name\n" + b"A,B\n" * 20_000 + "C,上海\n".encode("gbk")
    rows, problems = rows_of(data)
    assert rows[:2] == [(1, ["code", "name"]), (2, ["A", "B"])]
    assert problems == [RowError(20_002, NOT_UTF8)]


def test_broken_quoting_is_reported_and_reading_goes_on() -> None:
    rows, problems = rows_of(b'code,name\nA1,"One"x\nA2,Two\n')
    assert rows == [(1, ["code", "name"]), (3, ["A2", "Two"])]
    assert problems == [RowError(2, "unreadable CSV: ',' expected after '\"'")]


def test_an_unterminated_quote_is_reported_on_the_line_it_opens() -> None:
    rows, problems = rows_of(b'code,name\nA1,One\nA2,"Two\nA3,Three\n')
    assert rows == [(1, ["code", "name"]), (2, ["A1", "One"])]
    assert problems == [RowError(3, "unreadable CSV: unexpected end of data")]


# Headers


def test_known_columns_ignore_case_and_blanks_and_the_rest_are_attributes() -> None:
    columns = locate_columns([" Code ", "NAME", "plan", "seats"], ACCOUNT_COLUMNS)
    assert columns == Columns(known={"code": 0, "name": 1}, custom={"plan": 2, "seats": 3}, width=4)


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(HeaderInvalid) as caught:
        locate_columns(["account_code", "amount"], PURCHASE_COLUMNS)
    assert caught.value.reasons == ["missing required column 'occurred_on'"]


def test_header_problems_are_all_reported() -> None:
    with pytest.raises(HeaderInvalid) as caught:
        locate_columns(["email", "", "email", "mobile"], CONTACT_COLUMNS)
    assert caught.value.reasons == [
        "column 2 has no name",
        "column 'email' appears twice",
        "unknown column 'mobile'; expected: account_code, email, name, language, phone, survey",
        "missing required column 'account_code'",
    ]


def test_attribute_names_are_limited_to_100_characters() -> None:
    with pytest.raises(HeaderInvalid, match="longer than 100"):
        locate_columns(["code", "x" * 101], ColumnSpec(("code",), (), custom=True))


# Fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-02-28", dt.date(2026, 2, 28)), ("2024-02-29", dt.date(2024, 2, 29))],
)
def test_dates_are_iso(text: str, expected: dt.date) -> None:
    assert parse_date(text, "opened_on") == expected


@pytest.mark.parametrize("text", ["2026-02-30", "20260228", "28/02/2026", "2026-2-28", ""])
def test_other_date_forms_are_refused(text: str) -> None:
    with pytest.raises(RowInvalid, match=r"is not a date \(YYYY-MM-DD\)"):
        parse_date(text, "opened_on")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", Decimal(12)), ("0.5", Decimal("0.5")), ("1234.50", Decimal("1234.50"))],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12.345", "is not a number like 1234.50"),
        ("1,200", "is not a number like 1234.50"),
        ("NaN", "is not a number like 1234.50"),
        ("1e3", "is not a number like 1234.50"),
        ("-5", "is negative"),
        ("1000000000000", "is too large"),
    ],
)
def test_bad_amounts(text: str, reason: str) -> None:
    with pytest.raises(RowInvalid, match=reason):
        parse_amount(text)


def test_a_purchase_row_with_defaults() -> None:
    columns = purchase_columns("account_code,occurred_on,amount")
    row = parse_purchase(["A2", "2026-03-01", "99.90"], columns, ACCOUNTS, DerivedRefs())
    assert row.account == 2
    assert row.occurred_on == dt.date(2026, 3, 1)
    assert row.amount == Decimal("99.90")
    assert row.quantity == 1
    assert row.external_ref.startswith("auto-")
    assert len(row.external_ref) == 37


def test_a_bad_purchase_row_gives_every_reason() -> None:
    with pytest.raises(RowInvalid) as caught:
        purchase("ZZ,2026-13-01,abc,0,R1")
    assert str(caught.value) == (
        "unknown account_code 'ZZ'; occurred_on '2026-13-01' is not a date (YYYY-MM-DD); "
        "amount 'abc' is not a number like 1234.50; "
        "quantity '0' is not a whole number of at least 1"
    )


def test_a_row_must_have_as_many_values_as_the_header() -> None:
    with pytest.raises(RowInvalid, match="4 values, but the header has 5 columns"):
        purchase("A1,2026-01-01,5,1")


def test_derived_refs_count_repeats_so_a_file_always_gives_the_same_refs() -> None:
    lines = ["A1,2026-01-01,5,1,", "A1,2026-01-01,5.00,1,", "A1,2026-01-02,5,1,"]
    first = DerivedRefs()
    refs = [purchase(line, first).external_ref for line in lines]
    again = DerivedRefs()
    assert [purchase(line, again).external_ref for line in lines] == refs
    assert refs[1] == f"{refs[0]}-2", "the same purchase again is numbered"
    assert len(set(refs)) == 3
    digest = hashlib.blake2b(b"A1|2026-01-01|5.00|1", digest_size=16).hexdigest()
    assert refs[0] == f"auto-{digest}"


def test_a_given_ref_is_kept() -> None:
    assert purchase("A1,2026-01-01,5,2,INV-7").external_ref == "INV-7"


def test_contacts_default_to_english_and_surveys() -> None:
    columns = locate_columns(["account_code", "email", "name"], CONTACT_COLUMNS)
    row = parse_contact(["A1", " Li.Wei@Example.CN ", "李伟"], columns, ACCOUNTS)
    assert row == (1, "li.wei@example.cn", "李伟", "en", "", True)


def test_bad_contact_values() -> None:
    columns = locate_columns(["account_code", "email", "language", "survey"], CONTACT_COLUMNS)
    with pytest.raises(RowInvalid) as caught:
        parse_contact(["A1", "not-an-email", "fr", "maybe"], columns, ACCOUNTS)
    assert str(caught.value) == (
        "email 'not-an-email' is not an email address; language 'fr' is not en or zh; "
        "survey 'maybe' is not yes or no"
    )


def test_an_account_closed_on_a_date_is_closed() -> None:
    header = ["code", "name", "manager_email", "opened_on", "closed_on", "closed_reason", "plan"]
    columns = locate_columns(header, ACCOUNT_COLUMNS)
    cells = ["C1", "", "Boss@X.com", "2020-01-01", "2025-06-30", "moved", ""]
    row = parse_account(cells, columns, {"boss@x.com": 7}, {"plan": "categorical"})
    assert row.name == "C1"
    assert row.manager == 7
    assert row.status == "closed"
    assert row.closed_on == dt.date(2025, 6, 30)
    assert row.attributes == {"plan": None}


def test_a_bad_account_row_gives_every_reason() -> None:
    columns = locate_columns(["code", "manager_email", "opened_on", "closed_on"], ACCOUNT_COLUMNS)
    with pytest.raises(RowInvalid) as caught:
        parse_account(["C1", "nobody@x.com", "2025-01-01", "2024-01-01"], columns, {}, {})
    assert str(caught.value) == (
        "closed_on is before opened_on; manager_email 'nobody@x.com' is not a staff user"
    )


def test_first_lines_refuse_a_second_row_for_a_key() -> None:
    seen = FirstLines()
    seen.check("C1", 2, "code C1")
    seen.check("C2", 3, "code C2")
    with pytest.raises(RowInvalid, match="code C1 already appears on line 2"):
        seen.check("C1", 9, "code C1")


# Attribute typing


def typing_of(values: list[str], known: dict[str, str] | None = None) -> str:
    columns = locate_columns(["code", "x"], ACCOUNT_COLUMNS)
    typing = AttributeTyping(columns)
    for value in values:
        typing.observe(["C", value])
    return typing.kinds(known or {})["x"]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "", "2.5", "-3e2"], "numeric"),
        (["29.85", " ", " 1889.5 "], "numeric"),  # a blank that is a space is missing
        (["1", "two"], "categorical"),
        (["", ""], "categorical"),
        (["nan"], "categorical"),
        (["1_000"], "categorical"),
    ],
)
def test_a_column_is_numeric_when_every_value_is_a_number(values: list[str], kind: str) -> None:
    assert typing_of(values) == kind


def test_an_empty_column_keeps_the_kind_it_had() -> None:
    assert typing_of(["", ""], {"x": "numeric"}) == "numeric"
    assert typing_of(["a"], {"x": "numeric"}) == "categorical"


@given(st.integers())
def test_every_integer_is_a_number_and_stays_an_integer(value: int) -> None:
    assert is_number(str(value))
    assert number_value(str(value)) == value
    assert isinstance(number_value(str(value)), int)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_is_a_number(value: float) -> None:
    assert is_number(repr(value))
    assert number_value(repr(value)) == value


@given(st.text())
def test_what_is_a_number_reads_as_a_finite_float(text: str) -> None:
    if is_number(text):
        assert math.isfinite(float(text))
        assert text.isascii()


@given(
    st.lists(st.integers(min_value=-(10**6), max_value=10**6)),
    st.text(alphabet="abcxyz", min_size=1),
)
def test_one_word_among_numbers_makes_a_column_categorical(numbers: list[int], word: str) -> None:
    values = [str(number) for number in numbers]
    assert typing_of(values) == ("numeric" if values else "categorical")
    assert typing_of([*values, word]) == "categorical"


def test_overflowing_numbers_are_not_numbers() -> None:
    assert not is_number("1e400")


# The fast purchase parser against the thorough one

CODES = st.sampled_from(["A1", "A2", " A2 ", "ZZ", ""])
DAYS = st.sampled_from(["2026-01-31", " 2026-01-31", "2026-02-30", "20260131", "2026-1-31", ""])
AMOUNTS = st.sampled_from(["12", "12.5", "0.05", " 7 ", "-0", "-1", "12.345", "1e3", "٣", ""])
QUANTITIES = st.sampled_from(["", "1", "3", " 3", "0", "+3", "٣", "2147483648"])
REFS = st.sampled_from(["", "INV-1", " INV-2 ", "x" * 101])
PURCHASE_CELLS = st.one_of(
    st.lists(st.one_of(CODES, DAYS, AMOUNTS, st.text(max_size=6)), max_size=6),
    st.tuples(CODES, DAYS, AMOUNTS, QUANTITIES, REFS).map(list),
)


def outcome(parse: Callable[[list[str]], PurchaseRow], cells: list[str]) -> PurchaseRow | str:
    try:
        return parse(cells)
    except RowInvalid as exc:
        return f"refused: {exc}"


@given(st.lists(PURCHASE_CELLS, max_size=8))
def test_the_fast_purchase_parser_agrees_with_the_thorough_one(rows: list[list[str]]) -> None:
    columns = purchase_columns()
    fast = purchase_parser(columns, ACCOUNTS, DerivedRefs())
    refs = DerivedRefs()
    for cells in rows:
        thorough = outcome(lambda cells: parse_purchase(cells, columns, ACCOUNTS, refs), cells)
        assert outcome(fast, cells) == thorough


def test_the_fast_parser_reads_plain_rows_and_files_without_optional_columns() -> None:
    columns = purchase_columns("amount,account_code,occurred_on")
    parse = purchase_parser(columns, ACCOUNTS, DerivedRefs())
    row = parse(["1234.50", "A1", "2026-03-01"])
    assert row[:4] == (1, dt.date(2026, 3, 1), Decimal("1234.50"), 1)
    assert row.external_ref == purchase("A1,2026-03-01,1234.5,1,").external_ref


# Visits, calls and emails for the contact log

STAFF = {"wang.fang@example.com": 7}
CONTACTS = {(1, "li.na@a1.example"): (11, "Li Na"), (2, "ops@a2.example"): (21, "")}
VISIT_LOOKUPS = VisitLookups(ACCOUNTS, STAFF, CONTACTS, TODAY)
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
A_VISIT = {"account_code": "A1", "kind": "visit", "day": YESTERDAY}


def visit(
    cells: dict[str, str],
    refs: DerivedRefs | None = None,
    header: tuple[str, ...] = VISIT_COLUMNS.names,
) -> VisitRow:
    columns = locate_columns(header, VISIT_COLUMNS)
    values = [cells.get(name, "") for name in header]
    return parse_visit(values, columns, VISIT_LOOKUPS, refs or DerivedRefs())


def visit_refused(cells: dict[str, str]) -> str:
    with pytest.raises(RowInvalid) as caught:
        visit(cells)
    return str(caught.value)


def test_a_visit_names_who_made_it_and_the_contact_met() -> None:
    row = visit(
        {
            **A_VISIT,
            "kind": " Visit ",
            "staff_email": "Wang.Fang@Example.com",
            "contact_email": "LI.NA@a1.example",
            "notes": "Quarterly review",
            "ref": "CRM-1",
        }
    )
    assert row == VisitRow(
        account=1,
        kind="visit",
        happened_on=TODAY - dt.timedelta(days=1),
        contact=11,
        person_met="Li Na",
        done_by=7,
        notes="Quarterly review",
        external_ref="CRM-1",
    )


def test_the_person_met_as_written_down_is_kept_over_the_contacts_name() -> None:
    person = "Li Na and her buyer"
    row = visit({**A_VISIT, "contact_email": "li.na@a1.example", "person_met": person})
    assert (row.contact, row.person_met) == (11, person)


def test_a_file_of_the_required_columns_only() -> None:
    row = visit(
        {"day": YESTERDAY, "kind": "email", "account_code": "A2"},
        header=("day", "kind", "account_code"),
    )
    assert row[:7] == (2, "email", TODAY - dt.timedelta(days=1), None, "", None, "")
    assert row.external_ref.startswith("auto-")
    assert len(row.external_ref) == 37


def test_a_bad_visit_row_gives_every_reason() -> None:
    assert visit_refused(
        {
            "account_code": "ZZ",
            "kind": "fax",
            "day": "2026-02-30",
            "staff_email": "nobody@example.com",
            "contact_email": "li.na@a1.example",
        }
    ) == (
        "unknown account_code 'ZZ'; kind must be visit, call or email, got 'fax'; "
        "day '2026-02-30' is not a date (YYYY-MM-DD); "
        "staff_email 'nobody@example.com' is not a staff user"
    )


def test_empty_required_values_are_named() -> None:
    assert visit_refused({}) == (
        "account_code is empty; kind is empty (visit, call or email); "
        "day '' is not a date (YYYY-MM-DD)"
    )


def test_the_contact_met_must_be_one_of_the_accounts_contacts() -> None:
    cells = {**A_VISIT, "account_code": "A2", "contact_email": "li.na@a1.example"}
    assert visit_refused(cells) == (
        "contact_email 'li.na@a1.example' is not a contact of account A2"
    )


def test_the_person_met_notes_and_ref_keep_the_contact_logs_lengths() -> None:
    def lengths(over: int) -> dict[str, str]:
        return {"person_met": "p" * (200 + over), "notes": "n" * (5000 + over),
                "ref": "r" * (100 + over)}  # fmt: skip

    assert visit_refused({**A_VISIT, **lengths(1)}) == (
        "person_met is longer than 200 characters; notes is longer than 5000 characters; "
        "ref is longer than 100 characters"
    )
    row = visit({**A_VISIT, **lengths(0)})
    assert (len(row.person_met), len(row.notes), len(row.external_ref)) == (200, 5000, 100)


def test_a_visits_header_names_its_columns() -> None:
    with pytest.raises(HeaderInvalid) as caught:
        locate_columns(["Account_Code", "type", "when"], VISIT_COLUMNS)
    assert caught.value.reasons == [
        "unknown column 'type'; expected: account_code, kind, day, staff_email, contact_email, "
        "person_met, notes, ref",
        "unknown column 'when'; expected: account_code, kind, day, staff_email, contact_email, "
        "person_met, notes, ref",
        "missing required column 'kind'",
        "missing required column 'day'",
    ]


def test_a_visit_row_must_have_as_many_values_as_the_header() -> None:
    columns = locate_columns(["account_code", "kind", "day"], VISIT_COLUMNS)
    with pytest.raises(RowInvalid, match="2 values, but the header has 3 columns"):
        parse_visit(["A1", "call"], columns, VISIT_LOOKUPS, DerivedRefs())


@given(st.dates())
def test_a_contact_is_imported_on_any_day_up_to_today_and_never_after(day: dt.date) -> None:
    cells = {**A_VISIT, "day": day.isoformat()}
    if day <= TODAY:
        assert visit(cells).happened_on == day
    else:
        assert visit_refused(cells) == f"day {day.isoformat()} is after today ({TODAY})"


@given(st.one_of(st.sampled_from(["visit", "CALL", " Email", "fax", "meeting", ""]), st.text()))
def test_the_kind_is_a_visit_call_or_email_in_any_case(kind: str) -> None:
    cells = {**A_VISIT, "kind": kind}
    if kind.strip().lower() in CONTACT_KINDS:
        assert visit(cells).kind == kind.strip().lower()
    else:
        assert "kind" in visit_refused(cells)


VISIT_VALUES = st.fixed_dictionaries(
    {
        "account_code": st.sampled_from(["A1", "A2"]),
        "kind": st.sampled_from(["visit", "call", "Call"]),
        "day": st.sampled_from([YESTERDAY, TODAY.isoformat()]),
        "staff_email": st.sampled_from(["", "wang.fang@example.com", "WANG.FANG@example.com"]),
        "person_met": st.sampled_from(["", "the buyer", "a|b"]),
        "notes": st.sampled_from(["", "Price list sent", "b|", "多谢"]),
    }
)


@given(st.lists(VISIT_VALUES, max_size=12))
def test_derived_visit_refs_are_unique_in_a_file_and_the_same_on_every_import(
    rows: list[dict[str, str]],
) -> None:
    first, again = DerivedRefs(), DerivedRefs()
    refs = [visit(cells, first).external_ref for cells in rows]
    assert [visit(cells, again).external_ref for cells in rows] == refs
    assert len(set(refs)) == len(refs)
    digests = [ref[: len("auto-") + 32] for ref in refs]
    parsed = [visit(cells) for cells in rows]
    assert len(set(digests)) == len(set(parsed)), "the same digest for the same values only"
    assert len({(row, digest) for row, digest in zip(parsed, digests, strict=True)}) == len(
        set(parsed)
    )


def test_a_derived_visit_ref_is_the_digest_of_the_rows_values() -> None:
    cells = {**A_VISIT, "kind": "Visit", "staff_email": "Wang.Fang@Example.com",
             "contact_email": "li.na@a1.example", "notes": "Quarterly review"}  # fmt: skip
    basis = f"A1|visit|{YESTERDAY}|wang.fang@example.com|li.na@a1.example||Quarterly review"
    digest = hashlib.blake2b(basis.encode(), digest_size=16).hexdigest()
    refs = DerivedRefs()
    assert [visit(cells, refs).external_ref for _ in range(2)] == [
        f"auto-{digest}",
        f"auto-{digest}-2",
    ]
