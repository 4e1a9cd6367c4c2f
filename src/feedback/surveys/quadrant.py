"""The satisfaction / loyalty matrix: Apostle, Mercenary, Hostage, Saboteur (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from feedback.surveys.levels import Level

__all__ = [
    "BASELINE_DAYS",
    "LONG_TENURE_DAYS",
    "RECENT_DAYS",
    "STEADY_PACE",
    "TENURE_PACE_FLOOR",
    "PurchaseRecord",
    "Quadrant",
    "is_loyal",
    "is_satisfied",
    "pace",
    "quadrant",
]

# The recent window: the half year before the wave opens.
RECENT_DAYS = 182
# The account's own normal: the year before the recent window.
BASELINE_DAYS = 365
# Buying at least this share of its normal pace counts as steady (or growing).
STEADY_PACE = 0.8
# A customer for this long stays loyal through a dip down to TENURE_PACE_FLOOR.
LONG_TENURE_DAYS = 3 * 365
TENURE_PACE_FLOOR = 0.5


class Quadrant(str, Enum):
    """Where an answering account stands; ``action`` is what the matrix asks staff to do."""

    apostle = "apostle"
    mercenary = "mercenary"
    hostage = "hostage"
    saboteur = "saboteur"

    @property
    def label(self) -> str:
        return self.value.title()

    @property
    def action(self) -> str:
        return ACTIONS[self]


ACTIONS = {
    Quadrant.apostle: "tells others; ask for referrals",
    Quadrant.mercenary: "satisfied with you and with competitors alike; build loyalty",
    Quadrant.hostage: "stays only for lack of choice; fix the dissatisfaction now",
    Quadrant.saboteur: "spreads bad word; open a direct channel and resolve their complaints",
}


@dataclass(frozen=True)
class PurchaseRecord:
    """An account's purchases in the two windows before a date, and how long it has been a
    customer (``customer_since``: opening date, else first purchase; None if neither)."""

    recent_revenue: float
    recent_purchases: int
    baseline_revenue: float
    baseline_purchases: int
    customer_since: dt.date | None


def pace(record: PurchaseRecord) -> float | None:
    """Recent revenue over what the baseline's pace would give in the recent window.

    1.0 is the account's normal; None when the baseline is empty (no normal to compare with).
    """
    if record.baseline_revenue <= 0:
        return None
    return (record.recent_revenue * BASELINE_DAYS) / (record.baseline_revenue * RECENT_DAYS)


def is_satisfied(level: int) -> bool:
    """Satisfied means level 1 or above: the account's (lowest) answer in the wave."""
    return Level(level) >= Level.satisfied


def is_loyal(record: PurchaseRecord, as_of: dt.date) -> bool:
    """Loyal in behaviour, as of the day the wave opened.

    The account bought in the recent window (RECENT_DAYS) and its recent revenue runs at
    least STEADY_PACE of its own normal (the BASELINE_DAYS before, scaled to the recent
    window's length); or it has been a customer for LONG_TENURE_DAYS and keeps at least
    TENURE_PACE_FLOOR of its normal. An account with no purchases in the baseline has no
    normal yet and is not counted loyal, however much it buys now.
    """
    ratio = pace(record)
    if record.recent_purchases == 0 or ratio is None:
        return False
    if ratio >= STEADY_PACE:
        return True
    since = record.customer_since
    long_tenure = since is not None and (as_of - since).days >= LONG_TENURE_DAYS
    return long_tenure and ratio >= TENURE_PACE_FLOOR


def quadrant(level: int, record: PurchaseRecord, as_of: dt.date) -> Quadrant:
    """The matrix: satisfied x loyal."""
    satisfied, loyal = is_satisfied(level), is_loyal(record, as_of)
    if satisfied:
        return Quadrant.apostle if loyal else Quadrant.mercenary
    return Quadrant.hostage if loyal else Quadrant.saboteur
