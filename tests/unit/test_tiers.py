"""Tiers from trailing revenue: the customer pyramid rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.accounts.tiers import assign_tiers, trailing_window
from feedback.config import TierThresholds
from feedback.errors import ConfigurationError


def test_pareto_cut_includes_the_account_that_crosses_each_threshold() -> None:
    revenue = {
        "a": Decimal(40),
        "b": Decimal(30),
        "c": Decimal(15),
        "d": Decimal(10),
        "e": Decimal(5),
    }
    # cumulative share before each: a 0, b .40, c .70, d .85, e .95
    assert assign_tiers(revenue) == {"a": "A", "b": "A", "c": "B", "d": "C", "e": "D"}


def test_accounts_without_revenue_are_small() -> None:
    assert assign_tiers({"x": Decimal(0), "y": Decimal(-5)}) == {"x": "D", "y": "D"}
    assert assign_tiers({}) == {}


def test_thresholds_are_configurable() -> None:
    revenue = {k: Decimal(10) for k in "abcdefghij"}
    tiers = assign_tiers(revenue, TierThresholds(0.2, 0.5, 0.9))
    assert sorted(tiers.values()) == ["A", "A", "B", "B", "B", "C", "C", "C", "C", "D"]


@pytest.mark.parametrize("text", ["0.5,0.4,0.9", "0,0.5,0.9", "0.5,0.8", "a,b,c", "0.5,0.8,1.2"])
def test_bad_thresholds_are_refused(text: str) -> None:
    with pytest.raises(ConfigurationError):
        TierThresholds.parse(text)


def test_trailing_window_is_twelve_months_ending_today() -> None:
    assert trailing_window(dt.date(2026, 11, 26)) == (dt.date(2025, 11, 27), dt.date(2026, 11, 26))
    assert trailing_window(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))


revenues = st.dictionaries(
    st.integers(min_value=0, max_value=10_000),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    max_size=60,
)


@given(revenues)
def test_tiers_are_monotone_in_revenue(revenue: dict[int, Decimal]) -> None:
    tiers = assign_tiers(revenue)
    ranked = sorted(revenue, key=lambda k: (-revenue[k], str(k)))
    letters = [tiers[k] for k in ranked]
    assert letters == sorted(letters), "a richer account never has a lower tier"


@given(revenues)
def test_tier_a_is_the_smallest_set_reaching_half_the_revenue(revenue: dict[int, Decimal]) -> None:
    tiers = assign_tiers(revenue)
    total = sum(v for v in revenue.values() if v > 0)
    a_revenue = sum(revenue[k] for k, t in tiers.items() if t == "A")
    if total > 0:
        assert a_revenue / total >= Decimal("0.5")
        smallest_a = min(revenue[k] for k, t in tiers.items() if t == "A")
        assert (a_revenue - smallest_a) / total < Decimal("0.5")
    else:
        assert set(tiers.values()) <= {"D"}


@given(revenues)
def test_result_does_not_depend_on_input_order(revenue: dict[int, Decimal]) -> None:
    assert assign_tiers(dict(reversed(list(revenue.items())))) == assign_tiers(revenue)
