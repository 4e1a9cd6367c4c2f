"""Churn as it happened: of the accounts active at the start of a window, those that churned
in it, by tier and by industry (DOMAIN.md: churn rates differ strongly by both).

Churn is the labels' rule (closed, or no purchase after having bought), on the accounts and
purchases scoring reads: a fixed number of queries whatever the number of accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.accounts.directory import account_dimensions
from feedback.accounts.history import account_columns, purchase_columns
from feedback.scoring.labels import DEFAULT_HORIZON_DAYS, ChurnRule, churned
from feedback.scoring.records import active_at, day_number, purchase_days

__all__ = ["ChurnFigures", "ChurnGroup", "churn_until"]


@dataclass(frozen=True)
class ChurnGroup:
    """Of ``active`` accounts of a group at the window's start, ``churned`` churned in it."""

    group: str
    active: int
    churned: int

    @property
    def rate(self) -> float | None:
        return self.churned / self.active if self.active else None


@dataclass(frozen=True)
class ChurnFigures:
    """Churn in ``(since, until]``, overall, by tier (as it stands now) and by industry."""

    since: dt.date
    until: dt.date
    overall: ChurnGroup
    by_tier: list[ChurnGroup]
    by_industry: list[ChurnGroup]


def _groups(labels: npt.NDArray[np.str_], churned: npt.NDArray[np.bool_]) -> list[ChurnGroup]:
    groups, index = np.unique(labels, return_inverse=True)
    active = np.bincount(index, minlength=len(groups))
    lost = np.bincount(index, weights=churned, minlength=len(groups)).round().astype(np.int64)
    return [ChurnGroup(str(group), int(active[n]), int(lost[n])) for n, group in enumerate(groups)]


async def churn_until(until: dt.date, days: int = DEFAULT_HORIZON_DAYS) -> ChurnFigures:
    """Churn in the ``days`` (by default the inactivity period) up to ``until``."""
    since = until - dt.timedelta(days=days)
    accounts = await account_columns()
    bought = await purchase_columns(until)
    positions = np.searchsorted(accounts.ids, bought.account_ids)
    purchases = purchase_days(positions, bought.days, bought.amounts)
    start = day_number(since)
    active = active_at(accounts.opened, accounts.closed, start)
    lost = churned(accounts.closed, purchases, start, ChurnRule(horizon_days=days))[active]
    dimensions = await account_dimensions()
    tiers = np.array(
        [dimensions[int(a)].tier if int(a) in dimensions else "" for a in accounts.ids],
        dtype=np.str_,
    )
    return ChurnFigures(
        since,
        until,
        ChurnGroup("all", int(active.sum()), int(lost.sum())),
        _groups(tiers[active], lost),
        _groups(accounts.industry[active], lost),
    )
