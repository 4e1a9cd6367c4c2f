"""Bulk reads of accounts and contacts for other domains (one query, or a few chunked ones)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from itertools import islice
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.query import Select

from feedback.accounts.tables import Account, AccountStatus, Contact
from feedback.errors import NotFound

__all__ = [
    "AccountDimensions",
    "AccountRevenue",
    "ContactDetails",
    "PortfolioAccount",
    "PurchaseWindows",
    "SurveyRecipient",
    "account_codes",
    "account_dimensions",
    "account_id_for_code",
    "account_ids_managed_by",
    "active_accounts_with_revenue",
    "contact_details",
    "contact_ids_of_account",
    "contact_language",
    "managed_accounts",
    "portfolio",
    "purchase_windows",
    "survey_recipients",
]

# Ids per IN (...) list: well under SQLite's and asyncpg's parameter limits.
IDS_PER_QUERY = 2_000
RECIPIENTS_SQL = (
    "SELECT c.id AS contact_id, c.account AS account_id, a.code AS account_code, "
    "a.name AS account_name, c.email AS email, c.name AS name, c.language AS language "
    "FROM contact c JOIN account a ON a.id = c.account "
    "WHERE (a.opened_on IS NULL OR a.opened_on <= {}) "
    "AND (a.closed_on > {} OR (a.closed_on IS NULL AND a.status = {})) "
    "AND c.survey_opt_in = {} AND c.email <> '' "
    "ORDER BY a.code, c.email"
)
DIMENSIONS_SQL = (
    "SELECT a.id AS account_id, a.code AS code, a.name AS name, a.tier AS tier, "
    "a.industry AS industry, a.region AS region, COALESCE(s.name, '') AS manager, "
    "a.manager AS manager_id "
    "FROM account a LEFT JOIN staff_user s ON s.id = a.manager"
)
# One pass over purchases before the date; windows are [baseline, recent) and [recent, as_of).
WINDOWS_SQL = (
    "SELECT a.id AS account_id, a.opened_on AS opened_on, p.first_on AS first_on, "
    "p.recent_revenue AS recent_revenue, p.recent_purchases AS recent_purchases, "
    "p.baseline_revenue AS baseline_revenue, p.baseline_purchases AS baseline_purchases "
    "FROM account a LEFT JOIN (SELECT account, MIN(occurred_on) AS first_on, "
    "SUM(CASE WHEN occurred_on >= {} THEN amount ELSE 0 END) AS recent_revenue, "
    "SUM(CASE WHEN occurred_on >= {} THEN 1 ELSE 0 END) AS recent_purchases, "
    "SUM(CASE WHEN occurred_on >= {} AND occurred_on < {} THEN amount ELSE 0 END) "
    "AS baseline_revenue, "
    "SUM(CASE WHEN occurred_on >= {} AND occurred_on < {} THEN 1 ELSE 0 END) "
    "AS baseline_purchases "
    "FROM purchase WHERE occurred_on < {} [purchases of] GROUP BY account) p ON p.account = a.id"
    " [accounts]"
)
# The active accounts (of one manager, or all) with their revenue in [start, end].
ACTIVE_REVENUE_SQL = (
    "SELECT a.id AS account_id, a.code AS code, a.name AS name, a.tier AS tier, "
    "COALESCE(p.revenue, 0) AS revenue_12m FROM account a LEFT JOIN (SELECT account, "
    "SUM(amount) AS revenue FROM purchase WHERE occurred_on >= {} AND occurred_on <= {} "
    "AND account IN (SELECT id FROM account WHERE {where}) GROUP BY account) p "
    "ON p.account = a.id WHERE {where} ORDER BY a.code"
)
CONTACTS_SQL = (
    "SELECT c.id AS contact_id, c.account AS account_id, c.email AS email, c.name AS name, "
    "c.language AS language, c.survey_opt_in AS survey_opt_in, a.name AS account_name, "
    "a.status AS account_status, a.closed_on AS account_closed_on "
    "FROM contact c JOIN account a ON a.id = c.account"
)


class SurveyRecipient(msgspec.Struct, frozen=True):
    """An opted-in contact of an account open on the day, with what a survey mail needs."""

    contact_id: int
    account_id: int
    account_code: str
    account_name: str
    email: str
    name: str
    language: str


class AccountDimensions(msgspec.Struct, frozen=True):
    """What results are broken down by, and how an account is named in them."""

    account_id: int
    code: str
    name: str
    tier: str
    industry: str
    region: str
    manager: str
    manager_id: int | None = None


class PortfolioAccount(msgspec.Struct, frozen=True):
    """An account of a manager's portfolio, as their own lists name and rank it."""

    account_id: int
    code: str
    name: str
    tier: str
    active: bool
    trailing_revenue: float


class AccountRevenue(msgspec.Struct, frozen=True):
    """An active account with its stored tier and its revenue in a window (the last 12 months)."""

    account_id: int
    code: str
    name: str
    tier: str
    revenue_12m: float


class PurchaseWindows(msgspec.Struct, frozen=True):
    """An account's purchases in a recent window and in the window before it (its normal).

    ``customer_since`` is the opening date, else the first purchase before the date.
    """

    account_id: int
    recent_revenue: float
    recent_purchases: int
    baseline_revenue: float
    baseline_purchases: int
    customer_since: dt.date | None


class ContactDetails(msgspec.Struct, frozen=True):
    contact_id: int
    account_id: int
    email: str
    name: str
    language: str
    survey_opt_in: bool
    account_name: str
    account_active: bool
    account_closed_on: dt.date | None

    def account_open_on(self, day: dt.date) -> bool:
        """Whether the account was still open on ``day`` (closed later, or not at all)."""
        if self.account_closed_on is not None:
            return self.account_closed_on > day
        return self.account_active


def _id_chunks(ids: Collection[int]) -> Iterator[list[int]]:
    iterator = iter(sorted(set(ids)))
    while chunk := list(islice(iterator, IDS_PER_QUERY)):
        yield chunk


def _in_list(column: str, ids: Sequence[int]) -> str:
    # Only integers are formatted into the statement.
    return f"{column} IN ({', '.join(str(int(value)) for value in ids)})"


async def survey_recipients(
    on: dt.date, skip_account_ids: Collection[int] = ()
) -> list[SurveyRecipient]:
    """Every survey-opted-in contact with an email of every account open on ``on``.

    An account is open from its opening date (when known) until its closing date; so a wave
    issued on a past day reaches the accounts of that day. ``skip_account_ids`` names
    accounts to leave out (e.g. held back by an open complaint).
    """
    rows = await Contact.raw(RECIPIENTS_SQL, on, on, AccountStatus.active.value, True)
    skipped = set(skip_account_ids)
    return [SurveyRecipient(**row) for row in rows if row["account_id"] not in skipped]


async def account_dimensions(
    account_ids: Collection[int] | None = None,
) -> dict[int, AccountDimensions]:
    """Tier, industry, region and manager name of the given accounts (of all if None)."""
    if account_ids is None:
        rows: list[dict[str, Any]] = await Account.raw(DIMENSIONS_SQL)
    else:
        rows = []
        for chunk in _id_chunks(account_ids):
            rows += await Account.raw(f"{DIMENSIONS_SQL} WHERE {_in_list('a.id', chunk)}")
    return {int(row["account_id"]): AccountDimensions(**row) for row in rows}


def _contact(row: dict[str, Any]) -> ContactDetails:
    status = row.pop("account_status")
    return ContactDetails(
        **{**row, "survey_opt_in": bool(row["survey_opt_in"])},
        account_active=status == AccountStatus.active.value,
    )


async def contact_details(contact_ids: Collection[int]) -> dict[int, ContactDetails]:
    """Email, name, language and consent of the given contacts, with their account's name."""
    details: dict[int, ContactDetails] = {}
    for chunk in _id_chunks(contact_ids):
        rows = await Contact.raw(f"{CONTACTS_SQL} WHERE {_in_list('c.id', chunk)}")
        details.update((int(row["contact_id"]), _contact(row)) for row in rows)
    return details


async def contact_language(contact_id: int) -> str | None:
    """One contact's language, or None if the contact is gone.

    The survey page asks this on every request: one parameterised statement, which
    PostgreSQL prepares once per connection (an id spelled into the SQL would be a new
    statement each time).
    """
    rows = await Contact.raw("SELECT language FROM contact WHERE id = {}", contact_id)
    return str(rows[0]["language"]) if rows else None


async def account_id_for_code(code: str, managed_by: int | None = None) -> int:
    """The id of the account with this CRM code, or NotFound.

    With ``managed_by``, accounts someone else manages are not found either, so an account
    manager cannot tell them from unknown codes.
    """
    query = Account.select(Account.id).where(Account.code == code)
    if managed_by is not None:
        query = query.where(Account.manager == managed_by)
    row = await query.first()
    if row is None:
        raise NotFound(f"no account with code {code}")
    return int(row["id"])


async def contact_ids_of_account(account_id: int, email: str | None = None) -> list[int]:
    """The account's contacts, or only those with this email (compared in lower case)."""
    query = Contact.select(Contact.id).where(Contact.account == account_id)
    if email is not None:
        query = query.where(WhereRaw("lower(email) = {}", email.strip().lower()))
    return [int(row["id"]) for row in await query.order_by(Contact.id)]


async def account_codes(managed_by: int | None = None) -> list[str]:
    """The codes of the active accounts, or of those in one staff member's portfolio."""
    query = Account.select(Account.code).where(Account.status == AccountStatus.active)
    if managed_by is not None:
        query = query.where(Account.manager == managed_by)
    return [str(row["code"]) for row in await query.order_by(Account.code)]


async def account_ids_managed_by(staff_id: int) -> list[int]:
    """The accounts in a staff member's portfolio."""
    rows = await managed_accounts(staff_id)
    return [int(row["id"]) for row in rows]


def managed_accounts(staff_id: int) -> Select:
    """The ids of a staff member's portfolio as a sub-select, for ``column.is_in(...)``.

    Another domain's query filters by portfolio in the database this way, without naming
    the account table and without thousands of ids passed as parameters.
    """
    return Account.select(Account.id).where(Account.manager == staff_id)


async def portfolio(staff_id: int) -> list[PortfolioAccount]:
    """Every account a staff member manages, most valuable first (revenue of the last 12
    months, then code): one query."""
    rows = await (
        Account.select(
            Account.id, Account.code, Account.name, Account.tier, Account.status,
            Account.trailing_revenue,
        )
        .where(Account.manager == staff_id)
        .order_by(Account.trailing_revenue, ascending=False)
        .order_by(Account.code)
    )  # fmt: skip
    return [
        PortfolioAccount(
            account_id=int(row["id"]),
            code=row["code"],
            name=row["name"],
            tier=row["tier"],
            active=row["status"] == AccountStatus.active.value,
            trailing_revenue=float(row["trailing_revenue"] or 0),
        )
        for row in rows
    ]


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _windows(row: dict[str, Any]) -> PurchaseWindows:
    return PurchaseWindows(
        account_id=int(row["account_id"]),
        # Sums to the cent: SQLite adds NUMERIC amounts as floating point.
        recent_revenue=round(float(row["recent_revenue"] or 0), 2),
        recent_purchases=int(row["recent_purchases"] or 0),
        baseline_revenue=round(float(row["baseline_revenue"] or 0), 2),
        baseline_purchases=int(row["baseline_purchases"] or 0),
        customer_since=_date(row["opened_on"]) or _date(row["first_on"]),
    )


async def purchase_windows(
    account_ids: Collection[int], as_of: dt.date, recent_days: int, baseline_days: int
) -> dict[int, PurchaseWindows]:
    """Purchase figures of the given accounts for two windows ending the day before ``as_of``.

    Recent: the ``recent_days`` before ``as_of``; baseline: the ``baseline_days`` before that.
    One grouped query over the purchases before ``as_of``, whatever the number of accounts:
    up to IDS_PER_QUERY accounts, only theirs (one account's report reads its own purchases
    through the (account, occurred_on) index), beyond that every account's.
    """
    recent_start = as_of - dt.timedelta(days=recent_days)
    baseline_start = recent_start - dt.timedelta(days=baseline_days)
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    few = len(ids) <= IDS_PER_QUERY
    sql = WINDOWS_SQL.replace(
        "[purchases of]", f"AND {_in_list('account', ids)}" if few else ""
    ).replace("[accounts]", f"WHERE {_in_list('a.id', ids)}" if few else "")
    rows = await Account.raw(
        sql,
        *(recent_start, recent_start),
        *(baseline_start, recent_start) * 2,
        as_of,
    )
    wanted = set(account_ids)
    return {int(row["account_id"]): _windows(row) for row in rows if row["account_id"] in wanted}


async def active_accounts_with_revenue(
    managed_by: int | None, start: dt.date, end: dt.date
) -> list[AccountRevenue]:
    """The active accounts a staff member manages (None: every active account), by code, with
    their revenue from ``start`` to ``end``, both included: one query, whatever their number."""
    where = "status = {}"
    arguments: list[Any] = [AccountStatus.active.value]
    if managed_by is not None:
        where += " AND manager = {}"
        arguments.append(managed_by)
    sql = ACTIVE_REVENUE_SQL.replace("{where}", where)
    rows = await Account.raw(sql, start, end, *arguments, *arguments)
    return [
        # Sums to the cent: SQLite adds NUMERIC amounts as floating point.
        AccountRevenue(**{**row, "revenue_12m": round(float(row["revenue_12m"] or 0), 2)})
        for row in rows
    ]
