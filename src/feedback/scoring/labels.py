"""The churn label: did an account active at a date churn within the horizon after it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.scoring.records import CustomerRecords, IntArray, PurchaseDays

__all__ = ["DEFAULT_HORIZON_DAYS", "ChurnRule", "churn_labels", "churned"]

DEFAULT_HORIZON_DAYS = 180


@dataclass(frozen=True)
class ChurnRule:
    """How churn within a horizon is decided (DOMAIN.md, "Churn").

    An account active at day D churns within the horizon H when it is closed on a day in
    (D, D+H], or - if ``inactivity_is_churn`` and it bought at least once on or before D -
    when it makes no purchase on any day in (D, D+H]. An account that never bought before
    D cannot churn by inactivity, only by closing.
    """

    horizon_days: int = DEFAULT_HORIZON_DAYS
    inactivity_is_churn: bool = True

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ValueError(f"the horizon must be at least one day, got {self.horizon_days}")


def churn_labels(records: CustomerRecords, day: int, rule: ChurnRule) -> npt.NDArray[np.bool_]:
    """The label of every account position for a snapshot at ``day``.

    Only meaningful for accounts active at ``day`` (``records.active_at(day)``); the
    caller needs data up to ``day + rule.horizon_days``.
    """
    return churned(records.closed, records.purchases, day, rule)


def churned(
    closed: IntArray, purchases: PurchaseDays, day: int, rule: ChurnRule
) -> npt.NDArray[np.bool_]:
    """The rule on the accounts' closing days and purchase days alone (by position)."""
    size = len(closed)
    end = day + rule.horizon_days
    closes = (closed > day) & (closed <= end)
    if not rule.inactivity_is_churn:
        return closes
    up_to_day = purchases.rows_up_to(size, day)
    up_to_end = purchases.rows_up_to(size, end)
    bought_before = up_to_day > purchases.starts(size)
    silent = up_to_end == up_to_day
    return closes | (bought_before & silent)
