"""Reads of the score history for pages and the API, scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query import Count, Select

from feedback.accounts.directory import (
    AccountDimensions,
    account_dimensions,
    account_id_for_code,
    managed_accounts,
)
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.errors import InvalidInput
from feedback.languages import DEFAULT_LANGUAGE, known_language
from feedback.scoring.bands import Band
from feedback.scoring.reason_codes import ReasonCode
from feedback.scoring.reason_wording import reason_text
from feedback.scoring.schemas import (
    AccountScore,
    ScoreHistory,
    ScorePage,
    ScorePoint,
    ScoreReason,
)
from feedback.scoring.tables import ScoringScore

__all__ = [
    "MAX_PAGE",
    "PAGE_SIZE",
    "RISK_READERS",
    "PageQueries",
    "account_history",
    "drifting",
    "latest_day",
    "page_queries",
    "recent_scores",
]

MAX_PAGE = 500
PAGE_SIZE = 50
# Churn risk is account managers' work (their own portfolio), watched by supervisors and
# admins; agents work complaints and do not need it.
RISK_READERS = frozenset({Role.account_manager, Role.supervisor, Role.admin})
PAGE_COLUMNS = (
    ScoringScore.id, ScoringScore.account, ScoringScore.as_of, ScoringScore.probability,
    ScoringScore.band, ScoringScore.previous_probability, ScoringScore.revenue_12m,
    ScoringScore.risk_value, ScoringScore.reasons,
)  # fmt: skip


def _reasons(value: Any, language: str) -> list[ScoreReason]:
    """The stored codes and figures, worded in ``language``."""
    loaded = json.loads(value) if isinstance(value, str) else value
    return [
        ScoreReason(
            r["group"],
            float(r["weight"]),
            reason_text(ReasonCode(r["code"]), r["figures"], language),
            r["code"],
            r["figures"],
        )
        for r in loaded or []
    ]


def _scope(user: StaffMember, day: dt.date) -> list[Any]:
    """The day's scores; account managers see their own accounts, the others all."""
    clauses: list[Any] = [ScoringScore.as_of == day]
    if user.role == Role.account_manager:
        clauses.append(ScoringScore.account.is_in(managed_accounts(user.id)))
    return clauses


def _account_score(row: dict[str, Any], about: AccountDimensions, language: str) -> AccountScore:
    previous = row["previous_probability"]
    return AccountScore(
        code=about.code,
        name=about.name,
        tier=about.tier,
        manager=about.manager,
        as_of=row["as_of"],
        probability=float(row["probability"]),
        band=row["band"],
        previous_probability=None if previous is None else float(previous),
        revenue_12m=float(row["revenue_12m"]),
        risk_value=float(row["risk_value"]),
        reasons=_reasons(row["reasons"], language),
    )


async def latest_day() -> dt.date | None:
    latest = (
        await ScoringScore.select(ScoringScore.as_of)
        .order_by(ScoringScore.as_of, ascending=False)
        .first()
    )
    return None if latest is None else latest["as_of"]


async def _after(cursor: int, day: dt.date) -> WhereRaw:
    """Rows after the cursor's in (risk_value, id) descending order: the next page."""
    anchor = await (
        ScoringScore.select(ScoringScore.risk_value)
        .where(ScoringScore.id == cursor, ScoringScore.as_of == day)
        .first()
    )
    if anchor is None:
        raise InvalidInput("the page cursor does not name a score of the latest scored day")
    return WhereRaw("(risk_value, id) < ({}, {})", anchor["risk_value"], cursor)


def _check(band: str, limit: int) -> None:
    if band and band not in {b.value for b in Band}:
        raise InvalidInput(f"unknown band {band!r}: one of {', '.join(b.value for b in Band)}")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")


@dataclass(frozen=True)
class PageQueries:
    """The reads of one page of a scored day."""

    accounts: Select  # by value at risk, one row more than the page (is there a next page?)
    risers: Select  # those that rose a band, most likely to leave first
    risers_count: Count


async def page_queries(
    user: StaffMember, day: dt.date, band: str, limit: int, after: int | None
) -> PageQueries:
    """Each walks one index of the day's rows in order: (as_of, risk_value, id), the same with
    band, or (as_of, rose, probability, id); no sort of the day."""
    _check(band, limit)
    scope = _scope(user, day)
    clauses = [*scope, *([ScoringScore.band == band] if band else [])]
    if after is not None:
        clauses.append(await _after(after, day))
    rose = [*scope, ScoringScore.rose.eq(True)]
    return PageQueries(
        ScoringScore.select(*PAGE_COLUMNS)
        .where(*clauses)
        .order_by(ScoringScore.risk_value, ScoringScore.id, ascending=False)
        .limit(limit + 1),
        ScoringScore.select(*PAGE_COLUMNS)
        .where(*rose)
        .order_by(ScoringScore.probability, ScoringScore.id, ascending=False)
        .limit(limit),
        ScoringScore.count().where(*rose),
    )


async def drifting(
    user: StaffMember,
    band: str = "",
    limit: int = PAGE_SIZE,
    after: int | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> ScorePage:
    """The latest scored day's accounts by probability x 12-month revenue, highest first.

    Pages by key: ``after`` is the previous page's ``next_cursor``. The accounts that rose
    into a higher band come most likely to leave first, at most ``limit`` of them. Reasons
    are worded in ``language``.
    """
    _check(band, limit)
    known_language(language)
    day = await latest_day()
    if day is None:
        return ScorePage(None, [], [], 0, None)
    queries = await page_queries(user, day, band, limit, after)
    rows = await queries.accounts
    risers = await queries.risers
    shown = rows[:limit]
    about = await account_dimensions({int(r["account"]) for r in shown + risers})
    return ScorePage(
        day,
        [_account_score(r, about[int(r["account"])], language) for r in shown],
        [_account_score(r, about[int(r["account"])], language) for r in risers],
        await queries.risers_count,
        int(shown[-1]["id"]) if len(rows) > limit else None,
    )


def _point(row: dict[str, Any], language: str) -> ScorePoint:
    return ScorePoint(
        row["as_of"],
        float(row["probability"]),
        row["band"],
        int(row["model_version"]),
        _reasons(row["reasons"], language),
    )


async def account_history(
    code: str, user: StaffMember, language: str = DEFAULT_LANGUAGE
) -> ScoreHistory:
    """Every score of one account, oldest first, its reasons worded in ``language``;
    NotFound outside a manager's portfolio."""
    known_language(language)
    managed_by = user.id if user.role == Role.account_manager else None
    account = await account_id_for_code(code, managed_by)
    rows = await (
        ScoringScore.select().where(ScoringScore.account == account).order_by(ScoringScore.as_of)
    )
    return ScoreHistory(code, [_point(r, language) for r in rows])


async def recent_scores(
    account_id: int, count: int, language: str = DEFAULT_LANGUAGE
) -> list[ScorePoint]:
    """The account's latest ``count`` scores, oldest first (the caller has checked access),
    reasons worded in ``language``."""
    rows = await (
        ScoringScore.select()
        .where(ScoringScore.account == account_id)
        .order_by(ScoringScore.as_of, ascending=False)
        .limit(count)
    )
    return [_point(r, language) for r in reversed(rows)]
