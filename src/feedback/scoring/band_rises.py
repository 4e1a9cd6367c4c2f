"""Which of a manager's accounts rose a risk band over some days: the latest scored day
against the latest scored day at least that many days before it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from feedback.accounts.directory import managed_accounts
from feedback.scoring.bands import rose
from feedback.scoring.risk import latest_day
from feedback.scoring.tables import ScoringScore

__all__ = ["BandRise", "BandRises", "rises_since"]

COLUMNS = (
    ScoringScore.account, ScoringScore.probability, ScoringScore.band, ScoringScore.revenue_12m,
    ScoringScore.risk_value,
)  # fmt: skip


@dataclass(frozen=True)
class BandRise:
    """An account whose band on ``as_of`` is higher than on ``earlier_on``."""

    account_id: int
    as_of: dt.date
    probability: float
    band: str
    revenue_12m: float
    risk_value: float
    earlier_on: dt.date
    earlier_probability: float
    earlier_band: str


@dataclass(frozen=True)
class BandRises:
    """The latest scored day (None: no scores), the day it is compared with (None: none
    scored early enough) and the accounts that rose, by value at risk, highest first."""

    as_of: dt.date | None
    compared_with: dt.date | None
    rises: list[BandRise]


async def _day_on_or_before(day: dt.date) -> dt.date | None:
    row = await (
        ScoringScore.select(ScoringScore.as_of)
        .where(ScoringScore.as_of <= day)
        .order_by(ScoringScore.as_of, ascending=False)
        .first()
    )
    return None if row is None else row["as_of"]


async def _portfolio_scores(manager_id: int, day: dt.date) -> list[dict[str, Any]]:
    """The day's scores of the manager's accounts, by value at risk: the (as_of, risk_value,
    id, account) index walked for one day."""
    return await (
        ScoringScore.select(*COLUMNS)
        .where(ScoringScore.as_of == day, ScoringScore.account.is_in(managed_accounts(manager_id)))
        .order_by(ScoringScore.risk_value, ScoringScore.id, ascending=False)
    )


async def rises_since(manager_id: int, days: int) -> BandRises:
    """The accounts a staff member manages whose band on the latest scored day is higher than
    on the latest scored day at least ``days`` before it. Four indexed queries, whatever the
    size of the portfolio; an account not scored on both days is not compared."""
    latest = await latest_day()
    if latest is None:
        return BandRises(None, None, [])
    earlier = await _day_on_or_before(latest - dt.timedelta(days=days))
    if earlier is None:
        return BandRises(latest, None, [])
    now = await _portfolio_scores(manager_id, latest)
    then = {int(row["account"]): row for row in await _portfolio_scores(manager_id, earlier)}
    before = [then.get(int(row["account"])) for row in now]
    previous = np.array([np.nan if b is None else float(b["probability"]) for b in before])
    current = np.array([float(row["probability"]) for row in now])
    risen = rose(previous, current)
    return BandRises(
        latest,
        earlier,
        [
            BandRise(
                int(row["account"]), latest, float(row["probability"]), row["band"],
                float(row["revenue_12m"]), float(row["risk_value"]), earlier,
                float(b["probability"]), b["band"],
            )
            for row, b, up in zip(now, before, risen, strict=True)
            if up and b is not None
        ],
    )  # fmt: skip
