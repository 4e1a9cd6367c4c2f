"""CSV import rules: numbered rows, header checks, and parsing accounts, contacts, purchases
and visits (the contact log's visits, calls and emails)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable, Generator, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO, NamedTuple

from feedback.accounts.contact_entries import CONTACT_KINDS, MAX_NOTES, MAX_PERSON
from feedback.addresses import email_problem
from feedback.errors import RowError
from feedback.languages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "ACCOUNT_COLUMNS",
    "CATEGORICAL",
    "CONTACT_COLUMNS",
    "NOT_UTF8",
    "NUMERIC",
    "PURCHASE_COLUMNS",
    "VISIT_COLUMNS",
    "AccountRow",
    "AttributeTyping",
    "ColumnSpec",
    "Columns",
    "ContactRow",
    "DerivedRefs",
    "FirstLines",
    "HeaderInvalid",
    "PurchaseRow",
    "RowInvalid",
    "VisitLookups",
    "VisitRow",
    "is_number",
    "locate_columns",
    "number_value",
    "numbered_rows",
    "parse_account",
    "parse_amount",
    "parse_contact",
    "parse_date",
    "parse_purchase",
    "parse_visit",
    "purchase_parser",
    "purchase_values",
]

NOT_UTF8 = "the file is not UTF-8 text; save it as 'CSV UTF-8' and import it again"
NUMERIC = "numeric"
CATEGORICAL = "categorical"
MAX_AMOUNT = Decimal(10) ** 12  # Purchase.amount is NUMERIC(14, 2)
MAX_QUANTITY = 2**31 - 1
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_AMOUNT = re.compile(r"-?\d+(?:\.\d{1,2})?", re.ASCII)
_PLAIN_AMOUNT = re.compile(r"\d{1,12}(?:\.\d{1,2})?", re.ASCII)


class RowInvalid(ValueError):
    """Why one data row is refused (several reasons are joined with '; ')."""


class HeaderInvalid(ValueError):
    """The header line cannot be used; nothing of the file can be read."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def numbered_rows(
    stream: BinaryIO, problems: list[RowError]
) -> Generator[tuple[int, list[str]], None, None]:
    """Non-blank rows of a UTF-8 file (BOM or not) with the physical line each starts on.

    Broken quoting is reported in ``problems`` and reading goes on; text that is not UTF-8
    is reported on its line and ends the reading.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _rows(csv.reader(text, strict=True), problems)
    except UnicodeDecodeError:
        problems.append(RowError(_first_line_not_utf8(stream), NOT_UTF8))
    finally:
        if not stream.closed:
            text.detach()  # the caller owns the file


def _rows(reader: Any, problems: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    previous = 0
    while True:
        try:
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if any(cells):
                    yield line, cells
            return
        except csv.Error as exc:
            problems.append(RowError(previous + 1, f"unreadable CSV: {exc}"))
            previous = reader.line_num


def _first_line_not_utf8(stream: BinaryIO) -> int:
    """Found again line by line: the text layer decodes whole blocks, not lines."""
    stream.seek(0)
    for number, raw in enumerate(stream, start=1):
        try:
            raw.decode()
        except UnicodeDecodeError:
            return number
    return 1


@dataclass(frozen=True)
class ColumnSpec:
    """The columns one kind of file knows; with ``custom`` every other column is an attribute."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    custom: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The known columns, required ones first: the header of a file that has them all."""
        return (*self.required, *self.optional)


ACCOUNT_COLUMNS = ColumnSpec(
    required=("code",),
    optional=(
        "name",
        "industry",
        "region",
        "manager_email",
        "opened_on",
        "closed_on",
        "closed_reason",
    ),
    custom=True,
)
CONTACT_COLUMNS = ColumnSpec(
    required=("account_code", "email"), optional=("name", "language", "phone", "survey")
)
PURCHASE_COLUMNS = ColumnSpec(
    required=("account_code", "occurred_on", "amount"), optional=("quantity", "ref")
)
VISIT_COLUMNS = ColumnSpec(
    required=("account_code", "kind", "day"),
    optional=("staff_email", "contact_email", "person_met", "notes", "ref"),
)
MAX_REF = 100  # Purchase.external_ref and ContactLog.external_ref are VARCHAR(100)
ATTRIBUTE_NAME_LIMIT = 100


@dataclass(frozen=True)
class Columns:
    """Where the known columns and the custom attributes sit in a file's rows."""

    known: dict[str, int]
    custom: dict[str, int]
    width: int

    def text(self, cells: Sequence[str], name: str) -> str:
        """The stripped cell of a known column, or '' when the file has no such column."""
        index = self.known.get(name)
        return "" if index is None else cells[index].strip()


def locate_columns(header: Sequence[str], spec: ColumnSpec) -> Columns:
    """Match a header line against the spec; known names ignore case and surrounding blanks."""
    reasons: list[str] = []
    known: dict[str, int] = {}
    custom: dict[str, int] = {}
    seen: set[str] = set()
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        key = name.lower()
        if not name:
            reasons.append(f"column {position} has no name")
        elif key in seen or name in seen:
            reasons.append(f"column {name!r} appears twice")
        elif key in spec.required or key in spec.optional:
            known[key] = position - 1
        elif not spec.custom:
            expected = ", ".join(spec.names)
            reasons.append(f"unknown column {name!r}; expected: {expected}")
        elif len(name) > ATTRIBUTE_NAME_LIMIT:
            reasons.append(f"attribute column {name[:20]!r}... is longer than 100 characters")
        else:
            custom[name] = position - 1
        seen.update((key, name))
    reasons.extend(
        f"missing required column {name!r}" for name in spec.required if name not in known
    )
    if reasons:
        raise HeaderInvalid(reasons)
    return Columns(known=known, custom=custom, width=len(header))


def _check_width(cells: Sequence[str], columns: Columns) -> None:
    if len(cells) != columns.width:
        raise RowInvalid(f"{len(cells)} values, but the header has {columns.width} columns")


def _limited(value: str, name: str, limit: int, reasons: list[str]) -> str:
    if len(value) > limit:
        reasons.append(f"{name} is longer than {limit} characters")
    return value


def _required(value: str, name: str, limit: int, reasons: list[str]) -> str:
    if not value:
        reasons.append(f"{name} is empty")
    return _limited(value, name, limit, reasons)


def parse_date(text: str, name: str) -> dt.date:
    """An ISO date, exactly YYYY-MM-DD."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise RowInvalid(f"{name} {text!r} is not a date (YYYY-MM-DD)")


def _optional_date(text: str, name: str, reasons: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text, name)
    except RowInvalid as exc:
        reasons.append(str(exc))
        return None


def parse_amount(text: str) -> Decimal:
    """A non-negative amount with at most two decimals, below 10^12 (e.g. 1234.50)."""
    if not _AMOUNT.fullmatch(text):
        raise RowInvalid(f"amount {text!r} is not a number like 1234.50")
    amount = Decimal(text)
    if amount < 0:
        raise RowInvalid(f"amount {text!r} is negative")
    if amount >= MAX_AMOUNT:
        raise RowInvalid(f"amount {text!r} is too large")
    return amount


def parse_quantity(text: str) -> int:
    """A whole number of at least 1; empty means 1."""
    if not text:
        return 1
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
        raise RowInvalid(f"quantity {text!r} is not a whole number of at least 1")
    return int(text)


def is_number(text: str) -> bool:
    """Whether a custom attribute value reads as a finite number (ASCII, e.g. -3, 2.5, 1e3)."""
    return _NUMBER.fullmatch(text) is not None and math.isfinite(float(text))


def number_value(text: str) -> int | float:
    """The JSON number for a numeric attribute value: whole numbers stay integers."""
    if not is_number(text):
        raise RowInvalid(f"{text!r} is not a number")
    return int(text) if _INTEGER.fullmatch(text) else float(text)


class AttributeTyping:
    """The first pass over an accounts file: which custom columns hold numbers only."""

    def __init__(self, columns: Columns) -> None:
        self._columns = columns
        self._filled: set[str] = set()
        self._textual: set[str] = set()

    def observe(self, cells: Sequence[str]) -> None:
        if len(cells) != self._columns.width:
            return
        for name, index in self._columns.custom.items():
            value = cells[index].strip()
            if value:
                self._filled.add(name)
                if name not in self._textual and not is_number(value):
                    self._textual.add(name)

    def kinds(self, known: Mapping[str, str]) -> dict[str, str]:
        """Numeric when every non-empty value is a number; a column with no value at all
        keeps the kind it already has (``known``), or is categorical."""
        return {name: self._kind(name, known.get(name)) for name in self._columns.custom}

    def _kind(self, name: str, known: str | None) -> str:
        if name in self._textual:
            return CATEGORICAL
        if name in self._filled:
            return NUMERIC
        return known or CATEGORICAL


class FirstLines:
    """Where each key first appeared, so that a second row for it is refused."""

    def __init__(self) -> None:
        self._lines: dict[Hashable, int] = {}

    def check(self, key: Hashable, line: int, what: str) -> None:
        first = self._lines.setdefault(key, line)
        if first != line:
            raise RowInvalid(f"{what} already appears on line {first}")


class AccountRow(NamedTuple):
    code: str
    name: str
    industry: str
    region: str
    manager: int | None
    opened_on: dt.date | None
    status: str
    closed_on: dt.date | None
    closed_reason: str
    attributes: dict[str, Any]


def parse_account(
    cells: Sequence[str],
    columns: Columns,
    managers: Mapping[str, int],
    kinds: Mapping[str, str],
) -> AccountRow:
    """One accounts row; a closing date closes the account; the name defaults to the code."""
    _check_width(cells, columns)
    reasons: list[str] = []
    code = _required(columns.text(cells, "code"), "code", 64, reasons)
    opened_on = _optional_date(columns.text(cells, "opened_on"), "opened_on", reasons)
    closed_on = _optional_date(columns.text(cells, "closed_on"), "closed_on", reasons)
    if opened_on and closed_on and closed_on < opened_on:
        reasons.append("closed_on is before opened_on")
    row = AccountRow(
        code=code,
        name=_limited(columns.text(cells, "name") or code, "name", 300, reasons),
        industry=_limited(columns.text(cells, "industry"), "industry", 100, reasons),
        region=_limited(columns.text(cells, "region"), "region", 100, reasons),
        manager=_staff_user(cells, columns, "manager_email", managers, reasons),
        opened_on=opened_on,
        status="closed" if closed_on else "active",
        closed_on=closed_on,
        closed_reason=_limited(columns.text(cells, "closed_reason"), "closed_reason", 300, reasons),
        attributes=_attributes(cells, columns, kinds, reasons),
    )
    if reasons:
        raise RowInvalid("; ".join(reasons))
    return row


def _staff_user(
    cells: Sequence[str],
    columns: Columns,
    column: str,
    staff: Mapping[str, int],
    reasons: list[str],
) -> int | None:
    """The staff user a column names by email (``staff`` by lower-case email), if any."""
    email = columns.text(cells, column)
    if not email:
        return None
    user = staff.get(email.lower())
    if user is None:
        reasons.append(f"{column} {email!r} is not a staff user")
    return user


def _attributes(
    cells: Sequence[str], columns: Columns, kinds: Mapping[str, str], reasons: list[str]
) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for name, index in columns.custom.items():
        value = cells[index].strip()
        if not value or kinds[name] != NUMERIC:
            attributes[name] = value or None
            continue
        try:
            attributes[name] = number_value(value)
        except RowInvalid:
            reasons.append(f"{name} {value!r} is not a number like the rest of its column")
    return attributes


class ContactRow(NamedTuple):
    account: int
    email: str
    name: str
    language: str
    phone: str
    survey_opt_in: bool


def parse_contact(
    cells: Sequence[str], columns: Columns, accounts: Mapping[str, int]
) -> ContactRow:
    """One contacts row; language defaults to en and survey to yes."""
    _check_width(cells, columns)
    reasons: list[str] = []
    account = _account(columns.text(cells, "account_code"), accounts, reasons)
    email = columns.text(cells, "email").lower()
    if email_problem(email):
        reasons.append(f"email {email!r} is not an email address")
    language = columns.text(cells, "language").lower() or DEFAULT_LANGUAGE
    if language not in LANGUAGES:
        reasons.append(f"language {language!r} is not {' or '.join(LANGUAGES)}")
    survey = columns.text(cells, "survey").lower() or "yes"
    if survey not in {"yes", "no"}:
        reasons.append(f"survey {survey!r} is not yes or no")
    row = ContactRow(
        account=account,
        email=_limited(email, "email", 254, reasons),
        name=_limited(columns.text(cells, "name"), "name", 200, reasons),
        language=language,
        phone=_limited(columns.text(cells, "phone"), "phone", 50, reasons),
        survey_opt_in=survey == "yes",
    )
    if reasons:
        raise RowInvalid("; ".join(reasons))
    return row


def _account(code: str, accounts: Mapping[str, int], reasons: list[str]) -> int:
    if not code:
        reasons.append("account_code is empty")
        return 0
    account = accounts.get(code)
    if account is None:
        reasons.append(f"unknown account_code {code!r}")
        return 0
    return account


class PurchaseRow(NamedTuple):
    account: int
    occurred_on: dt.date
    amount: Decimal
    quantity: int
    external_ref: str


class DerivedRefs:
    """Refs for rows without one, the same for the same file on every import.

    A ref is a digest of the row's values as text, joined by ``|`` (a purchase's account
    code, date, amount with two decimals and quantity); the n-th repeat of the same values
    in the file gets ``-n`` appended. Which rows were met is remembered by 60 bits of their
    digest (about 65 bytes per row without a ref); two rows sharing those bits only give the
    second a suffix: refs stay unique and the same on every import of the file.
    """

    def __init__(self) -> None:
        self._met: set[int] = set()
        self._repeats: dict[int, int] = {}

    def ref_for(self, *values: str) -> str:
        basis = "|".join(values).encode()
        digest = hashlib.blake2b(basis, digest_size=16).hexdigest()
        key = int(digest[:15], 16)
        if key not in self._met:
            self._met.add(key)
            return f"auto-{digest}"
        count = self._repeats.get(key, 1) + 1
        self._repeats[key] = count
        return f"auto-{digest}-{count}"


def purchase_values(
    code: str, occurred_on: dt.date, amount: Decimal, quantity: int
) -> tuple[str, ...]:
    """What a purchase's derived ref is made of."""
    return code, occurred_on.isoformat(), f"{amount:.2f}", str(quantity)


def parse_purchase(
    cells: Sequence[str], columns: Columns, accounts: Mapping[str, int], refs: DerivedRefs
) -> PurchaseRow:
    """One purchases row; quantity defaults to 1 and a missing ref is derived."""
    _check_width(cells, columns)
    reasons: list[str] = []
    code = columns.text(cells, "account_code")
    account = _account(code, accounts, reasons)
    occurred_on = amount = quantity = None
    try:
        occurred_on = parse_date(columns.text(cells, "occurred_on"), "occurred_on")
    except RowInvalid as exc:
        reasons.append(str(exc))
    try:
        amount = parse_amount(columns.text(cells, "amount"))
    except RowInvalid as exc:
        reasons.append(str(exc))
    try:
        quantity = parse_quantity(columns.text(cells, "quantity"))
    except RowInvalid as exc:
        reasons.append(str(exc))
    ref = _limited(columns.text(cells, "ref"), "ref", MAX_REF, reasons)
    if reasons or occurred_on is None or amount is None or quantity is None:
        raise RowInvalid("; ".join(reasons))
    ref = ref or refs.ref_for(*purchase_values(code, occurred_on, amount, quantity))
    return PurchaseRow(account, occurred_on, amount, quantity, ref)


def purchase_parser(
    columns: Columns, accounts: Mapping[str, int], refs: DerivedRefs
) -> Callable[[list[str]], PurchaseRow]:
    """``parse_purchase`` for millions of rows: a strict fast path for plain rows, and
    ``parse_purchase`` itself for any other row (it accepts the same or says why not)."""
    width = columns.width
    code_at, date_at, amount_at = (columns.known[name] for name in PURCHASE_COLUMNS.required)
    quantity_at, ref_at = (columns.known.get(name) for name in PURCHASE_COLUMNS.optional)
    plain_amount, date = _PLAIN_AMOUNT.fullmatch, dt.date.fromisoformat

    def parse(cells: list[str]) -> PurchaseRow:
        try:  # cells with blanks around them fail these checks and take the thorough path
            code, day, amount = cells[code_at].strip(), cells[date_at], cells[amount_at]
            quantity = cells[quantity_at] if quantity_at is not None else ""
            ref = cells[ref_at].strip() if ref_at is not None else ""
            if len(cells) != width or len(day) != 10 or day[4] != "-" or day[7] != "-":
                raise ValueError
            if not plain_amount(amount) or len(ref) > MAX_REF:
                raise ValueError
            if quantity and (not quantity.isascii() or not quantity.isdigit()):
                raise ValueError
            row = PurchaseRow(accounts[code], date(day), Decimal(amount), int(quantity or 1), ref)
            if not 1 <= row.quantity <= MAX_QUANTITY:
                raise ValueError
        except (ValueError, KeyError, IndexError):
            return parse_purchase(cells, columns, accounts, refs)
        if ref:
            return row
        values = purchase_values(code, row.occurred_on, row.amount, row.quantity)
        return row._replace(external_ref=refs.ref_for(*values))

    return parse


class VisitRow(NamedTuple):
    """A visit, call or email with an account, in the contact log's columns."""

    account: int
    kind: str
    happened_on: dt.date
    contact: int | None
    person_met: str
    done_by: int | None
    notes: str
    external_ref: str


@dataclass(frozen=True)
class VisitLookups:
    """What the rows of a visits file are checked against: account ids by code, staff user
    ids by lower-case email, each account's contacts as (id, name) by (account id,
    lower-case email), and today (no contact can be imported before it happened)."""

    accounts: Mapping[str, int]
    staff: Mapping[str, int]
    contacts: Mapping[tuple[int, str], tuple[int, str]]
    today: dt.date


def _one_of(names: Sequence[str]) -> str:
    """``a, b or c``."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)


def _kind(text: str, reasons: list[str]) -> str:
    kind = text.lower()
    if not kind:
        reasons.append(f"kind is empty ({_one_of(CONTACT_KINDS)})")
    elif kind not in CONTACT_KINDS:
        reasons.append(f"kind must be {_one_of(CONTACT_KINDS)}, got {text!r}")
    return kind


def _day_until(text: str, name: str, today: dt.date, reasons: list[str]) -> dt.date | None:
    try:
        day = parse_date(text, name)
    except RowInvalid as exc:
        reasons.append(str(exc))
        return None
    if day > today:
        reasons.append(f"{name} {text} is after today ({today.isoformat()})")
    return day


def _contact_met(
    account: int, code: str, email: str, known: VisitLookups, reasons: list[str]
) -> tuple[int | None, str]:
    """The id and name of the account's contact with ``email``; none when no email is given
    (or the account is unknown, which is said already)."""
    if not email or not account:
        return None, ""
    found = known.contacts.get((account, email))
    if found is None:
        reasons.append(f"contact_email {email!r} is not a contact of account {code}")
        return None, ""
    return found


def parse_visit(
    cells: Sequence[str], columns: Columns, known: VisitLookups, refs: DerivedRefs
) -> VisitRow:
    """One visits row: a visit, call or email up to today; the person met defaults to the
    contact's name, and a missing ref is derived from the row's values."""
    _check_width(cells, columns)
    reasons: list[str] = []
    code = columns.text(cells, "account_code")
    account = _account(code, known.accounts, reasons)
    kind = _kind(columns.text(cells, "kind"), reasons)
    day = _day_until(columns.text(cells, "day"), "day", known.today, reasons)
    done_by = _staff_user(cells, columns, "staff_email", known.staff, reasons)
    contact_email = columns.text(cells, "contact_email").lower()
    contact, contact_name = _contact_met(account, code, contact_email, known, reasons)
    person_met = _limited(columns.text(cells, "person_met"), "person_met", MAX_PERSON, reasons)
    notes = _limited(columns.text(cells, "notes"), "notes", MAX_NOTES, reasons)
    ref = _limited(columns.text(cells, "ref"), "ref", MAX_REF, reasons)
    if reasons or day is None:
        raise RowInvalid("; ".join(reasons))
    staff_email = columns.text(cells, "staff_email").lower()
    values = (code, kind, day.isoformat(), staff_email, contact_email, person_met, notes)
    ref = ref or refs.ref_for(*values)
    return VisitRow(account, kind, day, contact, person_met or contact_name, done_by, notes, ref)
