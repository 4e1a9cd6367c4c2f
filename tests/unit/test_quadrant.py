"""The satisfaction / loyalty matrix: loyalty from purchase pace and tenure (hypothesis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from feedback.surveys.quadrant import (
    BASELINE_DAYS,
    LONG_TENURE_DAYS,
    RECENT_DAYS,
    STEADY_PACE,
    TENURE_PACE_FLOOR,
    PurchaseRecord,
    Quadrant,
    is_loyal,
    is_satisfied,
    pace,
    quadrant,
)

AS_OF = dt.date(2026, 9, 1)
SCALE = RECENT_DAYS / BASELINE_DAYS
# Amounts to the cent, as purchases are stored.
money = st.integers(min_value=0, max_value=10**11).map(lambda cents: cents / 100)
counts = st.integers(min_value=0, max_value=1_000)
since = st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=AS_OF)


@st.composite
def records(draw: st.DrawFn) -> PurchaseRecord:
    recent_purchases = draw(counts)
    baseline_purchases = draw(counts)
    return PurchaseRecord(
        recent_revenue=draw(money) if recent_purchases else 0.0,
        recent_purchases=recent_purchases,
        baseline_revenue=draw(money) if baseline_purchases else 0.0,
        baseline_purchases=baseline_purchases,
        customer_since=draw(since),
    )


def record(recent: float, baseline: float, since: dt.date | None = None) -> PurchaseRecord:
    return PurchaseRecord(recent, 1 if recent else 0, baseline, 1 if baseline else 0, since)


@given(st.integers(min_value=0, max_value=3), records())
def test_the_matrix_is_satisfied_by_loyal(level: int, purchases: PurchaseRecord) -> None:
    satisfied, loyal = level >= 1, is_loyal(purchases, AS_OF)
    expected = {
        (True, True): Quadrant.apostle,
        (True, False): Quadrant.mercenary,
        (False, True): Quadrant.hostage,
        (False, False): Quadrant.saboteur,
    }[satisfied, loyal]
    assert is_satisfied(level) is satisfied
    assert quadrant(level, purchases, AS_OF) is expected


@given(records())
def test_no_purchase_in_the_recent_window_is_never_loyal(purchases: PurchaseRecord) -> None:
    quiet = replace(purchases, recent_revenue=0.0, recent_purchases=0)
    assert not is_loyal(quiet, AS_OF)


@given(records())
def test_no_normal_to_compare_with_is_never_loyal(purchases: PurchaseRecord) -> None:
    new = replace(purchases, baseline_revenue=0.0, baseline_purchases=0)
    assert pace(new) is None
    assert not is_loyal(new, AS_OF)


@given(records(), money)
def test_buying_more_now_never_costs_loyalty(purchases: PurchaseRecord, extra: float) -> None:
    more = replace(purchases, recent_revenue=purchases.recent_revenue + extra,
                   recent_purchases=purchases.recent_purchases + 1)  # fmt: skip
    assert is_loyal(more, AS_OF) >= is_loyal(purchases, AS_OF)


@given(records(), st.floats(min_value=0.01, max_value=100))
def test_loyalty_compares_with_the_accounts_own_normal_not_its_size(
    purchases: PurchaseRecord, factor: float
) -> None:
    assume(pace(purchases) is not None)
    ratio = pace(purchases)
    assert ratio is not None
    # Away from the thresholds, where rounding of the scaled figures could tip the result.
    assume(all(abs(ratio - edge) > 1e-6 for edge in (STEADY_PACE, TENURE_PACE_FLOOR)))
    scaled = replace(purchases, recent_revenue=purchases.recent_revenue * factor,
                     baseline_revenue=purchases.baseline_revenue * factor)  # fmt: skip
    assert is_loyal(scaled, AS_OF) == is_loyal(purchases, AS_OF)


@given(records(), st.dates(min_value=dt.date(1990, 1, 1), max_value=AS_OF))
def test_a_longer_tenure_never_costs_loyalty(purchases: PurchaseRecord, earlier: dt.date) -> None:
    assume(purchases.customer_since is None or earlier <= purchases.customer_since)
    older = replace(purchases, customer_since=earlier)
    assert is_loyal(older, AS_OF) >= is_loyal(purchases, AS_OF)


LONG_AGO = AS_OF - dt.timedelta(days=LONG_TENURE_DAYS)
NOT_SO_LONG = LONG_AGO + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("recent_share", "since", "loyal"),
    [
        (1.0, None, True),  # the normal pace
        (STEADY_PACE, None, True),  # steady: exactly at the threshold
        (0.79, LONG_AGO, True),  # below steady, but a long-standing customer
        (TENURE_PACE_FLOOR, LONG_AGO, True),
        (0.49, LONG_AGO, False),  # a long-standing customer falling away
        (0.79, NOT_SO_LONG, False),  # one day short of a long tenure
        (2.5, None, True),  # growing
    ],
)
def test_thresholds(recent_share: float, since: dt.date | None, loyal: bool) -> None:
    baseline = 3650.0
    purchases = record(baseline * SCALE * recent_share, baseline, since)
    assert is_loyal(purchases, AS_OF) is loyal


def test_every_quadrant_names_its_action() -> None:
    assert Quadrant.apostle.action == "tells others; ask for referrals"
    assert Quadrant.hostage.label == "Hostage"
    assert len({kind.action for kind in Quadrant}) == 4
