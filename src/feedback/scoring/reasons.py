"""Why an account scores high: each feature group's contribution, then its code and figures.

A group's contribution to an account's probability is the probability minus the
probability with that group's columns set to the population's typical values (median of
numbers, most common category): what the account's own values add. It works the same for
every estimator and costs one prediction of all accounts per group. The top positive
contributions (at least MIN_WEIGHT) become reasons: a code and the account's own figures,
which reason_wording words in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from feedback.complaints.states import RootCause
from feedback.scoring.features import CONTACT_RECENCY_KINDS, Shortfall
from feedback.scoring.reason_codes import OPTIONAL, ReasonCode

__all__ = [
    "GROUPS",
    "MIN_WEIGHT",
    "TOP_REASONS",
    "Reason",
    "contributions",
    "group_of",
    "stated",
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
Stated = tuple[ReasonCode, dict[str, Any]]
Predict = Callable[[npt.NDArray[np.object_]], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class Reason:
    group: str
    weight: float  # the group's contribution to the probability
    code: ReasonCode
    figures: dict[str, Any]

    def stored(self) -> dict[str, Any]:
        """What a score row keeps of it (JSON): the code and figures, never words."""
        return {"group": self.group, "weight": self.weight, "code": self.code.value,
                "figures": self.figures}  # fmt: skip


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
        Reason(GROUPS[g], round(float(weights[g]), 4), *stated(GROUPS[g], values))
        for g in order
        if weights[g] >= MIN_WEIGHT
    ]


def _number(values: Values, name: str) -> float:
    value = values.get(name, math.nan)
    return float(value) if isinstance(value, int | float) else math.nan


def _finite(value: float) -> float:
    """A figure as stored: JSON has no NaN, and a window without data counts nothing."""
    return value if math.isfinite(value) else 0.0


def _count(values: Values, name: str) -> int:
    return round(_finite(_number(values, name)))


def _usual(now: float, trend: float) -> float:
    """The window's figure at the account's usual pace, from the trend feature's definition."""
    return math.expm1(math.log1p(max(now, 0.0)) - trend)


def _recency(values: Values) -> Stated:
    days, gap = _number(values, "days_since_last_purchase"), _number(values, "mean_gap_days")
    if math.isnan(days):
        return ReasonCode.never_bought, {}
    if math.isnan(gap):
        return ReasonCode.no_purchase_since_first, {"days": round(days)}
    return ReasonCode.purchase_overdue, {"days": round(days), "usual_gap": round(gap)}


def _frequency(values: Values) -> Stated:
    now = _finite(_number(values, "purchase_days_90d"))
    usual = _finite(_usual(now, _number(values, "frequency_trend_90d")))
    return ReasonCode.purchase_frequency, {"days": round(now), "usual": round(usual, 1)}


def _revenue(values: Values) -> Stated:
    now = max(_finite(_number(values, "revenue_90d")), 0.0)
    usual = _usual(now, _number(values, "revenue_trend_90d"))
    if not usual > 0:
        return ReasonCode.revenue_in_90_days, {"revenue": round(now, 2)}
    change = round((now - usual) / usual * 100)
    if change == 0:
        return ReasonCode.revenue_at_usual_pace, {}
    code = ReasonCode.revenue_down if change < 0 else ReasonCode.revenue_up
    return code, {"percent": abs(change)}


def _satisfaction(values: Values) -> Stated:
    latest, change = _number(values, "survey_latest_level"), _number(values, "survey_level_change")
    if math.isnan(latest):
        return ReasonCode.no_survey_answer, {}
    period = values.get("survey_latest_answered_wave")
    wave = period if isinstance(period, str) and period else None
    if change < 0:
        before = round(latest - change)
        return ReasonCode.level_dropped, {"before": before, "level": round(latest), "wave": wave}
    return ReasonCode.satisfaction_level, {"level": round(latest), "wave": wave}


def _complaints(values: Values) -> Stated:
    figures = {
        "recent": _count(values, "complaints_90d"),
        "past_deadline": _count(values, "complaints_breached_90d"),
        "last_year": _count(values, "complaints_365d"),
        "still_open": _count(values, "complaints_open"),
    }
    optional = OPTIONAL[ReasonCode.complaints]
    return ReasonCode.complaints, {k: v for k, v in figures.items() if v or k not in optional}


def _root_causes(values: Values) -> Stated:
    found = {
        cause.value: round(count)
        for cause in RootCause
        if (count := _number(values, f"root_cause:{cause.value}_365d")) > 0
    }
    return ReasonCode.complaint_root_causes, {"causes": found}


def _since_last(values: Values, kind: str) -> int | None:
    days = _number(values, f"days_since_last_{kind}")
    return None if math.isnan(days) else max(round(days), 0)


def _shortfalls(values: Values) -> list[dict[str, object]]:
    found = values.get("contact_standard_shortfalls")
    shortfalls = [s for s in found if isinstance(s, Shortfall)] if isinstance(found, tuple) else []
    return [
        {"kind": s.requirement.kind, "count": s.requirement.count,
         "period": s.requirement.period, "done": s.done}
        for s in shortfalls
    ]  # fmt: skip


def _contacts(values: Values) -> Stated:
    figures: dict[str, object] = {
        f"{kind}_days": _since_last(values, kind) for kind in CONTACT_RECENCY_KINDS
    }
    if not _number(values, "contact_standard_missed") > 0:
        return ReasonCode.contact_recency, figures
    tier = values.get("tier")
    figures |= {"tier": str(tier) if tier else None, "shortfalls": _shortfalls(values)}
    return ReasonCode.contact_standard_missed, figures


def _profile(values: Values) -> Stated:
    return ReasonCode.profile, {
        name: str(values.get(name) or "") for name in ("tier", "industry", "region")
    }


_STATED: dict[str, Callable[[Values], Stated]] = {
    "recency": _recency,
    "frequency": _frequency,
    "revenue": _revenue,
    "satisfaction": _satisfaction,
    "silence": lambda values: (ReasonCode.survey_silent, {}),
    "complaints": _complaints,
    "follow_ups": lambda values: (
        ReasonCode.follow_ups_unsatisfied,
        {"count": _count(values, "follow_ups_unsatisfied_365d")},
    ),
    "root_causes": _root_causes,
    "contacts": _contacts,
    "profile": _profile,
}


def stated(group: str, values: Values) -> Stated:
    """The reason of a group as its code and the account's own figures, rounded as shown."""
    return _STATED[group](values)
