"""The reports as printable HTML pages: the account report (its charts, then
reports/account.html), the portfolio report (reports/portfolio.html, each account's
section drawn as its account report is) and the wave report (reports/wave.html)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from feedback.reports.account import AccountReport
from feedback.reports.portfolio import PortfolioReport
from feedback.reports.visit_actions import next_visit_actions
from feedback.reports.wave import WaveReport
from feedback.scoring.risk_charts import trend_chart
from feedback.surveys import result_charts
from feedback.web.charts import PALETTE, Axis, Caption, Series, line_chart
from feedback.web.i18n import render, translations

__all__ = [
    "LEVELS",
    "css_string",
    "page_numbers",
    "portfolio_html",
    "report_html",
    "wave_html",
]

Translate = Callable[[str], str]
LEVELS = Axis(3, [(level, str(level)) for level in range(4)], lambda level: f"{level:.0f}")
PLACEHOLDER = re.compile(r"\{(page|pages)\}")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for the page margins, which CSS draws)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def page_numbers(_: Translate) -> Markup:
    """The CSS ``content`` of "Page N of M" in the report's language."""
    # Split on a group: text, counter name, text, ..., text (empty texts left out).
    parts = PLACEHOLDER.split(_("Page {page} of {pages}"))
    content = [
        f"counter({part})" if n % 2 else css_string(part)
        for n, part in enumerate(parts)
        if n % 2 or part
    ]
    return Markup(" ".join(content))  # noqa: S704 - CSS strings escaped above


def _level_chart(report: AccountReport, _: Translate) -> Markup:
    waves = report.waves
    caption = Caption(
        "levels",
        _("Satisfaction level of {code} by wave").format(code=report.account.code),
        _("{count} waves; the table below gives each level.").format(count=len(waves)),
    )
    return line_chart(
        caption,
        [wave.period for wave in waves],
        [Series(_("level (the lowest answer in the wave)"), [w.level for w in waves], PALETTE[4])],
        axis=LEVELS,
    )


def _account_parts(report: AccountReport, _: Translate) -> dict[str, Any]:
    """What the account's body (reports/_account.html) draws besides the report itself."""
    return {
        "report": report,
        "actions": next_visit_actions(report),
        "level_chart": _level_chart(report, _) if report.waves else None,
        "churn_chart": trend_chart(report.churn, _) if len(report.churn.items) > 1 else None,
    }


def report_html(report: AccountReport) -> str:
    """The finished page: everything inline, nothing for the renderer to fetch."""
    _ = translations(report.language).gettext
    context = {
        **_account_parts(report, _),
        "account": report.account,
        "page_numbers": page_numbers(_),
    }
    return render("reports/account.html", report.language, context)


def portfolio_html(report: PortfolioReport) -> str:
    """The portfolio's finished page: the summary and the lists, then each account's section
    on pages of its own; everything inline."""
    _ = translations(report.language).gettext
    context = {
        "report": report,
        "page_numbers": page_numbers(_),
        "sections": [_account_parts(section, _) for section in report.sections],
    }
    return render("reports/portfolio.html", report.language, context)


def wave_html(report: WaveReport) -> str:
    """The wave report's finished page, its charts inline."""
    _ = translations(report.language).gettext
    answered = report.summary.figures.answers > 0
    context = {
        "report": report,
        "page_numbers": page_numbers(_),
        "level_chart": (
            result_charts.level_chart(report.summary.period, report.summary.figures, _)
            if answered
            else None
        ),
        "trend_chart": result_charts.trend_chart(report.trend, _),
    }
    return render("reports/wave.html", report.language, context)
