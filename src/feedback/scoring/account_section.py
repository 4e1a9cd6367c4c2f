"""Churn risk on the account page, and the trend chart it shares with the risk page."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from feedback.accounts.schemas import AccountDetail
from feedback.accounts.sections import AccountSection
from feedback.accounts.staff import StaffMember
from feedback.scoring import risk
from feedback.scoring.schemas import ScoreHistory
from feedback.web.charts import PALETTE, Series, line_chart

__all__ = ["TREND_POINTS", "churn_section", "trend_chart"]

# The account page shows the latest scores; the risk page has the whole history.
TREND_POINTS = 6


def trend_chart(history: ScoreHistory) -> Markup:
    """The probability at each scored day, oldest first."""
    return line_chart(
        "churn-trend",
        f"Churn probability of {history.code} by scored day",
        f"{len(history.items)} scores; the table below gives each one.",
        [point.as_of.isoformat() for point in history.items],
        [Series("probability of churn", [p.probability for p in history.items], PALETTE[0])],
    )


async def churn_section(
    account: AccountDetail, viewer: StaffMember, now: dt.datetime
) -> AccountSection | None:
    """The latest probability, band and reasons, the change since the score before, and a
    chart of the latest scores; nothing for staff who do not read churn risk (agents)."""
    if viewer.role not in risk.RISK_READERS:
        return None
    recent = ScoreHistory(account.code, await risk.recent_scores(account.id, TREND_POINTS))
    return AccountSection(
        "scoring/account_section.html",
        {
            "code": account.code,
            "points": recent.items,
            "latest": recent.items[-1] if recent.items else None,
            "before": recent.items[-2] if len(recent.items) > 1 else None,
            "chart": trend_chart(recent) if len(recent.items) > 1 else None,
        },
    )
