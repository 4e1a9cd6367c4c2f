"""HTTP layer of churn scores: the drifting-accounts page, an account's risk page, the API."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from feedback.accounts.injected import Viewer
from feedback.accounts.staff import StaffMember
from feedback.languages import DEFAULT_LANGUAGE, HTML_LANG, LANGUAGE_NAMES, LANGUAGES
from feedback.scoring import risk
from feedback.scoring.bands import BAND_FLOORS, Band
from feedback.scoring.risk_charts import trend_chart
from feedback.scoring.schemas import ScoreFilters, ScoreHistory, ScorePage
from feedback.web.access import allow

__all__ = ["ScoreApi", "ScorePages"]

CURSOR = QueryParameter(description="next_cursor of the previous page")
LANG = QueryParameter(
    description=f"the language of the reasons' text: {', '.join(LANGUAGES)}", required=False
)
Lang = Annotated[str, LANG]


def _page_filters(
    band: FromQuery[str] = "",
    after: Annotated[int | None, CURSOR] = None,
    lang: Lang = DEFAULT_LANGUAGE,
) -> ScoreFilters:
    """The drifting page shows PAGE_SIZE accounts at a time."""
    return ScoreFilters(band=band, limit=risk.PAGE_SIZE, after=after, language=lang)


def _api_filters(
    band: FromQuery[str] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=risk.MAX_PAGE)] = risk.PAGE_SIZE,
    after: Annotated[int | None, CURSOR] = None,
    lang: Lang = DEFAULT_LANGUAGE,
) -> ScoreFilters:
    return ScoreFilters(band=band, limit=limit, after=after, language=lang)


async def _drifting(viewer: StaffMember, filters: ScoreFilters) -> ScorePage:
    return await risk.drifting(viewer, filters.band, filters.limit, filters.after, filters.language)


def _reason_languages(language: str) -> dict[str, object]:
    """The pages are in English; their reasons may be read in any language (``?lang=``)."""
    return {"reason_language": language, "reason_lang": HTML_LANG[language],
            "language_names": LANGUAGE_NAMES}  # fmt: skip


class ScorePages(Controller):
    include_in_schema = False
    opt = allow(risk.RISK_READERS)

    @get("/drifting", dependencies={"filters": Provide(_page_filters, sync_to_thread=False)})
    async def drifting_page(
        self, viewer: Viewer, filters: NamedDependency[ScoreFilters]
    ) -> Template:
        context = {
            "page": await _drifting(viewer, filters),
            "band": filters.band,
            "bands": [b.value for b in Band],
            "floors": {b.value: floor for b, floor in BAND_FLOORS.items()},
            "page_size": risk.PAGE_SIZE,
            "user": viewer,
            **_reason_languages(filters.language),
        }
        return Template("scoring/drifting.html", context=context)

    @get("/accounts/{code:str}/churn")
    async def account_risk_page(
        self, viewer: Viewer, code: FromPath[str], lang: Lang = DEFAULT_LANGUAGE
    ) -> Template:
        history = await risk.account_history(code, viewer, lang)
        chart = trend_chart(history) if len(history.items) > 1 else None
        context = {"history": history, "chart": chart, "user": viewer, **_reason_languages(lang)}
        return Template("scoring/account.html", context=context)


class ScoreApi(Controller):
    tags = ("scoring",)
    opt = allow(risk.RISK_READERS)

    @get(
        "/api/v1/scores",
        dependencies={"filters": Provide(_api_filters, sync_to_thread=False)},
        summary="List churn scores",
    )
    async def scores(self, viewer: Viewer, filters: NamedDependency[ScoreFilters]) -> ScorePage:
        """The latest scores by probability x 12-month revenue; managers see their portfolio."""
        return await _drifting(viewer, filters)

    @get("/api/v1/accounts/{code:str}/scores", summary="Read an account's score history")
    async def account_scores(
        self, viewer: Viewer, code: FromPath[str], lang: Lang = DEFAULT_LANGUAGE
    ) -> ScoreHistory:
        """Every score of one account, oldest first."""
        return await risk.account_history(code, viewer, lang)
