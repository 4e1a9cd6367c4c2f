"""Churn labels and point-in-time features on hand-made histories, with exact values."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.accounts.contact_entries import CONTACT_KINDS
from feedback.accounts.standards import missed_last_period
from feedback.accounts.tiers import assign_tiers, tier_array
from feedback.complaints.states import RootCause
from feedback.config import ContactStandards, TierThresholds
from feedback.scoring.features import (
    FeatureRules,
    FeatureTable,
    Shortfall,
    features_at,
    latest_answered_waves,
    missed_contact_standards,
)
from feedback.scoring.labels import ChurnRule, churn_labels
from feedback.scoring.records import day_number
from tests.support.churn_histories import Account, Complaint, records

D = dt.date(2026, 6, 30)
DAY = day_number(D)


def ago(days: int) -> dt.date:
    return D - dt.timedelta(days=days)


def later(days: int) -> dt.date:
    return D + dt.timedelta(days=days)


BOOK = [
    # 1: buys every month or two, and again after D
    Account(
        purchases=[(ago(100), 100.0), (ago(40), 50.0), (ago(10), 30.0), (ago(10), 20.0),
                   (later(5), 70.0)],
        opened=ago(400),
        seats=12.0,
        plan="premium",
        waves=[(ago(200), 2), (ago(20), 1), (later(10), 0)],
    ),
    # 2: bought once, 200 days ago, and never again
    Account(purchases=[(ago(200), 100.0)], waves=[(ago(20), -1)]),
    # 3: never bought, closes 30 days after D
    Account(closed=later(30)),
    # 4: never bought, stays open
    Account(waves=[(ago(200), 3)]),
    # 5: closed the day before D; 6: closed on D; 7: opened the day after D
    Account(purchases=[(ago(90), 500.0)], closed=ago(1)),
    Account(purchases=[(ago(90), 500.0)], closed=D),
    Account(opened=later(1)),
    # 8: bought 50 days before D, silent since, closes one day after the horizon
    Account(purchases=[(ago(50), 300.0)], closed=later(181)),
    # 9: bought on D and on the horizon's last day
    Account(purchases=[(D, 100.0), (later(180), 10.0)]),
    # 10: closes on the horizon's last day, though it keeps buying until then
    Account(purchases=[(ago(30), 5.0), (later(100), 5.0)], closed=later(180)),
]  # fmt: skip


def row(table: FeatureTable, account_id: int) -> dict[str, object]:
    at = int(np.flatnonzero(table.account_ids == account_id)[0])
    values: dict[str, object] = dict(
        zip(table.numeric_names, table.numeric[at].tolist(), strict=True)
    )
    values |= dict(zip(table.categorical_names, table.categorical[at].tolist(), strict=True))
    return values


def test_labels_follow_closing_and_inactivity_within_the_horizon() -> None:
    book = records(BOOK)
    labels = churn_labels(book, DAY, ChurnRule(horizon_days=180))
    active = book.active_at(DAY)
    assert book.account_ids[active].tolist() == [1, 2, 3, 4, 8, 9, 10]
    assert dict(zip(book.account_ids[active].tolist(), labels[active].tolist(), strict=True)) == {
        1: False,  # bought 5 days after D
        2: True,  # history before D, nothing in (D, D+180]
        3: True,  # closed in the horizon
        4: False,  # never bought: inactivity is not churn
        8: True,  # silent through the horizon; its closing comes a day too late to matter
        9: False,  # a purchase on D+180 is inside the horizon
        10: True,  # closed on D+180, purchases or not
    }


def test_inactivity_can_be_left_out_of_the_label() -> None:
    book = records(BOOK)
    labels = churn_labels(book, DAY, ChurnRule(horizon_days=180, inactivity_is_churn=False))
    assert book.account_ids[labels & book.active_at(DAY)].tolist() == [3, 10]


def test_a_shorter_horizon_shortens_the_window() -> None:
    labels = churn_labels(records(BOOK), DAY, ChurnRule(horizon_days=4))
    assert labels[0]  # account 1's next purchase is on D+5


def test_the_horizon_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        ChurnRule(horizon_days=0)


def test_recency_frequency_money_and_gaps_of_a_regular_buyer() -> None:
    first = row(features_at(records(BOOK), DAY), 1)
    expected = {
        "purchase_days_30d": 1, "revenue_30d": 50.0,
        "purchase_days_90d": 2, "revenue_90d": 100.0,
        "purchase_days_180d": 3, "revenue_180d": 200.0,
        "purchase_days_365d": 3, "revenue_365d": 200.0,
        "average_purchase_365d": 200 / 3,
        "purchase_days_total": 3, "revenue_total": 200.0,
        "days_since_last_purchase": 10, "days_since_first_purchase": 100,
        "mean_gap_days": 45.0, "gap_variation": 15 / 45, "last_gap_days": 30,
        "overdue_ratio": 10 / 45, "tenure_days": 400,
        "frequency_trend_90d": math.log(3) - math.log(1 + 90 / 365),
        "revenue_trend_90d": math.log(101) - math.log(1 + 100 * 90 / 365),
        "frequency_trend_180d": math.log(4),
        "revenue_trend_180d": math.log(201),
        "attribute:seats": 12.0,
    }  # fmt: skip
    assert {name: first[name] for name in expected} == pytest.approx(expected)
    assert (first["industry"], first["region"], first["attribute:plan"]) == (
        "Retail", "Oceania", "premium"
    )  # fmt: skip


def test_a_single_purchase_has_recency_but_no_gaps() -> None:
    second = row(features_at(records(BOOK), DAY), 2)
    assert second["days_since_last_purchase"] == 200
    assert second["tenure_days"] == 200  # no opening date: tenure from the first purchase
    for name in ("mean_gap_days", "gap_variation", "last_gap_days", "overdue_ratio"):
        assert math.isnan(second[name])  # type: ignore[arg-type]


def test_an_account_that_never_bought_has_zeros_and_unknowns() -> None:
    fourth = row(features_at(records(BOOK), DAY), 4)
    assert (fourth["purchase_days_365d"], fourth["revenue_total"]) == (0, 0)
    assert math.isnan(fourth["days_since_last_purchase"])  # type: ignore[arg-type]
    assert math.isnan(fourth["tenure_days"])  # type: ignore[arg-type]
    assert fourth["frequency_trend_90d"] == 0.0
    assert fourth["tier"] == "D"


def test_tiers_are_recomputed_from_the_trailing_year_at_the_snapshot() -> None:
    table = features_at(records(BOOK), DAY)
    tiers = dict(zip(table.account_ids.tolist(), table.categorical[:, 0].tolist(), strict=True))
    # Active revenue in the 12 months to D: 8: 300, 1: 200, 2: 100, 9: 100, 10: 5 (705).
    # Shares before: 8: 0, 1: .43, 2: .71, 9: .85 (ties by position), 10: .99.
    assert table.categorical_names[0] == "tier"
    assert tiers == {1: "A", 2: "B", 3: "D", 4: "D", 8: "A", 9: "C", 10: "D"}


def test_survey_levels_use_only_waves_closed_by_the_snapshot() -> None:
    table = features_at(records(BOOK), DAY)
    first, second, fourth = row(table, 1), row(table, 2), row(table, 4)
    assert (first["survey_waves_asked"], first["survey_latest_level"]) == (2, 1)
    assert first["survey_level_change"] == -1
    assert first["survey_silent_last_wave"] == 0
    assert second["survey_silent_last_wave"] == 1
    assert math.isnan(second["survey_latest_level"])  # type: ignore[arg-type]
    assert fourth["survey_latest_level"] == 3
    assert math.isnan(fourth["survey_silent_last_wave"])  # type: ignore[arg-type]
    assert math.isnan(fourth["survey_level_change"])  # type: ignore[arg-type]


def test_the_latest_answered_wave_is_the_last_one_closed_by_the_snapshot() -> None:
    periods = latest_answered_waves(records(BOOK), DAY)
    assert (ago(20), ago(200)) == (dt.date(2026, 6, 10), dt.date(2025, 12, 12))
    assert periods[0] == "2026-H1", "the wave after D does not count"
    assert periods[1] is None, "a silent wave is no answer"
    assert periods[3] == "2025-H2"
    assert periods[2] is None


def test_the_table_holds_the_active_accounts_with_named_columns() -> None:
    table = features_at(records(BOOK), DAY)
    assert table.account_ids.tolist() == [1, 2, 3, 4, 8, 9, 10]
    assert table.numeric.shape == (7, len(table.numeric_names))
    assert table.categorical_names == ("tier", "industry", "region", "attribute:plan")
    assert table.matrix().shape == (7, len(table.names))
    assert len(set(table.names)) == len(table.names)


def test_complaint_features_count_only_what_was_known_at_the_snapshot() -> None:
    complaints = [
        # in 90 days, open at D, breached 2 days after receipt, never investigated
        Complaint(ago(30), breached=ago(28)),
        # in 90 days, closed before D, investigated (billing), unsatisfied follow-up
        Complaint(ago(80), closed=ago(5), investigated=ago(70),
                  root_cause=RootCause.billing, unsatisfied=ago(20)),
        # in 365 days only; its breach and investigation come after D
        Complaint(ago(200), closed=ago(150), breached=later(3), investigated=later(1),
                  root_cause=RootCause.delivery),
        # older than a year: counts in no window, but it is still open at D
        Complaint(ago(400), investigated=ago(390), root_cause=RootCause.billing),
        # received after D: not there at all
        Complaint(later(2), breached=later(3)),
    ]  # fmt: skip
    table = features_at(records([Account(complaints=complaints), Account()]), DAY)
    first, second = row(table, 1), row(table, 2)
    assert first["complaints_90d"] == 2
    assert first["complaints_365d"] == 3
    assert first["complaints_breached_90d"] == 1
    assert first["complaints_breached_365d"] == 1
    assert first["complaints_open"] == 2
    assert first["follow_ups_unsatisfied_365d"] == 1
    assert first["root_cause:billing_365d"] == 1
    assert first["root_cause:delivery_365d"] == 0
    complaint_columns = [name for name in table.numeric_names if "complaint" in name
                         or name.startswith(("root_cause:", "follow_ups"))]  # fmt: skip
    assert len(complaint_columns) == 6 + len(RootCause)
    assert all(second[name] == 0 for name in complaint_columns)


def test_a_complaint_received_on_the_snapshot_day_counts_and_one_closed_that_day_is_not_open() -> (
    None
):
    complaints = [Complaint(D), Complaint(ago(10), closed=D)]
    first = row(features_at(records([Account(complaints=complaints)]), DAY), 1)
    assert first["complaints_90d"] == 2
    assert first["complaints_open"] == 1


# --- the contact log: visits, calls and the tier's contact standard ---------------------

# D is 30 June: the last whole month before its own is May, the last whole quarter is
# January to March. Revenue in the year to D makes the four accounts tiers A, B, C and D.
CONTACTS = [
    # 1: tier A; two visits in the quarter and a call in May meet its standard; a call on D
    Account(purchases=[(ago(10), 600.0)],
            contacts=[(dt.date(2026, 2, 10), "visit"), (dt.date(2026, 3, 20), "visit"),
                      (dt.date(2026, 5, 12), "call"), (D, "call"), (later(5), "visit")]),
    # 2: tier B; a visit in the quarter, but no call in May (the last one is in April)
    Account(purchases=[(ago(10), 300.0)],
            contacts=[(dt.date(2026, 1, 15), "visit"), (dt.date(2026, 4, 20), "call"),
                      (later(1), "call"), (later(3), "visit")]),
    # 3: tier C; only an email, so no call in the quarter
    Account(purchases=[(ago(10), 100.0)], contacts=[(dt.date(2026, 2, 2), "email")]),
    # 4: tier D, which has no standard; visited 400 days before D
    Account(contacts=[(ago(400), "visit")]),
]  # fmt: skip
CONTACT_FEATURES = ("days_since_last_visit", "days_since_last_call", "contact_standard_missed")


def test_contact_features_count_the_log_up_to_the_snapshot_against_the_tier_then() -> None:
    table = features_at(records(CONTACTS), DAY)
    assert [row(table, n)["tier"] for n in (1, 2, 3, 4)] == ["A", "B", "C", "D"]
    found = {n: [row(table, n)[name] for name in CONTACT_FEATURES] for n in (1, 2, 3, 4)}
    np.testing.assert_equal(
        found,
        {
            1: [102.0, 0.0, 0.0],  # the visit after D does not count; the call on D does
            2: [166.0, 71.0, 1.0],
            3: [np.nan, np.nan, 1.0],  # never visited or called; an email is neither
            4: [400.0, np.nan, 0.0],  # nothing is asked of tier D
        },
    )
    assert table.numeric[:, [table.numeric_names.index(n) for n in CONTACT_FEATURES]].dtype == (
        np.float64
    )


def test_the_shortfalls_name_each_requirement_missed_with_the_contacts_done() -> None:
    standards = ContactStandards.defaults()
    found = missed_contact_standards(records(CONTACTS), DAY, FeatureRules())
    b_calls, c_calls = standards.of("B")[1], standards.of("C")[0]
    assert (b_calls.kind, b_calls.period, c_calls.kind, c_calls.period) == (
        "call", "month", "call", "quarter"
    )  # fmt: skip
    assert found.tolist() == [(), (Shortfall(b_calls, 0),), (Shortfall(c_calls, 0),), ()]


def test_the_configured_standards_decide_what_is_missed() -> None:
    standards = ContactStandards.parse(
        "A: 3 visits a quarter; B: none; C: 1 visit a month; D: 1 visit a quarter"
    )
    rules = FeatureRules(standards=standards)
    table = features_at(records(CONTACTS), DAY, rules)
    assert [row(table, n)["contact_standard_missed"] for n in (1, 2, 3, 4)] == [1, 0, 1, 1]
    found = missed_contact_standards(records(CONTACTS), DAY, rules)
    a, c, d = (standards.of(tier)[0] for tier in "ACD")
    assert found.tolist() == [(Shortfall(a, 2),), (), (Shortfall(c, 0),), (Shortfall(d, 0),)]


OTHER_STANDARDS = ContactStandards.parse(
    "A: 3 calls a month; B: 1 visit a month, 2 calls a quarter; C: none; D: 1 call a quarter"
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 1000),  # revenue 10 days before the day, for the tier
            st.lists(st.tuples(st.integers(-200, 40), st.sampled_from(CONTACT_KINDS)), max_size=8),
        ),
        min_size=1,
        max_size=6,
    ),
    st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)),
    st.sampled_from([ContactStandards.defaults(), OTHER_STANDARDS]),
)
def test_the_missed_standard_is_the_standards_rule_for_the_tier_at_the_snapshot(
    accounts: list[tuple[int, list[tuple[int, str]]]], day: dt.date, standards: ContactStandards
) -> None:
    book = records(
        [
            Account(
                purchases=[(day - dt.timedelta(days=10), float(revenue))],
                contacts=[(day + dt.timedelta(days=offset), kind) for offset, kind in contacts],
            )
            for revenue, contacts in accounts
        ]
    )
    table = features_at(book, day_number(day), FeatureRules(standards=standards))
    for n, (_, contacts) in enumerate(accounts, start=1):
        values = row(table, n)
        days = {
            kind: [day + dt.timedelta(days=offset) for offset, k in contacts if k == kind]
            for kind in CONTACT_KINDS
        }
        expected = any(
            missed_last_period(requirement, days[requirement.kind], day)
            for requirement in standards.of(str(values["tier"]))
        )
        assert values["contact_standard_missed"] == float(expected)


# --- no leakage: what happens after D changes no feature at D ---------------------------

purchase = st.tuples(st.integers(-700, 400), st.floats(1, 5000, allow_nan=False))
account = st.fixed_dictionaries(
    {
        "purchases": st.lists(purchase, max_size=12),
        "opened": st.integers(-1200, 10),
        "closed": st.none() | st.integers(-300, 400),
        "waves": st.lists(st.tuples(st.integers(-600, 300), st.integers(-1, 3)), max_size=4),
        # received, then delays to closing, breach, unsatisfied, investigation; the cause
        "complaints": st.lists(
            st.tuples(
                st.integers(-500, 200),
                *[st.none() | st.integers(0, 200)] * 4,
                st.sampled_from(list(RootCause)),
            ),
            max_size=4,
        ),
        "contacts": st.lists(
            st.tuples(st.integers(-500, 200), st.sampled_from(CONTACT_KINDS)), max_size=6
        ),
    }
)
future = st.fixed_dictionaries(
    {
        "purchases": st.lists(st.tuples(st.integers(1, 600), st.floats(1, 5000)), max_size=6),
        "closed": st.none() | st.integers(1, 600),
        "waves": st.lists(st.tuples(st.integers(1, 300), st.integers(-1, 3)), max_size=2),
        "shift": st.none() | st.integers(1, 300),  # None: it does not happen after all
        "cause": st.sampled_from(list(RootCause)),
        "contacts": st.lists(
            st.tuples(st.integers(1, 600), st.sampled_from(CONTACT_KINDS)), max_size=4
        ),
    }
)


def _complaint(spec: tuple, change: dict | None) -> Complaint:  # type: ignore[type-arg]
    """Milestones after D move by the change's shift or vanish; a cause found after D differs."""
    received, *delays, cause = spec

    def day(delay: int | None) -> dt.date | None:
        if delay is None:
            return None
        offset = received + delay
        if change is None or offset <= 0:
            return later(offset)
        return None if change["shift"] is None else later(offset + change["shift"])

    investigated = day(delays[3])
    if change and investigated is not None and investigated > D:
        cause = change["cause"]
    return Complaint(later(received), day(delays[0]), day(delays[1]), day(delays[2]),
                     investigated, cause)  # fmt: skip


def _book(spec: list[dict], changes: list[dict] | None) -> list[Account]:  # type: ignore[type-arg]
    accounts = []
    for n, item in enumerate(spec):
        purchases = [(later(day), amount) for day, amount in item["purchases"]]
        waves = [(later(day), level) for day, level in item["waves"]]
        closed = item["closed"]
        change = None if changes is None else changes[n % len(changes)]
        complaints = [_complaint(entry, change) for entry in item["complaints"]]
        contacts = [(later(day), kind) for day, kind in item["contacts"]]
        if change is not None:
            complaints = [c for c in complaints if c.received <= D]
            purchases = [p for p in purchases if p[0] <= D]
            purchases += [(later(day), amount) for day, amount in change["purchases"]]
            waves = [w for w in waves if w[0] <= D]
            waves += [(later(day), level) for day, level in change["waves"]]
            contacts = [c for c in contacts if c[0] <= D]
            contacts += [(later(day), kind) for day, kind in change["contacts"]]
            if closed is None or closed > 0:
                closed = change["closed"]
        accounts.append(
            Account(
                purchases=purchases,
                opened=later(item["opened"]),
                closed=None if closed is None else later(closed),
                waves=sorted(waves, key=lambda w: w[0]),
                complaints=complaints,
                contacts=contacts,
            )
        )
    return accounts


@settings(max_examples=60, deadline=None)
@given(st.lists(account, min_size=1, max_size=8), st.lists(future, min_size=1, max_size=3))
def test_changing_anything_after_the_snapshot_changes_no_feature(
    spec: list[dict],  # type: ignore[type-arg]
    changes: list[dict],  # type: ignore[type-arg]
) -> None:
    before = features_at(records(_book(spec, None)), DAY)
    after = features_at(records(_book(spec, changes)), DAY)
    assert before.names == after.names
    assert before.account_ids.tolist() == after.account_ids.tolist()
    np.testing.assert_allclose(before.numeric, after.numeric, rtol=1e-9, atol=1e-6)
    assert before.categorical.tolist() == after.categorical.tolist()


@given(st.lists(st.integers(0, 10_000), max_size=30))
def test_the_bulk_tier_rule_agrees_with_assign_tiers(cents: list[int]) -> None:
    revenue = {f"{n:04d}": Decimal(c) / 100 for n, c in enumerate(cents)}
    expected = assign_tiers(revenue)
    bulk = tier_array(np.array(cents, dtype=np.float64) / 100)
    assert bulk.tolist() == [expected[f"{n:04d}"] for n in range(len(cents))]


def test_the_bulk_tier_rule_is_exact_for_thresholds_with_many_decimals() -> None:
    thresholds = TierThresholds(0.333333333333, 0.666666666667, 0.999999999999)
    cents = [10**12, 10**12, 10**12, 1]
    revenue = {f"{n}": Decimal(c) / 100 for n, c in enumerate(cents)}
    bulk = tier_array(np.array(cents, dtype=np.float64) / 100, thresholds)
    assert bulk.tolist() == list(assign_tiers(revenue, thresholds).values())


def test_refunds_leave_money_negative_but_trends_finite() -> None:
    refunded = records([Account(purchases=[(ago(20), 50.0), (ago(10), -80.0)])])
    values = row(features_at(refunded, DAY), 1)
    assert values["revenue_30d"] == -30.0
    assert values["revenue_trend_90d"] == 0.0
    assert values["revenue_trend_180d"] == 0.0
