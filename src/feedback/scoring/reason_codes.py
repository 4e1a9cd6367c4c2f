"""The closed set of churn reasons: a code and the figures each code is stored with.

A score keeps its reasons as codes and figures (JSON numbers, a wave's period, a tier), never
as text: reason_wording words them in the reader's language when a page, the API or a
report shows them. FIGURES says what each code carries; figures that a sentence leaves out
when they are zero (``OPTIONAL``) are stored only when they are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

__all__ = ["FIGURES", "OPTIONAL", "Figure", "Figures", "ReasonCode"]

Figures = Mapping[str, Any]


class ReasonCode(str, Enum):
    never_bought = "never_bought"
    no_purchase_since_first = "no_purchase_since_first"
    purchase_overdue = "purchase_overdue"
    purchase_frequency = "purchase_frequency"
    revenue_in_90_days = "revenue_in_90_days"
    revenue_at_usual_pace = "revenue_at_usual_pace"
    revenue_down = "revenue_down"
    revenue_up = "revenue_up"
    no_survey_answer = "no_survey_answer"
    level_dropped = "level_dropped"
    satisfaction_level = "satisfaction_level"
    survey_silent = "survey_silent"
    complaints = "complaints"
    follow_ups_unsatisfied = "follow_ups_unsatisfied"
    complaint_root_causes = "complaint_root_causes"
    contact_recency = "contact_recency"
    contact_standard_missed = "contact_standard_missed"
    profile = "profile"
    # Scores stored before reasons had codes keep the English text they were stored with.
    worded_before_codes = "worded_before_codes"


class Figure(str, Enum):
    """What a figure is, and so how it is written in a sentence."""

    number = "number"  # a whole number, 0 or more
    days = "days"  # whole days, 0 or more
    days_since = "days_since"  # whole days since the last one, 0 or more; None: none recorded
    decimal = "decimal"  # a number with one decimal
    money = "money"  # an amount with two decimals
    percent = "percent"  # a whole percentage, more than 0
    level = "level"  # a satisfaction level, 0 to 3
    period = "period"  # a wave's period such as 2026-H1; None: not known
    tier = "tier"  # A to D; None: not known
    name = "name"  # a CRM value such as an industry; "" when empty
    causes = "causes"  # {root cause: count more than 0}
    shortfalls = "shortfalls"  # [{"kind", "count", "period", "done"}] of the contact standard
    text = "text"  # words stored before codes


_CONTACTS = {"visit_days": Figure.days_since, "call_days": Figure.days_since}
FIGURES: dict[ReasonCode, dict[str, Figure]] = {
    ReasonCode.never_bought: {},
    ReasonCode.no_purchase_since_first: {"days": Figure.days},
    ReasonCode.purchase_overdue: {"days": Figure.days, "usual_gap": Figure.number},
    ReasonCode.purchase_frequency: {"days": Figure.number, "usual": Figure.decimal},
    ReasonCode.revenue_in_90_days: {"revenue": Figure.money},
    ReasonCode.revenue_at_usual_pace: {},
    ReasonCode.revenue_down: {"percent": Figure.percent},
    ReasonCode.revenue_up: {"percent": Figure.percent},
    ReasonCode.no_survey_answer: {},
    ReasonCode.level_dropped: {
        "before": Figure.level,
        "level": Figure.level,
        "wave": Figure.period,
    },
    ReasonCode.satisfaction_level: {"level": Figure.level, "wave": Figure.period},
    ReasonCode.survey_silent: {},
    ReasonCode.complaints: {
        "recent": Figure.number,
        "past_deadline": Figure.number,
        "last_year": Figure.number,
        "still_open": Figure.number,
    },
    ReasonCode.follow_ups_unsatisfied: {"count": Figure.number},
    ReasonCode.complaint_root_causes: {"causes": Figure.causes},
    ReasonCode.contact_recency: _CONTACTS,
    ReasonCode.contact_standard_missed: {
        **_CONTACTS,
        "tier": Figure.tier,
        "shortfalls": Figure.shortfalls,
    },
    ReasonCode.profile: {"tier": Figure.name, "industry": Figure.name, "region": Figure.name},
    ReasonCode.worded_before_codes: {"text": Figure.text},
}
# Counts a sentence names only when there are some: stored only then.
OPTIONAL = {ReasonCode.complaints: frozenset({"past_deadline", "still_open"})}
