"""Churn as it happened: of the accounts active at the start of a window, those that churned
in it, by tier and by industry (DOMAIN.md: churn rates differ strongly by both).

Churn is the labels' rule (closed, or no purchase after having bought), over the records
scoring reads: a fixed number of queries whatever the number of accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.accounts.directory import account_dimensions
from feedback.scoring.labels import DEFAULT_HORIZON_DAYS, ChurnRule, churn_labels
from feedback.scoring.records import day_number
from feedback.scoring.services import load_records

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
    records = await load_records(until)
    start = day_number(since)
    active = records.active_at(start)
    churned = churn_labels(records, start, ChurnRule(horizon_days=days))[active]
    dimensions = await account_dimensions()
    tiers = np.array(
        [dimensions[int(a)].tier if int(a) in dimensions else "" for a in records.account_ids],
        dtype=np.str_,
    )
    overall = ChurnGroup("all", int(active.sum()), int(churned.sum()))
    return ChurnFigures(
        since,
        until,
        overall,
        _groups(tiers[active], churned),
        _groups(records.industry[active], churned),
    )
