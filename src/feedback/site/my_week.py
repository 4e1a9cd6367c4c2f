"""A manager's week: what their portfolio asks of them now, read from every domain.

Each part costs a bounded number of queries for the whole portfolio, never one per account:
the portfolio (one), its contact days (two), its open complaints (the queue: four), the
answers of the last 7 days with the levels they are compared with (one, then one per wave
answered in) and the scores of the latest scored day and of the one a week before (four).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from feedback.accounts.contact_log import contact_days, standard_out, standards_of
from feedback.accounts.directory import PortfolioAccount, portfolio
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, portfolio_holders
from feedback.accounts.standards import AccountStandard, StandardState
from feedback.complaints.queue import MAX_PAGE, list_queue
from feedback.complaints.schemas import QueueFilters, QueueRow
from feedback.config import ContactStandards
from feedback.errors import AccessDenied, NotFound
from feedback.scoring.band_rises import rises_since
from feedback.site.schemas import (
    ContactDueOut,
    LevelDropOut,
    ManagerOut,
    MyWeek,
    RiskRiseOut,
    WeekAccount,
)
from feedback.surveys.history import drops_since
from feedback.web.logs import security_log

__all__ = ["WEEK", "ShownWeek", "WeekChoice", "my_week", "shown_week", "whose_week"]

# "Since last week": answers recorded from 7 days before now, bands against 7 days before.
WEEK = dt.timedelta(days=7)
Listed = TypeVar("Listed", LevelDropOut, RiskRiseOut)


@dataclass(frozen=True)
class WeekChoice:
    """Whose week the viewer reads (None: they hold no portfolio and chose nobody) and whom
    they may choose from (supervisors and admins: everyone holding a portfolio)."""

    holder: StaffMember | None
    choices: list[StaffMember]


async def whose_week(viewer: StaffMember, manager: int | None) -> WeekChoice:
    """Account managers read their own week only; supervisors and admins any portfolio
    holder's, by default their own if they hold one."""
    if viewer.role is Role.account_manager:
        if manager is not None and manager != viewer.id:
            security_log.warning(
                "denied: %s (%s) -> the week of staff user %s",
                viewer.email, viewer.role.value, manager,
            )  # fmt: skip
            raise AccessDenied("account managers read their own week only")
        return WeekChoice(viewer, [])
    holders = await portfolio_holders()
    wanted = viewer.id if manager is None else manager
    holder = next((member for member in holders if member.id == wanted), None)
    if holder is None and manager is not None:
        raise NotFound(f"no account manager with id {manager}")
    return WeekChoice(holder, holders)


def _named(account: PortfolioAccount) -> dict[str, Any]:
    """The fields that name the account in each list (WeekAccount's)."""
    named = WeekAccount(account.code, account.name, account.tier, account.trailing_revenue)
    return msgspec.structs.asdict(named)


def _contact_due(account: PortfolioAccount, standard: AccountStandard) -> ContactDueOut:
    shown = standard_out(standard)
    return ContactDueOut(
        **_named(account),
        state=shown.state,
        last_visit=shown.last_visit,
        last_call=shown.last_call,
        missing=[r for r in shown.requirements if r.state != StandardState.met.value],
    )


async def _contacts(
    accounts: Sequence[PortfolioAccount], standards: ContactStandards, today: dt.date
) -> dict[StandardState, list[ContactDueOut]]:
    """The active accounts whose standard is overdue, and those where it is due, in the
    portfolio's order (most valuable first)."""
    active = [account for account in accounts if account.active]
    days = await contact_days([account.account_id for account in active], today)
    found = standards_of({a.account_id: a.tier for a in active}, days, standards, today)
    listed: dict[StandardState, list[ContactDueOut]] = {
        StandardState.overdue: [],
        StandardState.due: [],
    }
    for account in active:
        standard = found[account.account_id]
        if standard.state in listed:
            listed[standard.state].append(_contact_due(account, standard))
    return listed


async def _complaints(holder: StaffMember, now: dt.datetime) -> tuple[list[QueueRow], bool]:
    """The portfolio's open complaints, soonest deadline first, as the queue shows them to
    its manager (a supervisor or admin holding accounts is read as their manager too)."""
    as_manager = dataclasses.replace(holder, role=Role.account_manager)
    page = await list_queue(QueueFilters(limit=MAX_PAGE), as_manager, now)
    return page.items, page.next_cursor is not None


def _listed(cls: type[Listed], accounts: dict[int, PortfolioAccount], record: Any) -> Listed:
    """``cls`` of a drop or a rise: the account's names and the record's fields ``cls`` has."""
    names = [name for name in cls.__struct_fields__ if hasattr(record, name)]
    fields = {name: getattr(record, name) for name in names}
    return cls(**fields, **_named(accounts[record.account_id]))


async def my_week(holder: StaffMember, now: dt.datetime, standards: ContactStandards) -> MyWeek:
    """The week of the portfolio ``holder`` manages, on ``now``."""
    accounts = await portfolio(holder.id)
    by_id = {account.account_id: account for account in accounts}
    contacts = await _contacts(accounts, standards, now.date())
    complaints, more = await _complaints(holder, now)
    drops = await drops_since(holder.id, now - WEEK, now)
    dropped = [_listed(LevelDropOut, by_id, drop) for drop in drops if drop.account_id in by_id]
    rises = await rises_since(holder.id, WEEK.days)
    return MyWeek(
        manager=ManagerOut(holder.id, holder.name, holder.email),
        today=now.date(),
        accounts=len(accounts),
        overdue_contacts=contacts[StandardState.overdue],
        due_contacts=contacts[StandardState.due],
        open_complaints=complaints,
        more_complaints=more,
        answers_since=now - WEEK,
        dropped=sorted(dropped, key=lambda drop: -drop.trailing_revenue),
        scored_on=rises.as_of,
        compared_with=rises.compared_with,
        rose=[_listed(RiskRiseOut, by_id, r) for r in rises.rises if r.account_id in by_id],
    )


@dataclass(frozen=True)
class ShownWeek:
    """What the page and the API show: whose week, whom else one may choose, and the week
    (None when the viewer holds no portfolio and chose nobody)."""

    choice: WeekChoice
    week: MyWeek | None


async def shown_week(
    viewer: StaffMember, manager: int | None, now: dt.datetime, standards: ContactStandards
) -> ShownWeek:
    """The week ``viewer`` asked for with ``manager`` (None: their own)."""
    choice = await whose_week(viewer, manager)
    holder = choice.holder
    return ShownWeek(choice, None if holder is None else await my_week(holder, now, standards))
