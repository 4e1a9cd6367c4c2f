"""The charts of a wave's results page, drawn by the one chart helper (feedback.web.charts)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from feedback.surveys.levels import Level, LevelFigures
from feedback.surveys.overview import WaveSummary
from feedback.web.charts import PALETTE, Caption, Segment, Series, line_chart, stacked_bar

__all__ = ["LEVEL_LABELS", "level_chart", "trend_chart"]

LEVEL_LABELS = {
    Level.not_satisfied: "0 · not satisfied",
    Level.satisfied: "1 · satisfied",
    Level.will_buy_again: "2 · will buy again",
    Level.will_recommend: "3 · will recommend",
}
LEVEL_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3])


def level_chart(period: str, figures: LevelFigures) -> Markup:
    """The share of answers at each level as one stacked bar."""
    segments = [
        Segment(LEVEL_LABELS[level], figures.level_counts[level], LEVEL_COLOURS[level])
        for level in Level
    ]
    return stacked_bar(
        "levels",
        f"Answers at each level, wave {period}",
        f"{figures.answers} answers; the table below gives each level's count and share.",
        segments,
    )


def trend_chart(summaries: Sequence[WaveSummary]) -> Markup:
    """Satisfaction, loyalty and advocacy rates of each wave, oldest first."""
    return line_chart(
        Caption(
            "trend",
            "Satisfaction, loyalty and advocacy rates by wave",
            f"{len(summaries)} waves; the table below gives each wave's rates.",
        ),
        [summary.period for summary in summaries],
        [
            Series("satisfaction (level ≥ 1)",
                   [s.figures.satisfaction_rate for s in summaries], PALETTE[4]),
            Series("loyalty (level ≥ 2)", [s.figures.loyalty_rate for s in summaries], PALETTE[3]),
            Series("advocacy (level 3)", [s.figures.advocacy_rate for s in summaries], PALETTE[5]),
        ],
    )  # fmt: skip
