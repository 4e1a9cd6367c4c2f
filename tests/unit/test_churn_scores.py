"""Risk bands, risers, and reasons in plain words that agree with the features behind them."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.errors import InvalidInput
from feedback.scoring import registry
from feedback.scoring.bands import BAND_FLOORS, BANDS, Band, band_ranks, rose
from feedback.scoring.features import (
    FEATURE_BLOCKS,
    FeatureRules,
    FeatureTable,
    contact_block,
    features_at,
    latest_answered_waves,
    missed_contact_standards,
)
from feedback.scoring.reason_wording import reason_text
from feedback.scoring.reasons import (
    GROUPS,
    MIN_WEIGHT,
    Reason,
    Values,
    contributions,
    group_of,
    stated,
    top_reasons,
)
from feedback.scoring.records import day_number
from feedback.scoring.scores import model_matrix, score_table
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
    assert group_of("days_since_last_visit") == group_of("days_since_last_call") == "contacts"
    assert group_of("contact_standard_missed") == "contacts"
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


def sentence(group: str, values: Values) -> str:
    """The group's reason for these values, in English."""
    return reason_text(*stated(group, values), "en")


def _text(reason: Reason) -> str:
    return reason_text(reason.code, reason.figures, "en")


def test_reasons_name_what_drives_each_accounts_risk_with_its_own_figures() -> None:
    typical = [(20.0, 30.0, 0.0, 0.0, 0.0, 0.0, "C")] * 8
    silent = (143.0, 30.0, 0.0, 0.0, 0.0, 0.0, "C")
    complaining = (20.0, 30.0, 2.0, 1.0, 3.0, 1.0, "C")
    matrix = _matrix([silent, complaining, *typical])
    probabilities, weights = contributions(_predict, matrix, NAMES, 6)
    np.testing.assert_allclose(probabilities, _predict(matrix))
    first = top_reasons(weights[0], dict(zip(NAMES, silent, strict=True)))
    second = top_reasons(weights[1], dict(zip(NAMES, complaining, strict=True)))
    assert [(r.code, r.figures) for r in first] == [
        ("purchase_overdue", {"days": 143, "usual_gap": 30})
    ]
    assert [_text(r) for r in first] == ["no purchase for 143 days; usually every 30"]
    assert [_text(r) for r in second] == [
        "2 complaints in 90 days, 1 past its deadline, 3 in the last year, 1 still open"
    ]
    assert first[0].weight == round(float(weights[0, GROUPS.index("recency")]), 4) > MIN_WEIGHT
    assert top_reasons(weights[2], dict(zip(NAMES, typical[0], strict=True))) == []


@given(st.floats(0, 2000), st.floats(1, 400))
def test_the_recency_sentence_carries_the_recency_features(days: float, gap: float) -> None:
    text = sentence("recency", {"days_since_last_purchase": days, "mean_gap_days": gap})
    found = re.fullmatch(r"no purchase for (\d+) days?; usually every (\d+)", text)
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


def _sole_reasons(
    group: str, table: FeatureTable, besides: dict[str, npt.NDArray[np.object_]]
) -> list[str]:
    """Each account's reason when ``group`` alone drives its risk, from its row of the table
    and the values reasons name besides the features (``besides``: by name, one per row)."""
    weights = np.zeros(len(GROUPS))
    weights[GROUPS.index(group)] = 0.2
    return [
        _text(top_reasons(weights, dict(zip(table.names, row, strict=True))
                          | {name: values[n] for name, values in besides.items()})[0])
        for n, row in enumerate(table.matrix())
    ]  # fmt: skip


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
    texts = _sole_reasons("satisfaction", table, {"survey_latest_answered_wave": periods})
    assert texts == [
        "satisfaction fell from level 3 to level 1 in 2026-H1",
        "satisfaction at level 2 in 2025-H2",
    ]


# 31 July: the last whole month is June, the last whole quarter April to June. Revenue in the
# year makes the accounts tiers A, B, C and D.
CONTACT_DAY = dt.date(2026, 7, 31)
CONTACT_BOOK = [
    # tier A: one visit in the quarter, no call in June
    Account(purchases=[(dt.date(2026, 7, 1), 600.0)],
            contacts=[(dt.date(2026, 4, 21), "visit"), (dt.date(2026, 5, 30), "call")]),
    # tier B: its standard met (a visit in May, a call in June), and a call on the day
    Account(purchases=[(dt.date(2026, 7, 1), 300.0)],
            contacts=[(dt.date(2026, 5, 3), "visit"), (dt.date(2026, 6, 2), "call"),
                      (CONTACT_DAY, "call")]),
    # tier C: nothing in the log
    Account(purchases=[(dt.date(2026, 7, 1), 100.0)]),
    # tier D, asked for nothing: a visit the day before
    Account(contacts=[(dt.date(2026, 7, 30), "visit")]),
]  # fmt: skip
CONTACT_REASONS = [
    "no visit in 101 days, no call in 62 days; tier A's contact standard was missed "
    "last quarter (1 of 2 visits) and last month (0 of 1 call)",
    "no visit in 89 days, a call on the day scored",
    "no visit recorded, no call recorded; tier C's contact standard was missed last quarter "
    "(0 of 1 call)",
    "no visit in 1 day, no call recorded",
]


def test_the_contact_reason_says_how_long_since_the_last_visit_and_call_and_what_was_missed() -> (
    None
):
    book = records(CONTACT_BOOK)
    table = features_at(book, day_number(CONTACT_DAY))
    shortfalls = missed_contact_standards(book, day_number(CONTACT_DAY), FeatureRules())
    texts = _sole_reasons("contacts", table, {"contact_standard_shortfalls": shortfalls})
    assert texts == CONTACT_REASONS
    assert sentence("contacts", {"days_since_last_visit": 140.0, "days_since_last_call": 3.0,
                                 "contact_standard_missed": 1.0}) == (
        "no visit in 140 days, no call in 3 days; the tier's contact standard was missed in "
        "its last period"
    )  # fmt: skip


class _Recency:
    """A model whose risk rises with the days since one feature's event (never: a year)."""

    def __init__(self, names: tuple[str, ...], feature: str) -> None:
        self.column = names.index(feature)

    def predict_proba(self, rows: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
        days = rows[:, self.column].astype(np.float64)
        risk = 1 / (1 + np.exp(-(np.where(np.isnan(days), 365.0, days) - 60) / 20))
        return np.column_stack([1 - risk, risk])


def _stored(table: FeatureTable, feature: str, numeric: tuple[str, ...]) -> registry.StoredModel:
    """A registered model of the table's categorical columns and the ``numeric`` ones."""
    day = dt.date(2026, 1, 1)
    record = registry.ModelRecord(
        version=1, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), as_of=day,
        horizon_days=180, inactivity_is_churn=True, training_from=day, training_to=day,
        validated_on=day, estimator="gradient_boosting", numeric_names=numeric,
        categorical_names=table.categorical_names, metrics={},
    )  # fmt: skip
    model = _Recency(numeric + table.categorical_names, feature)
    return registry.StoredModel(record, model)  # type: ignore[arg-type]


def test_scores_driven_by_the_contact_log_say_so_in_the_accounts_own_figures() -> None:
    book, day = records(CONTACT_BOOK), day_number(CONTACT_DAY)
    table = features_at(book, day)
    stored = _stored(table, "days_since_last_visit", table.numeric_names)
    scored = score_table(book, day, table, stored, FeatureRules())
    found = [[(r.group, _text(r)) for r in reasons] for reasons in scored.reasons]
    # The typical account was last visited 89 days before: tiers A and C are at more risk.
    assert found == [[("contacts", CONTACT_REASONS[0])], [], [("contacts", CONTACT_REASONS[2])], []]


def test_a_model_registered_before_the_contact_features_scores_on_its_own_columns() -> None:
    book, day = records(CONTACT_BOOK), day_number(CONTACT_DAY)
    table = features_at(book, day)
    contacts = tuple(contact_block(book, day, FeatureRules()).numeric)
    assert contacts == ("days_since_last_visit", "days_since_last_call", "contact_standard_missed")
    # What the features were before the contact log: the same table without its block.
    before = features_at(book, day, blocks=FEATURE_BLOCKS[:-1])
    older = tuple(name for name in table.numeric_names if name not in contacts)
    assert before.names == older + table.categorical_names
    stored = _stored(table, "days_since_last_purchase", older)
    scored = score_table(book, day, table, stored, FeatureRules())
    np.testing.assert_allclose(
        scored.probabilities, stored.model.predict_proba(before.matrix())[:, 1]
    )
    assert all(r.group != "contacts" for reasons in scored.reasons for r in reasons)
    # The other way round, a model needing features that are not computed is refused.
    newer = _stored(table, "days_since_last_visit", table.numeric_names)
    with pytest.raises(
        InvalidInput,
        match=r"needs features that are no longer computed "
        r"\(days_since_last_visit, days_since_last_call, contact_standard_missed\)",
    ):
        model_matrix(before, newer.record)
