"""The portfolio report's data: an account manager's active accounts, or the whole company's,
assembled from the services the pages and the API use, then each account's own report.

The summary and the lists cost a fixed number of queries whatever the portfolio's size: the
accounts with their revenue (one), the latest scored day's scores by value at risk (the
drifting list's queries, for each page of 500 accounts: one page up to 500), the latest
closed wave's figures and movements (the wave results' queries), the open complaints
(three) and the contact days (two). Each account's section is its account report, one
account after another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from feedback.accounts.contact_log import contact_days, standard_out, standards_of
from feedback.accounts.directory import AccountRevenue, active_accounts_with_revenue
from feedback.accounts.roles import Role
from feedback.accounts.schemas import ContactStandardOut
from feedback.accounts.staff import StaffMember, find_member, find_user
from feedback.accounts.standards import StandardState
from feedback.accounts.tiers import TIER_NAMES, trailing_window
from feedback.complaints.deadlines import Urgency
from feedback.complaints.queue import open_complaints_of_portfolio
from feedback.complaints.schemas import QueueRow
from feedback.config import ContactStandards
from feedback.errors import InvalidInput, NotFound
from feedback.languages import DEFAULT_LANGUAGE, known_language
from feedback.reports.account import AccountReport, account_report
from feedback.scoring.bands import Band
from feedback.scoring.risk import MAX_PAGE, drifting
from feedback.scoring.schemas import AccountScore
from feedback.surveys.levels import LevelFigures, Movement
from feedback.surveys.results import (
    AccountMovement,
    figures_of_accounts,
    latest_closed_period,
    wave_results,
)
from feedback.web.logs import security_log

__all__ = [
    "MOST_LISTED",
    "MOST_SECTIONS",
    "AtRisk",
    "Listing",
    "OverdueContact",
    "PortfolioChoice",
    "PortfolioReport",
    "PortfolioWave",
    "RankedAccount",
    "TierFigures",
    "UnknownManager",
    "manager_by_email",
    "portfolio_codes",
    "portfolio_manager",
    "portfolio_report",
]

# A list of the report names at most this many accounts (or complaints): a manager's whole
# portfolio; the company's most valuable. The summary counts them all.
MOST_LISTED = 500
# Each account's section is its report (two or three pages): a few hundred pages at most.
MOST_SECTIONS = 200
AT_RISK = (Band.high.value, Band.critical.value)

T = TypeVar("T")


class UnknownManager(NotFound):
    """The portfolio asked for is no account manager's: 404 on the web; for the command, a
    wrong argument (exit status 2), as a wrong option is."""

    exit_code = 2


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first ``MOST_LISTED`` of a list, and how many it has in all."""

    items: list[T]
    total: int

    @classmethod
    def of(cls, items: Sequence[T]) -> Listing[T]:
        return cls(list(items[:MOST_LISTED]), len(items))


@dataclass(frozen=True)
class RankedAccount:
    """An account and its latest score (None: not scored on the latest scored day)."""

    account: AccountRevenue
    score: AccountScore | None


@dataclass(frozen=True)
class TierFigures:
    """How many of the accounts are in a tier, and their revenue of the last 12 months."""

    tier: str
    accounts: int
    revenue_12m: float


@dataclass(frozen=True)
class AtRisk:
    """The accounts in the high or critical band, and the sum of their values at risk."""

    accounts: int
    value: float


@dataclass(frozen=True)
class PortfolioWave:
    """The latest closed wave for these accounts: the headline figures of their answers, and
    those that dropped a level or stayed silent, as the wave's results count them."""

    period: str
    figures: LevelFigures
    dropped: Listing[AccountMovement]
    silent: Listing[AccountMovement]


@dataclass(frozen=True)
class OverdueContact:
    """An account whose tier's contact standard is overdue this period."""

    account: AccountRevenue
    standard: ContactStandardOut


@dataclass(frozen=True)
class PortfolioReport:
    """A portfolio as of ``prepared_on``: ``manager`` is its account manager's name (None: the
    whole company's active accounts).

    ``ranked`` holds the accounts by value at risk (probability of churn x revenue of the 12
    months to ``scored_on``, as /drifting sorts them), the unscored ones last by revenue;
    ``sections`` the account reports printed after the lists, ``sections_left_out`` how many
    accounts have none (beyond ``MOST_SECTIONS``, when no accounts were chosen);
    ``sections_apart``: the account reports come as files of their own, in a report set.
    """

    language: str
    prepared_on: dt.date
    manager: str | None
    accounts: int
    revenue_12m: float
    tiers: list[TierFigures]
    scored_on: dt.date | None
    at_risk: AtRisk
    ranked: Listing[RankedAccount]
    wave: PortfolioWave | None
    complaints: Listing[QueueRow]
    complaints_overdue: int
    overdue_contacts: Listing[OverdueContact]
    sections: list[AccountReport]
    sections_left_out: int
    sections_apart: bool = False


async def portfolio_manager(viewer: StaffMember, manager: str) -> StaffMember | None:
    """The account manager whose portfolio ``viewer`` asks for with ``manager`` (an id, "all",
    or "" for the viewer's own); None: the whole company.

    An account manager prints their own portfolio only: any other is not found, as another
    manager's account is. Supervisors and admins print any manager's, or the whole company's
    (the default).
    """
    if viewer.role is Role.account_manager:
        if manager in ("", str(viewer.id)):
            return viewer
        raise UnknownManager(f"an account manager prints their own portfolio, not {manager!r}")
    if manager in ("", "all"):
        return None
    if not manager.isdecimal():
        raise InvalidInput(f"manager= takes an account manager's id or all, not {manager!r}")
    try:
        member = await find_member(int(manager))
    except NotFound:
        member = None
    if member is None or member.role is not Role.account_manager:
        raise UnknownManager(f"no account manager with id {manager}")
    return member


async def manager_by_email(email: str) -> StaffMember:
    """The account manager with this email (active or not: a deactivated manager's accounts
    may still be theirs), or UnknownManager."""
    try:
        member = await find_user(email)
    except NotFound:
        member = None
    if member is None or member.role is not Role.account_manager:
        raise UnknownManager(f"no account manager with email {email}")
    return member


def portfolio_codes(text: str) -> tuple[str, ...]:
    """The account codes of ``accounts=A-1,B-2`` (or ``--accounts``), in order, each once."""
    codes = (code.strip() for code in text.split(","))
    return tuple(dict.fromkeys(code for code in codes if code))


def _revenue(accounts: Sequence[AccountRevenue]) -> float:
    return round(sum(account.revenue_12m for account in accounts), 2)


def _tier(tier: str, accounts: list[AccountRevenue]) -> TierFigures:
    held = [account for account in accounts if account.tier == tier]
    return TierFigures(tier, len(held), _revenue(held))


async def _scores(reader: StaffMember) -> tuple[dt.date | None, list[AccountScore]]:
    """The latest scored day's scores the reader sees, by value at risk, highest first."""
    page = await drifting(reader, limit=MAX_PAGE)
    scores = list(page.items)
    while page.next_cursor is not None:
        page = await drifting(reader, limit=MAX_PAGE, after=page.next_cursor)
        scores += page.items
    return page.as_of, scores


def _ranked(accounts: list[AccountRevenue], scores: list[AccountScore]) -> list[RankedAccount]:
    by_code = {account.code: account for account in accounts}
    scored = [RankedAccount(by_code[s.code], s) for s in scores if s.code in by_code]
    seen = {ranked.account.code for ranked in scored}
    unscored = sorted(
        (account for account in accounts if account.code not in seen),
        key=lambda account: (-account.revenue_12m, account.code),
    )
    return scored + [RankedAccount(account, None) for account in unscored]


def _by_value(
    movements: list[AccountMovement], kind: Movement, revenue: dict[str, float]
) -> Listing[AccountMovement]:
    chosen = [m for m in movements if m.movement is kind and m.code in revenue]
    return Listing.of(sorted(chosen, key=lambda m: (-revenue[m.code], m.code)))


async def _wave(accounts: list[AccountRevenue]) -> PortfolioWave | None:
    period = await latest_closed_period()
    if period is None:
        return None
    revenue = {account.code: account.revenue_12m for account in accounts}
    figures = await figures_of_accounts(period, [account.account_id for account in accounts])
    movements = (await wave_results(period)).accounts
    return PortfolioWave(
        period,
        figures,
        _by_value(movements, Movement.down, revenue),
        _by_value(movements, Movement.silent, revenue),
    )


async def _overdue_contacts(
    accounts: list[AccountRevenue], standards: ContactStandards, today: dt.date
) -> list[OverdueContact]:
    days = await contact_days([account.account_id for account in accounts], today)
    tiers = {account.account_id: account.tier for account in accounts}
    judged = standards_of(tiers, days, standards, today)
    overdue = [
        OverdueContact(account, standard_out(judged[account.account_id]))
        for account in accounts
        if judged[account.account_id].state is StandardState.overdue
    ]
    return sorted(overdue, key=lambda item: (-item.account.revenue_12m, item.account.code))


def _section_codes(ranked: list[RankedAccount], choice: PortfolioChoice) -> list[str]:
    """The accounts to print in full: those chosen, in their order, or every account by value
    at risk (at most MOST_SECTIONS); none when their reports come apart."""
    chosen = choice.accounts
    if choice.sections_apart:
        return []
    if not chosen:
        return [item.account.code for item in ranked[:MOST_SECTIONS]]
    if len(chosen) > MOST_SECTIONS:
        raise InvalidInput(
            f"{len(chosen)} accounts chosen; a portfolio report prints at most {MOST_SECTIONS}"
        )
    held = {item.account.code for item in ranked}
    for code in chosen:
        if code not in held:
            raise NotFound(f"no active account with code {code} in this portfolio")
    return list(chosen)


def _at_risk(ranked: list[RankedAccount]) -> AtRisk:
    scores = [item.score for item in ranked if item.score and item.score.band in AT_RISK]
    return AtRisk(len(scores), sum(score.risk_value for score in scores))


async def _open_complaints(
    managed_by: int | None, accounts: list[AccountRevenue], now: dt.datetime
) -> list[QueueRow]:
    """The open complaints of these accounts (the portfolio's closed accounts left out)."""
    codes = {account.code for account in accounts}
    held = await open_complaints_of_portfolio(managed_by, now)
    return [complaint for complaint in held if complaint.account_code in codes]


@dataclass(frozen=True)
class PortfolioChoice:
    """Which portfolio to print: ``manager``'s (None: the whole company's, which account
    managers may not print), in ``language`` (empty: English), with the reports of the
    ``accounts`` codes in full (none: every account's, at most MOST_SECTIONS), or with the
    summary and the lists only when ``sections_apart`` (a report set, where each account's
    report is a file of its own)."""

    manager: StaffMember | None
    language: str = ""
    accounts: tuple[str, ...] = ()
    sections_apart: bool = False


async def portfolio_report(
    viewer: StaffMember, choice: PortfolioChoice, now: dt.datetime, standards: ContactStandards
) -> PortfolioReport:
    """The portfolio ``choice`` names as ``viewer`` prints it, contact standards judged by
    ``standards``; the export is logged."""
    manager = choice.manager
    if manager is None and viewer.role is Role.account_manager:
        raise UnknownManager("an account manager prints their own portfolio only")
    language = known_language(choice.language) if choice.language else DEFAULT_LANGUAGE
    managed_by = manager.id if manager else None
    accounts = await active_accounts_with_revenue(managed_by, *trailing_window(now.date()))
    # The scores are read as the manager would read them, or as the viewer (every account).
    scored_on, scores = await _scores(manager or viewer)
    ranked = _ranked(accounts, scores)
    codes = _section_codes(ranked, choice)
    complaints = await _open_complaints(managed_by, accounts, now)
    report = PortfolioReport(
        language=language,
        prepared_on=now.date(),
        manager=manager.name if manager else None,
        accounts=len(accounts),
        revenue_12m=_revenue(accounts),
        tiers=[_tier(tier, accounts) for tier in TIER_NAMES],
        scored_on=scored_on,
        at_risk=_at_risk(ranked),
        ranked=Listing.of(ranked),
        wave=await _wave(accounts),
        complaints=Listing.of(complaints),
        complaints_overdue=sum(c.urgency == Urgency.overdue.value for c in complaints),
        overdue_contacts=Listing.of(await _overdue_contacts(accounts, standards, now.date())),
        # Read as the viewer (the codes are the portfolio's), so each export is logged as theirs.
        sections=[await account_report(code, viewer, now, standards, language) for code in codes],
        sections_left_out=0 if choice.accounts or not codes else len(ranked) - len(codes),
        sections_apart=choice.sections_apart,
    )
    security_log.info(
        "report: %s (%s) exported the portfolio of %s: %d accounts, %d in full",
        viewer.email, viewer.role.value, manager.email if manager else "the whole company",
        len(accounts), len(codes),
    )  # fmt: skip
    return report
