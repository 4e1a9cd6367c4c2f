"""Reads of the score history for pages and the API, scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from feedback.accounts.directory import (
    AccountDimensions,
    account_dimensions,
    account_id_for_code,
    account_ids_managed_by,
)
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.errors import InvalidInput
from feedback.scoring.bands import Band, rose
from feedback.scoring.schemas import (
    AccountScore,
    ScoreHistory,
    ScorePage,
    ScorePoint,
    ScoreReason,
)
from feedback.scoring.scores import previous_probabilities
from feedback.scoring.tables import ScoringScore

__all__ = ["MAX_PAGE", "account_history", "drifting"]

MAX_PAGE = 500


def _reasons(value: Any) -> list[ScoreReason]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return [ScoreReason(r["group"], float(r["weight"]), r["text"]) for r in loaded or []]


async def _portfolio(user: StaffMember) -> list[int] | None:
    """Account managers see their own accounts; everyone else allowed here sees all."""
    if user.role == Role.account_manager:
        return await account_ids_managed_by(user.id)
    return None


def _account_score(
    row: dict[str, Any], about: AccountDimensions, previous: dict[int, float]
) -> AccountScore:
    return AccountScore(
        code=about.code,
        name=about.name,
        tier=about.tier,
        manager=about.manager,
        as_of=row["as_of"],
        probability=float(row["probability"]),
        band=row["band"],
        previous_probability=previous.get(int(row["account"])),
        revenue_12m=float(row["revenue_12m"]),
        risk_value=float(row["probability"]) * float(row["revenue_12m"]),
        reasons=_reasons(row["reasons"]),
    )


async def _day_rows(day: dt.date, accounts: list[int] | None) -> list[dict[str, Any]]:
    query = ScoringScore.select().where(ScoringScore.as_of == day)
    if accounts is not None:
        query = query.where(ScoringScore.account.is_in(accounts or [0]))
    rows: list[dict[str, Any]] = await query
    return rows


async def drifting(user: StaffMember, band: str = "", limit: int = 50) -> ScorePage:
    """The latest scored day's accounts by probability x 12-month revenue, highest first."""
    if band and band not in {b.value for b in Band}:
        raise InvalidInput(f"unknown band {band!r}: one of {', '.join(b.value for b in Band)}")
    latest = (
        await ScoringScore.select(ScoringScore.as_of)
        .order_by(ScoringScore.as_of, ascending=False)
        .first()
    )
    if latest is None:
        return ScorePage(None, [], [])
    day = latest["as_of"]
    rows = await _day_rows(day, await _portfolio(user))
    previous = await previous_probabilities(day)
    before = np.array([previous.get(int(r["account"]), np.nan) for r in rows])
    risen = rose(before, np.array([float(r["probability"]) for r in rows]))
    shown = [r for r in rows if not band or r["band"] == band]
    shown.sort(key=lambda r: (-float(r["probability"]) * float(r["revenue_12m"]), r["account"]))
    shown = shown[: min(limit, MAX_PAGE)]
    alerts = [r for r, up in zip(rows, risen.tolist(), strict=True) if up]
    alerts.sort(key=lambda r: -float(r["probability"]))
    about = await account_dimensions({int(r["account"]) for r in shown + alerts})
    return ScorePage(
        day,
        [_account_score(r, about[int(r["account"])], previous) for r in shown],
        [_account_score(r, about[int(r["account"])], previous) for r in alerts],
    )


async def account_history(code: str, user: StaffMember) -> ScoreHistory:
    """Every score of one account, oldest first; NotFound outside a manager's portfolio."""
    managed_by = user.id if user.role == Role.account_manager else None
    account = await account_id_for_code(code, managed_by)
    rows = await (
        ScoringScore.select().where(ScoringScore.account == account).order_by(ScoringScore.as_of)
    )
    return ScoreHistory(
        code,
        [
            ScorePoint(
                r["as_of"],
                float(r["probability"]),
                r["band"],
                int(r["model_version"]),
                _reasons(r["reasons"]),
            )
            for r in rows
        ],
    )
