"""The charts of a wave's results page, drawn by the one chart helper (feedback.web.charts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def _as_written(message: str) -> str:
    return message


def level_chart(
    period: str, figures: LevelFigures, _: Callable[[str], str] = _as_written
) -> Markup:
    """The share of answers at each level as one stacked bar; ``_`` translates its words."""
    segments = [
        Segment(_(LEVEL_LABELS[level]), figures.level_counts[level], LEVEL_COLOURS[level])
        for level in Level
    ]
    return stacked_bar(
        "levels",
        _("Answers at each level, wave {period}").format(period=period),
        _("{count} answers; the table below gives each level's count and share.").format(
            count=figures.answers
        ),
        segments,
    )


def trend_chart(summaries: Sequence[WaveSummary], _: Callable[[str], str] = _as_written) -> Markup:
    """Response, satisfaction, loyalty and advocacy rates of each wave, oldest first."""
    return line_chart(
        Caption(
            "trend",
            _("Response, satisfaction, loyalty and advocacy rates by wave"),
            _("{count} waves; the table below gives each wave's rates.").format(
                count=len(summaries)
            ),
        ),
        [summary.period for summary in summaries],
        [
            Series(_("response rate"), [s.figures.response_rate for s in summaries], PALETTE[6]),
            Series(_("satisfaction (level ≥ 1)"),
                   [s.figures.satisfaction_rate for s in summaries], PALETTE[4]),
            Series(_("loyalty (level ≥ 2)"),
                   [s.figures.loyalty_rate for s in summaries], PALETTE[3]),
            Series(_("advocacy (level 3)"),
                   [s.figures.advocacy_rate for s in summaries], PALETTE[5]),
        ],
    )  # fmt: skip
