"""Risk bands, risers, and reasons in plain words that agree with the features behind them."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import numpy.typing as npt
from hypothesis import given
from hypothesis import strategies as st

from feedback.scoring.bands import BAND_FLOORS, BANDS, Band, band_ranks, rose
from feedback.scoring.features import features_at, latest_answered_waves
from feedback.scoring.reasons import (
    GROUPS,
    MIN_WEIGHT,
    contributions,
    group_of,
    sentence,
    top_reasons,
)
from feedback.scoring.records import day_number
from tests.support.churn_histories import Account, records

probability = st.floats(0, 1, allow_nan=False)


def test_band_floors_belong_to_their_band() -> None:
    floors = np.array([0.0, 0.0999, 0.10, 0.2499, 0.25, 0.4999, 0.50, 1.0])
    assert [BANDS[r] for r in band_ranks(floors)] == [
        Band.low, Band.low, Band.medium, Band.medium, Band.high, Band.high, Band.critical,
        Band.critical,
    ]  # fmt: skip
    assert list(BAND_FLOORS) == [Band.medium, Band.high, Band.critical]


@given(st.lists(st.tuples(st.none() | probability, probability), min_size=1, max_size=20))
def test_an_alert_is_exactly_a_rise_into_a_higher_band(
    pairs: list[tuple[float | None, float]],
) -> None:
    before = np.array([np.nan if p is None else p for p, _ in pairs])
    now = np.array([p for _, p in pairs])
    risen = rose(before, now)
    for (previous, current), alert in zip(pairs, risen.tolist(), strict=True):
        expected = previous is not None and BANDS.index(_band(current)) > BANDS.index(
            _band(previous)
        )
        assert alert == expected


def _band(p: float) -> Band:
    return max([Band.low, *(band for band, floor in BAND_FLOORS.items() if p >= floor)],
               key=BANDS.index)  # fmt: skip


def test_features_fall_into_the_groups_their_reasons_speak_of() -> None:
    assert group_of("days_since_last_purchase") == "recency"
    assert group_of("purchase_days_90d") == "frequency"
    assert group_of("revenue_trend_90d") == "revenue"
    assert group_of("survey_level_change") == "satisfaction"
    assert group_of("survey_silent_last_wave") == "silence"
    assert group_of("complaints_breached_90d") == "complaints"
    assert group_of("follow_ups_unsatisfied_365d") == "follow_ups"
    assert group_of("root_cause:delivery_365d") == "root_causes"
    assert group_of("tier") == group_of("tenure_days") == group_of("attribute:plan") == "profile"


NAMES = ("days_since_last_purchase", "mean_gap_days", "complaints_90d", "complaints_breached_90d",
         "complaints_365d", "complaints_open", "tier")  # fmt: skip


def _predict(rows: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
    """A model where long silence and recent complaints both raise the risk."""
    numbers = rows[:, :6].astype(np.float64)
    score = 0.03 * (numbers[:, 0] - 60) + 1.2 * numbers[:, 2] - 2
    return 1 / (1 + np.exp(-score))


def _matrix(rows: list[tuple[object, ...]]) -> npt.NDArray[np.object_]:
    return np.array(rows, dtype=object)


def test_reasons_name_what_drives_each_accounts_risk_with_its_own_figures() -> None:
    typical = [(20.0, 30.0, 0.0, 0.0, 0.0, 0.0, "C")] * 8
    silent = (143.0, 30.0, 0.0, 0.0, 0.0, 0.0, "C")
    complaining = (20.0, 30.0, 2.0, 1.0, 3.0, 1.0, "C")
    matrix = _matrix([silent, complaining, *typical])
    probabilities, weights = contributions(_predict, matrix, NAMES, 6)
    np.testing.assert_allclose(probabilities, _predict(matrix))
    first = top_reasons(weights[0], dict(zip(NAMES, silent, strict=True)))
    second = top_reasons(weights[1], dict(zip(NAMES, complaining, strict=True)))
    assert [r.text for r in first] == ["no purchase for 143 days; usually every 30"]
    assert [r.text for r in second] == [
        "2 complaints in 90 days, one past its deadline, 3 in the last year, 1 still open"
    ]
    assert first[0].weight == round(float(weights[0, GROUPS.index("recency")]), 4) > MIN_WEIGHT
    assert top_reasons(weights[2], dict(zip(NAMES, typical[0], strict=True))) == []


@given(st.floats(0, 2000), st.floats(1, 400))
def test_the_recency_sentence_carries_the_recency_features(days: float, gap: float) -> None:
    text = sentence("recency", {"days_since_last_purchase": days, "mean_gap_days": gap})
    found = re.fullmatch(r"no purchase for (\d+) days; usually every (\d+)", text)
    assert found is not None
    assert int(found[1]) == round(days)
    assert int(found[2]) == round(gap)


@given(st.floats(0, 50_000), st.floats(-3, 3))
def test_the_revenue_sentence_follows_the_trend_feature(now: float, trend: float) -> None:
    text = sentence("revenue", {"revenue_90d": now, "revenue_trend_90d": trend})
    usual = np.expm1(np.log1p(now) - trend)
    if not usual > 0:
        assert text == f"revenue of {now:,.2f} in the last 90 days"
        return
    change = (now - usual) / usual * 100
    found = re.fullmatch(r"revenue in the last 90 days (down|up) (\d+)% on its usual pace", text)
    if found is None:
        assert text == "revenue in the last 90 days at its usual pace"
        assert abs(change) < 0.5 + 1e-6
    else:
        assert found[1] == ("down" if change < 0 else "up")
        assert abs(int(found[2]) - abs(change)) <= 0.5 + 1e-6


def test_satisfaction_and_follow_up_sentences_use_the_levels_and_counts() -> None:
    fell = {"survey_latest_level": 1.0, "survey_level_change": -2.0}
    assert sentence("satisfaction", fell) == (
        "satisfaction fell from level 3 to level 1 in the latest answered wave"
    )
    named = {**fell, "survey_latest_answered_wave": "2026-H1"}
    assert sentence("satisfaction", named) == (
        "satisfaction fell from level 3 to level 1 in 2026-H1"
    )
    assert sentence("satisfaction", {"survey_latest_level": np.nan}) == "no survey answer yet"
    assert sentence("follow_ups", {"follow_ups_unsatisfied_365d": 1.0}).startswith(
        "1 complaint followed up with the customer still unsatisfied"
    )
    causes = {"root_cause:delivery_365d": 2.0, "root_cause:billing_365d": 0.0}
    assert sentence("root_causes", causes) == "complaint root causes in the last year: delivery (2)"


def test_a_fall_in_satisfaction_names_the_wave_by_its_period() -> None:
    """From a hand-made history to the sentence: the levels and the wave's period agree."""
    day = dt.date(2026, 7, 31)
    book = records(
        [
            # 3 in 2025-H2, 1 in 2026-H1; the 2026-H2 wave closes after the day
            Account(waves=[(dt.date(2025, 12, 15), 3), (dt.date(2026, 6, 15), 1),
                           (dt.date(2026, 12, 15), 0)]),
            # answered 2 in 2025-H2, silent in 2026-H1
            Account(waves=[(dt.date(2025, 12, 15), 2), (dt.date(2026, 6, 15), -1)]),
        ]
    )  # fmt: skip
    table = features_at(book, day_number(day))
    periods = latest_answered_waves(book, day_number(day))
    weights = np.zeros(len(GROUPS))
    weights[GROUPS.index("satisfaction")] = 0.2
    texts = [
        top_reasons(weights, dict(zip(table.names, row, strict=True)) | {
            "survey_latest_answered_wave": period})[0].text
        for row, period in zip(table.matrix(), periods, strict=True)
    ]  # fmt: skip
    assert texts == [
        "satisfaction fell from level 3 to level 1 in 2026-H1",
        "satisfaction at level 2 in 2025-H2",
    ]
