"""Why an account scores high: each feature group's contribution, then plain-word sentences.

A group's contribution to an account's probability is the probability minus the
probability with that group's columns set to the population's typical values (median of
numbers, most common category): what the account's own values add. It works the same for
every estimator and costs one prediction of all accounts per group. The top positive
contributions (at least MIN_WEIGHT) become sentences built from the account's values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.complaints.states import RootCause
from feedback.scoring.features import CONTACT_RECENCY_KINDS, Shortfall

__all__ = [
    "GROUPS",
    "MIN_WEIGHT",
    "TOP_REASONS",
    "Reason",
    "contributions",
    "group_of",
    "sentence",
    "top_reasons",
    "typical_row",
]

TOP_REASONS = 3
# A reason must move the probability by at least a percentage point to be worth reading.
MIN_WEIGHT = 0.01
BATCH_ROWS = 20_000
GROUPS = (
    "recency",
    "frequency",
    "revenue",
    "satisfaction",
    "silence",
    "complaints",
    "follow_ups",
    "root_causes",
    "contacts",
    "profile",
)
_PREFIXES = (
    # Before recency, whose days_since_last prefix would take the contacts' recency too.
    ("contacts", ("days_since_last_visit", "days_since_last_call", "contact_standard")),
    ("recency", ("days_since_last", "overdue_ratio", "mean_gap", "last_gap", "gap_variation")),
    ("frequency", ("purchase_days_", "frequency_trend_")),
    ("revenue", ("revenue_", "average_purchase_")),
    ("silence", ("survey_silent",)),
    ("satisfaction", ("survey_",)),
    ("complaints", ("complaints_",)),
    ("follow_ups", ("follow_ups_",)),
    ("root_causes", ("root_cause:",)),
)
Values = Mapping[str, object]
Predict = Callable[[npt.NDArray[np.object_]], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class Reason:
    group: str
    weight: float  # the group's contribution to the probability
    text: str


def group_of(name: str) -> str:
    """The reason group of a feature column; tenure, tier and CRM fields are the profile."""
    for group, prefixes in _PREFIXES:
        if name.startswith(prefixes):
            return group
    return "profile"


def typical_row(matrix: npt.NDArray[np.object_], numeric: int) -> npt.NDArray[np.object_]:
    """Median of each of the first ``numeric`` columns, most common value of the others."""
    row = np.empty(matrix.shape[1], dtype=object)
    numbers = matrix[:, :numeric].astype(np.float64)
    known = ~np.isnan(numbers)
    for column in range(numeric):
        values = numbers[known[:, column], column]
        row[column] = float(np.median(values)) if len(values) else math.nan
    for column in range(numeric, matrix.shape[1]):
        values, counts = np.unique(matrix[:, column].astype(str), return_counts=True)
        row[column] = values[np.argmax(counts)] if len(values) else ""
    return row


def contributions(
    predict: Predict, matrix: npt.NDArray[np.object_], names: tuple[str, ...], numeric: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Probabilities and each group's contribution (rows x GROUPS), in batches of rows."""
    typical = typical_row(matrix, numeric)
    columns = {
        group: [n for n, name in enumerate(names) if group_of(name) == group] for group in GROUPS
    }
    probabilities = np.empty(len(matrix))
    weights = np.zeros((len(matrix), len(GROUPS)))
    for start in range(0, len(matrix), BATCH_ROWS):
        batch = matrix[start : start + BATCH_ROWS]
        probabilities[start : start + len(batch)] = own = predict(batch)
        for g, group in enumerate(GROUPS):
            if not columns[group]:
                continue
            typical_batch = batch.copy()
            typical_batch[:, columns[group]] = typical[columns[group]]
            weights[start : start + len(batch), g] = own - predict(typical_batch)
    return probabilities, weights


def top_reasons(weights: npt.NDArray[np.float64], values: Values) -> list[Reason]:
    """One account's strongest reasons, strongest first, from its contributions and values."""
    order = np.argsort(-weights, kind="stable")[:TOP_REASONS]
    return [
        Reason(GROUPS[g], round(float(weights[g]), 4), sentence(GROUPS[g], values))
        for g in order
        if weights[g] >= MIN_WEIGHT
    ]


def _number(values: Values, name: str) -> float:
    value = values.get(name, math.nan)
    return float(value) if isinstance(value, int | float) else math.nan


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _usual(now: float, trend: float) -> float:
    """The window's figure at the account's usual pace, from the trend feature's definition."""
    return math.expm1(math.log1p(max(now, 0.0)) - trend)


def _recency(values: Values) -> str:
    days, gap = _number(values, "days_since_last_purchase"), _number(values, "mean_gap_days")
    if math.isnan(days):
        return "has never bought"
    if math.isnan(gap):
        return f"no purchase for {days:.0f} days; only one purchase so far"
    return f"no purchase for {days:.0f} days; usually every {gap:.0f}"


def _frequency(values: Values) -> str:
    now = _number(values, "purchase_days_90d")
    usual = _usual(now, _number(values, "frequency_trend_90d"))
    return f"bought on {_plural(round(now), 'day')} in the last 90 days; usually about {usual:.1f}"


def _revenue(values: Values) -> str:
    now = max(_number(values, "revenue_90d"), 0.0)
    usual = _usual(now, _number(values, "revenue_trend_90d"))
    if not usual > 0:
        return f"revenue of {now:,.2f} in the last 90 days"
    change = round((now - usual) / usual * 100)
    if change == 0:
        return "revenue in the last 90 days at its usual pace"
    direction = "down" if change < 0 else "up"
    return f"revenue in the last 90 days {direction} {abs(change)}% on its usual pace"


def _satisfaction(values: Values) -> str:
    latest, change = _number(values, "survey_latest_level"), _number(values, "survey_level_change")
    if math.isnan(latest):
        return "no survey answer yet"
    period = values.get("survey_latest_answered_wave")
    wave = period if isinstance(period, str) and period else "the latest answered wave"
    if change < 0:
        return f"satisfaction fell from level {latest - change:.0f} to level {latest:.0f} in {wave}"
    return f"satisfaction at level {latest:.0f} in {wave}"


def _complaints(values: Values) -> str:
    recent = round(_number(values, "complaints_90d"))
    late = round(_number(values, "complaints_breached_90d"))
    year, open_now = (
        round(_number(values, "complaints_365d")),
        round(_number(values, "complaints_open")),
    )
    parts = [f"{_plural(recent, 'complaint')} in 90 days"]
    if late:
        parts.append("one past its deadline" if late == 1 else f"{late} past their deadlines")
    parts.append(f"{year} in the last year")
    if open_now:
        parts.append(f"{open_now} still open")
    return ", ".join(parts)


def _root_causes(values: Values) -> str:
    found = [
        f"{cause.value.replace('_', ' ')} ({round(count)})"
        for cause in RootCause
        if (count := _number(values, f"root_cause:{cause.value}_365d")) > 0
    ]
    return "complaint root causes in the last year: " + ", ".join(found or ["none recorded"])


def _since_last(values: Values, kind: str) -> str:
    days = _number(values, f"days_since_last_{kind}")
    if math.isnan(days):
        return f"no {kind} recorded"
    if days < 1:
        return f"a {kind} on the day scored"
    return f"no {kind} in {_plural(round(days), 'day')}"


def _missed_standard(values: Values) -> str:
    tier = values.get("tier")
    standard = f"tier {tier}'s contact standard" if tier else "the tier's contact standard"
    found = values.get("contact_standard_shortfalls")
    shortfalls = [s for s in found if isinstance(s, Shortfall)] if isinstance(found, tuple) else []
    if not shortfalls:
        return f"{standard} was missed in its last period"
    missed = [
        f"last {s.requirement.period} ({s.done} of "
        f"{_plural(s.requirement.count, s.requirement.kind)})"
        for s in shortfalls
    ]
    return f"{standard} was missed " + " and ".join(missed)


def _contacts(values: Values) -> str:
    text = ", ".join(_since_last(values, kind) for kind in CONTACT_RECENCY_KINDS)
    if _number(values, "contact_standard_missed") > 0:
        text += "; " + _missed_standard(values)
    return text


def _profile(values: Values) -> str:
    shown = [str(values[name]) for name in ("tier", "industry", "region") if values.get(name)]
    kind = ", ".join(shown) if shown else "this profile"
    return f"accounts like this one ({kind}) leave more often"


_WORDING: dict[str, Callable[[Values], str]] = {
    "recency": _recency,
    "frequency": _frequency,
    "revenue": _revenue,
    "satisfaction": _satisfaction,
    "silence": lambda values: "did not answer the latest survey wave",
    "complaints": _complaints,
    "follow_ups": lambda values: (
        f"{_plural(round(_number(values, 'follow_ups_unsatisfied_365d')), 'complaint')} "
        "followed up with the customer still unsatisfied in the last year"
    ),
    "root_causes": _root_causes,
    "contacts": _contacts,
    "profile": _profile,
}


def sentence(group: str, values: Values) -> str:
    """The reason of a group in plain words, with the account's own figures."""
    return _WORDING[group](values)
