"""Churn reasons worded from their codes and figures, in every language, with every figure."""

from __future__ import annotations

import math
import re
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from feedback.complaints.states import RootCause
from feedback.config import ContactRequirement
from feedback.languages import LANGUAGES
from feedback.scoring.features import Shortfall
from feedback.scoring.reason_codes import FIGURES, OPTIONAL, Figure, ReasonCode
from feedback.scoring.reason_wording import figure_text, reason_text
from feedback.scoring.reasons import GROUPS, stated

# Words a CRM or an old score may hold; no braces, so a leftover placeholder stands out.
WORDS = st.text(string.ascii_letters + string.digits + " -", max_size=20)
SHORTFALL = st.integers(1, 12).flatmap(
    lambda count: st.fixed_dictionaries({
        "kind": st.sampled_from(["visit", "call"]),
        "count": st.just(count),
        "period": st.sampled_from(["month", "quarter"]),
        "done": st.integers(0, count - 1),
    })
)  # fmt: skip
VALUES: dict[Figure, st.SearchStrategy[Any]] = {
    Figure.number: st.integers(0, 10**6),
    Figure.days: st.integers(0, 10**5),
    Figure.days_since: st.none() | st.integers(0, 10**5),
    Figure.decimal: st.floats(0, 10**4).map(lambda value: round(value, 1)),
    Figure.money: st.floats(0, 10**9).map(lambda value: round(value, 2)),
    Figure.percent: st.integers(1, 10**4),
    Figure.level: st.integers(0, 3),
    Figure.period: st.none() | st.from_regex(r"20\d\d-H[12]", fullmatch=True),
    Figure.tier: st.none() | st.sampled_from("ABCD"),
    Figure.name: WORDS,
    Figure.causes: st.dictionaries(
        st.sampled_from([c.value for c in RootCause]), st.integers(1, 1000)
    ),
    Figure.shortfalls: st.lists(SHORTFALL, max_size=3),
    Figure.text: WORDS.filter(str.strip),
}


@st.composite
def reasons(draw: st.DrawFn) -> tuple[ReasonCode, dict[str, Any]]:
    """Any code with valid figures; a figure the sentence leaves out when zero is either
    absent or more than zero."""
    code = draw(st.sampled_from(list(ReasonCode)))
    figures = {}
    for name, kind in FIGURES[code].items():
        if name in OPTIONAL.get(code, ()):
            if draw(st.booleans()):
                figures[name] = draw(st.integers(1, 10**6))
        else:
            figures[name] = draw(VALUES[kind])
    return code, figures


def shown_figures(code: ReasonCode, figures: dict[str, Any]) -> list[str]:
    """Each figure as a sentence must carry it (none for an absent or empty one; a contact
    0 days before is said in words, "on the day scored")."""
    shown = []
    for name, value in figures.items():
        kind = FIGURES[code][name]
        if kind is Figure.days_since and value == 0:
            continue
        if kind is Figure.causes:
            shown += [str(count) for count in value.values()]
        elif kind is Figure.shortfalls:
            shown += [str(s[part]) for s in value for part in ("done", "count")]
        elif value is not None and value != "":
            shown.append(figure_text(kind, value))
    return shown


@given(reasons())
def test_every_reason_words_to_a_sentence_with_every_figure_in_every_language(
    reason: tuple[ReasonCode, dict[str, Any]],
) -> None:
    code, figures = reason
    for language in LANGUAGES:
        text = reason_text(code, figures, language)
        assert text.strip(), (code, language)
        assert not re.search(r"%\(|\{|\}|%s", text), text
        for figure in shown_figures(code, figures):
            assert figure in text, (language, figure, text)
    on_the_day = [n for n, kind in FIGURES[code].items() if kind is Figure.days_since]
    for name in on_the_day:
        if figures[name] == 0:
            assert f"a {name.removesuffix('_days')} on the day scored" in reason_text(
                code, figures, "en"
            )


@given(reasons())
def test_the_chinese_wording_leaves_no_english_word(
    reason: tuple[ReasonCode, dict[str, Any]],
) -> None:
    """Once its figures are taken out, a Chinese reason has no Latin letter left: every
    message it is made of is translated (old scores keep their English text)."""
    code, figures = reason
    if code is ReasonCode.worded_before_codes:
        return
    text = reason_text(code, figures, "zh")
    for figure in sorted(shown_figures(code, figures), key=len, reverse=True):
        text = text.replace(figure, "")
    assert not re.search(r"[A-Za-z]", text), text


FEATURE_VALUES = st.none() | st.floats(0, 5000) | st.just(math.nan)
SHORTFALLS = st.lists(
    st.builds(Shortfall, st.builds(ContactRequirement, st.sampled_from(["visit", "call"]),
                                   st.integers(1, 3), st.sampled_from(["month", "quarter"])),
              st.integers(0, 0)),
    max_size=2,
).map(tuple)  # fmt: skip
FEATURE_NAMES = (
    "days_since_last_purchase", "mean_gap_days", "purchase_days_90d", "frequency_trend_90d",
    "revenue_90d", "revenue_trend_90d", "survey_latest_level", "survey_level_change",
    "complaints_90d", "complaints_breached_90d", "complaints_365d", "complaints_open",
    "follow_ups_unsatisfied_365d", "root_cause:delivery_365d", "root_cause:billing_365d",
    "days_since_last_visit", "days_since_last_call", "contact_standard_missed",
)  # fmt: skip


@given(
    st.sampled_from(GROUPS),
    st.fixed_dictionaries(dict.fromkeys(FEATURE_NAMES, FEATURE_VALUES)),
    st.none() | st.sampled_from(["2026-H1", ""]),
    SHORTFALLS,
    st.sampled_from(["A", "", None]),
)
def test_scoring_states_every_group_as_a_code_with_exactly_its_figures(
    group: str,
    features: dict[str, float | None],
    wave: str | None,
    shortfalls: tuple[Shortfall, ...],
    tier: str | None,
) -> None:
    values = {name: value for name, value in features.items() if value is not None} | {
        "survey_latest_answered_wave": wave,
        "contact_standard_shortfalls": shortfalls,
        "tier": tier,
        "industry": "Retail",
    }
    code, figures = stated(group, values)
    allowed = FIGURES[code]
    required = set(allowed) - OPTIONAL.get(code, frozenset())
    assert required <= set(figures) <= set(allowed)
    assert all(not isinstance(v, float) or math.isfinite(v) for v in figures.values()), figures
    assert reason_text(code, figures, "en")
