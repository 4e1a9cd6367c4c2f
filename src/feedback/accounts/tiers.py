"""The customer pyramid: tiers A-D from trailing-12-month revenue (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from feedback.config import TierThresholds

__all__ = ["TIER_NAMES", "assign_tiers", "tier_array", "trailing_window"]

TIER_NAMES = ("A", "B", "C", "D")

K = TypeVar("K")


def trailing_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months ending today, both ends included: (today - 1 year + 1 day, today)."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + dt.timedelta(days=1), today


def assign_tiers(
    revenue: Mapping[K, Decimal], thresholds: TierThresholds | None = None
) -> dict[K, str]:
    """Rank accounts by revenue and cut the cumulative share at the thresholds.

    An account belongs to the first tier whose threshold its cumulative share before it
    has not yet reached: the account that crosses 50% is still A, since A is "the top
    accounts that together make the first ~50%". Accounts without revenue are D. Ties
    in revenue are broken by key so the result does not depend on input order.
    """
    thresholds = thresholds or TierThresholds()
    total = sum((amount for amount in revenue.values() if amount > 0), Decimal(0))
    tiers: dict[K, str] = dict.fromkeys(revenue, "D")
    if total <= 0:
        return tiers
    cuts = (("A", thresholds.a), ("B", thresholds.b), ("C", thresholds.c))
    ranked = sorted(
        ((amount, key) for key, amount in revenue.items() if amount > 0),
        key=lambda pair: (-pair[0], str(pair[1])),
    )
    before = Decimal(0)
    for amount, key in ranked:
        share_before = before / total
        tiers[key] = next((tier for tier, cut in cuts if share_before < Decimal(str(cut))), "D")
        before += amount
    return tiers


def tier_array(
    revenue: npt.NDArray[np.float64], thresholds: TierThresholds | None = None
) -> npt.NDArray[np.str_]:
    """``assign_tiers`` over an array of revenues (ties broken by position), for bulk use.

    The same rule without a Python object per account, for point-in-time tiers of 100,000
    accounts. Revenue is counted in whole cents and shares are compared as integer
    fractions, so an account exactly at a threshold lands where ``assign_tiers`` puts it.
    """
    thresholds = thresholds or TierThresholds()
    tiers = np.full(len(revenue), "D", dtype="<U1")
    cents = np.rint(revenue * 100).astype(np.int64)
    paying = np.flatnonzero(cents > 0)
    total = int(cents[paying].sum())
    if total <= 0:
        return tiers
    ranked = paying[np.lexsort((paying, -cents[paying]))]
    before = np.cumsum(cents[ranked]) - cents[ranked]
    passed = np.zeros(len(ranked), dtype=np.int64)
    for cut in (thresholds.a, thresholds.b, thresholds.c):
        share = Fraction(str(cut))  # as assign_tiers' Decimal(str(cut)), exactly
        # Python integers where int64 could overflow (thresholds with many decimals).
        exact = before if share.denominator * total < 2**62 else before.astype(object)
        passed += (exact * share.denominator >= share.numerator * total).astype(np.int64)
    tiers[ranked] = np.array(TIER_NAMES)[passed]
    return tiers
