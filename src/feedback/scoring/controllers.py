"""HTTP layer of churn scores: the drifting-accounts page, an account's risk page, the API."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from feedback.accounts.staff import StaffMember
from feedback.scoring import risk
from feedback.scoring.bands import BAND_FLOORS, Band
from feedback.scoring.risk_charts import trend_chart
from feedback.scoring.schemas import ScoreHistory, ScorePage
from feedback.web.access import allow

__all__ = ["ScoreApi", "ScorePages"]

StaffRequest = Request[StaffMember, Any, Any]
CURSOR = QueryParameter(description="next_cursor of the previous page")


class ScorePages(Controller):
    include_in_schema = False
    opt = allow(risk.RISK_READERS)

    @get("/drifting")
    async def drifting_page(
        self,
        request: StaffRequest,
        band: FromQuery[str] = "",
        after: Annotated[int | None, CURSOR] = None,
    ) -> Template:
        page = await risk.drifting(request.user, band, risk.PAGE_SIZE, after)
        context = {
            "page": page,
            "band": band,
            "bands": [b.value for b in Band],
            "floors": {b.value: floor for b, floor in BAND_FLOORS.items()},
            "page_size": risk.PAGE_SIZE,
            "user": request.user,
        }
        return Template("scoring/drifting.html", context=context)

    @get("/accounts/{code:str}/churn")
    async def account_risk_page(self, request: StaffRequest, code: FromPath[str]) -> Template:
        history = await risk.account_history(code, request.user)
        chart = trend_chart(history) if len(history.items) > 1 else None
        context = {"history": history, "chart": chart, "user": request.user}
        return Template("scoring/account.html", context=context)


class ScoreApi(Controller):
    tags = ("scoring",)
    opt = allow(risk.RISK_READERS)

    @get("/api/v1/scores")
    async def scores(
        self,
        request: StaffRequest,
        band: FromQuery[str] = "",
        limit: Annotated[int, QueryParameter(ge=1, le=risk.MAX_PAGE)] = risk.PAGE_SIZE,
        after: Annotated[int | None, CURSOR] = None,
    ) -> ScorePage:
        """The latest scores by probability x 12-month revenue; managers see their portfolio."""
        return await risk.drifting(request.user, band, limit, after)

    @get("/api/v1/accounts/{code:str}/scores")
    async def account_scores(self, request: StaffRequest, code: FromPath[str]) -> ScoreHistory:
        """Every score of one account, oldest first."""
        return await risk.account_history(code, request.user)
