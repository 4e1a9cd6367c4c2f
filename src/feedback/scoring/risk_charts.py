"""The churn trend of an account, drawn by the one chart helper (feedback.web.charts)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from feedback.scoring.schemas import ScoreHistory
from feedback.web.charts import PALETTE, Caption, Series, line_chart

__all__ = ["trend_chart"]


def _as_written(message: str) -> str:
    return message


def trend_chart(history: ScoreHistory, _: Callable[[str], str] = _as_written) -> Markup:
    """The probability at each scored day, oldest first; ``_`` translates the chart's words."""
    caption = Caption(
        "churn-trend",
        _("Churn probability of {code} by scored day").format(code=history.code),
        _("{count} scores; the table below gives each one.").format(count=len(history.items)),
    )
    return line_chart(
        caption,
        [point.as_of.isoformat() for point in history.items],
        [Series(_("probability of churn"), [p.probability for p in history.items], PALETTE[0])],
    )
