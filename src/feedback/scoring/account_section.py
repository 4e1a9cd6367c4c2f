"""Churn risk on the account page."""

from __future__ import annotations

import datetime as dt

from feedback.accounts.schemas import AccountDetail
from feedback.accounts.sections import AccountSection
from feedback.accounts.staff import StaffMember
from feedback.scoring import risk
from feedback.scoring.risk_charts import trend_chart
from feedback.scoring.schemas import ScoreHistory

__all__ = ["TREND_POINTS", "churn_section"]

# The account page shows the latest scores; the risk page has the whole history.
TREND_POINTS = 6


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
