"""Account use cases: the portfolio list, an account's page, tiers (the only code querying them)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.columns.combination import Where, WhereRaw
from piccolo.query.functions.aggregate import Count, Max, Min

from feedback.accounts.roles import Role
from feedback.accounts.schemas import (
    AccountDetail,
    AccountFilters,
    AccountPage,
    AccountSummary,
    PurchaseSummary,
    YearRevenue,
)
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import (
    Account,
    AccountStatus,
    Contact,
    ContactLog,
    Purchase,
    StaffUser,
    Tier,
)
from feedback.accounts.tiers import assign_tiers, trailing_window
from feedback.config import TierThresholds
from feedback.db import bound, transaction
from feedback.errors import InvalidInput, NotFound

__all__ = [
    "account_detail",
    "distinct_values",
    "list_accounts",
    "recompute_tiers",
    "record_counts",
]

MAX_PAGE = 200


CENT = Decimal("0.01")


def _money(value: object) -> Decimal:
    """A sum of amounts as exact cents (SQLite sums NUMERIC as floating point)."""
    return Decimal(str(value or 0)).quantize(CENT)


def _search(text: str) -> WhereRaw:
    """Case-insensitive substring match on name or code; % and _ are plain characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped.lower()}%"
    return WhereRaw(
        "(LOWER(account.name) LIKE {} ESCAPE '\\' OR LOWER(account.code) LIKE {} ESCAPE '\\')",
        pattern,
        pattern,
    )


def _filter_clauses(filters: AccountFilters, viewer: StaffMember) -> list[Any]:
    clauses: list[Any] = []
    if viewer.role is Role.account_manager:
        clauses.append(Account.manager == viewer.id)
    elif filters.manager_id is not None:
        clauses.append(Account.manager == filters.manager_id)
    if filters.q.strip():
        clauses.append(_search(filters.q.strip()))
    if filters.tier:
        if filters.tier not in Tier.__members__:
            raise InvalidInput(f"unknown tier {filters.tier!r}; choose A, B, C or D")
        clauses.append(Account.tier == filters.tier)
    if filters.status:
        if filters.status not in AccountStatus.__members__:
            raise InvalidInput(f"unknown status {filters.status!r}; choose active or closed")
        clauses.append(Account.status == filters.status)
    if filters.industry:
        clauses.append(Account.industry == filters.industry)
    if filters.region:
        clauses.append(Account.region == filters.region)
    return clauses


async def list_accounts(filters: AccountFilters, viewer: StaffMember) -> AccountPage:
    """One page of accounts ordered by name, continuing after the cursor's account."""
    if not 1 <= filters.limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    clauses = _filter_clauses(filters, viewer)
    if filters.after is not None:
        anchor = await Account.select(Account.name).where(Account.id == filters.after).first()
        if anchor is None:
            raise InvalidInput("the page cursor does not name an account")
        clauses.append(
            (Account.name > anchor["name"])
            | ((Account.name == anchor["name"]) & (Account.id > filters.after))
        )
    query = Account.select(
        Account.id,
        Account.code,
        Account.name,
        Account.industry,
        Account.region,
        Account.tier,
        Account.status,
        Account.manager.name.as_alias("manager"),
        Account.trailing_revenue,
    )
    if clauses:
        query = query.where(*clauses)
    rows = await query.order_by(Account.name, Account.id).limit(filters.limit + 1)
    items = [
        AccountSummary(**{**row, "trailing_revenue": float(row["trailing_revenue"] or 0)})
        for row in rows[: filters.limit]
    ]
    next_cursor = items[-1].id if len(rows) > filters.limit else None
    return AccountPage(items=items, next_cursor=next_cursor)


async def distinct_values(column: str) -> list[str]:
    """Known industries or regions, for filter menus."""
    field = {"industry": Account.industry, "region": Account.region}[column]
    rows = await Account.select(field).distinct().order_by(field)
    return [row[column] for row in rows if row[column]]


async def _purchase_summary(account_id: int, today: dt.date) -> PurchaseSummary:
    totals = (
        await Purchase.select(
            Count(Purchase.id, alias="purchases"),
            Min(Purchase.occurred_on, alias="first_on"),
            Max(Purchase.occurred_on, alias="last_on"),
        )
        .where(Purchase.account == account_id)
        .first()
    ) or {}
    trailing = trailing_window(today)
    prior = trailing_window(trailing[0] - dt.timedelta(days=1))
    by_year: dict[int, list[Decimal]] = defaultdict(list)
    in_window: dict[tuple[dt.date, dt.date], list[Decimal]] = {trailing: [], prior: []}
    revenue = Decimal(0)
    rows = await Purchase.select(Purchase.occurred_on, Purchase.amount).where(
        Purchase.account == account_id
    )
    for row in rows:
        amount, day = _money(row["amount"]), row["occurred_on"]
        by_year[day.year].append(amount)
        revenue += amount
        for (first, last), amounts in in_window.items():
            if first <= day <= last:
                amounts.append(amount)
    return PurchaseSummary(
        purchases=int(totals.get("purchases") or 0),
        revenue=float(revenue),
        first_on=_as_date(totals.get("first_on")),
        last_on=_as_date(totals.get("last_on")),
        trailing_revenue=float(sum(in_window[trailing])),
        trailing_purchases=len(in_window[trailing]),
        prior_revenue=float(sum(in_window[prior])),
        prior_purchases=len(in_window[prior]),
        by_year=[
            YearRevenue(year=year, purchases=len(amounts), revenue=float(sum(amounts)))
            for year, amounts in sorted(by_year.items())
        ],
    )


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


async def account_detail(code: str, viewer: StaffMember, today: dt.date) -> AccountDetail:
    """An account with its contacts and purchase summary, if the viewer may see it."""
    where: Where | Any = Account.code == code
    if viewer.role is Role.account_manager:
        where = where & (Account.manager == viewer.id)
    row = await (
        Account.select(
            *Account.all_columns(exclude=[Account.manager]),
            Account.manager.name.as_alias("manager"),
            Account.manager.email.as_alias("manager_email"),
        )
        .where(where)
        .first()
    )
    if row is None:
        raise NotFound(f"no account with code {code}")
    contacts = (
        await Contact.select(
            Contact.email, Contact.name, Contact.language, Contact.phone, Contact.survey_opt_in
        )
        .where(Contact.account == row["id"])
        .order_by(Contact.email)
    )
    attributes = row["attributes"]
    # The row has every column of the account; the struct keeps what it declares.
    return msgspec.convert(
        {
            **row,
            "attributes": json.loads(attributes) if isinstance(attributes, str) else attributes,
            "contacts": contacts,
            "purchases": await _purchase_summary(row["id"], today),
        },
        AccountDetail,
    )


async def recompute_tiers(today: dt.date, thresholds: TierThresholds) -> dict[str, int]:
    """Rank every account by trailing-12-month revenue and store tier and revenue."""
    start, end = trailing_window(today)
    rows = await Purchase.raw(
        "SELECT account, SUM(amount) AS revenue FROM purchase "
        "WHERE occurred_on >= {} AND occurred_on <= {} GROUP BY account",
        start,
        end,
    )
    revenue = {row["account"]: _money(row["revenue"]) for row in rows}
    tiers = assign_tiers(revenue, thresholds)
    async with transaction():
        await Account.update(
            {Account.tier: Tier.D.value, Account.trailing_revenue: Decimal(0)}, force=True
        )
        await bound().executemany(
            "UPDATE account SET tier = ?, trailing_revenue = ? WHERE id = ?",
            ((tiers[key], revenue[key], key) for key in revenue),
        )
    counts = {tier.value: 0 for tier in Tier}
    for tier in tiers.values():
        counts[tier] += 1
    counts["D"] += await Account.count() - len(tiers)
    return counts


async def record_counts() -> dict[str, int]:
    """How many staff users, accounts, contacts, purchases and contact log entries are
    stored."""
    return {
        "staff": await StaffUser.count(),
        "accounts": await Account.count(),
        "contacts": await Contact.count(),
        "purchases": await Purchase.count(),
        "contact_log": await ContactLog.count(),
    }
