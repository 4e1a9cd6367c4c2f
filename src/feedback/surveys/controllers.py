"""HTTP layer of the customer survey: the questionnaire behind a personal link, and thanks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter
from litestar.response import Template
from markupsafe import Markup

from feedback.accounts.roles import ALL_STAFF, Role
from feedback.accounts.staff import StaffMember
from feedback.complaints.deadlines import SlaPolicy
from feedback.errors import InvalidInput
from feedback.languages import LANGUAGES
from feedback.surveys import answers, overview, results, services
from feedback.surveys.answers import LinkNotUsable, OpenInvitation
from feedback.surveys.levels import Level
from feedback.surveys.messages import questionnaire_text
from feedback.surveys.quadrant import Quadrant
from feedback.surveys.questionnaire import MAX_COMMENT, Answer, ItemKind
from feedback.surveys.result_charts import LEVEL_LABELS, level_chart, trend_chart
from feedback.surveys.schemas import (
    QuestionnaireIn,
    QuestionnaireOut,
    WaveResultsOut,
    WaveSummaryOut,
    results_out,
    summary_out,
)
from feedback.web import i18n
from feedback.web.access import PUBLIC, allow
from feedback.web.api_errors import refusal
from feedback.web.customer_pages import CustomerPages, csrf_input, customer_page
from feedback.web.injected import InjectedClock

__all__ = ["QuestionnaireApi", "SurveyPages", "WaveApi", "WavePages"]

AnyRequest = Request[Any, Any, Any]
StaffRequest = Request[StaffMember, Any, Any]
LEVEL_VALUES = frozenset(str(int(level)) for level in Level)
RATING_VALUES = frozenset("12345")
# Where a cached blank form takes each customer's CSRF field.
CSRF_SLOT = Markup("<!-- csrf -->")


@dataclass
class FormValues:
    """What the customer sent, kept to show the form again without losing their text."""

    level: str = ""
    aspects: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    may_contact: bool = False


@dataclass
class ReadAnswer:
    values: FormValues
    errors: dict[str, str]
    answer: Answer | None


def _read_form(form: Mapping[str, Any], invitation: OpenInvitation) -> ReadAnswer:
    """Parse the posted fields; errors are codes the template words in the page's language."""
    asked = [item["key"] for item in invitation.items if item["kind"] == ItemKind.aspect.value]
    # Browsers send a textarea's line breaks as CRLF but count them as one character.
    comment = str(form.get("comment", "")).replace("\r\n", "\n")
    values = FormValues(
        level=str(form.get("level", "")),
        aspects={key: str(form.get(key, "")) for key in asked},
        comment=comment,
        may_contact=bool(form.get("may_contact")),
    )
    errors = {}
    if values.level not in LEVEL_VALUES:
        errors["level"] = "missing"
    if any(rating and rating not in RATING_VALUES for rating in values.aspects.values()):
        errors["aspects"] = "out_of_range"
    if len(comment) > MAX_COMMENT:
        errors["comment"] = "too_long"
    if errors:
        return ReadAnswer(values, errors, None)
    answer = Answer(
        level=int(values.level),
        aspects={key: int(rating) for key, rating in values.aspects.items() if rating},
        comment=comment,
        may_contact=values.may_contact,
    )
    return ReadAnswer(values, errors, answer)


def _form_context(
    language: str, period: str, items: Sequence[Mapping[str, str]], read: ReadAnswer | None
) -> dict[str, Any]:
    kinds = {item["kind"] for item in items}
    return {
        "words": questionnaire_text(language),
        "period": period,
        "aspects": [i["key"] for i in items if i["kind"] == ItemKind.aspect.value],
        "asks_comment": ItemKind.comment.value in kinds,
        "asks_contact": ItemKind.may_contact.value in kinds,
        "max_comment": MAX_COMMENT,
        "values": read.values if read else FormValues(),
        "errors": read.errors if read else {},
    }


@lru_cache(maxsize=64)
def _blank_form(language: str, period: str, items: tuple[tuple[str, str], ...]) -> str:
    """The questionnaire as first shown, rendered once per language, wave and questionnaire:
    only the CSRF field differs from one customer to the next."""
    context = _form_context(language, period, [{"kind": k, "key": v} for k, v in items], None)
    return i18n.render("survey/form.html", language, {**context, "csrf_input": CSRF_SLOT})


def _form_page(
    request: AnyRequest,
    invitation: OpenInvitation,
    lang: str,
    read: ReadAnswer | None = None,
) -> Response[str]:
    language = i18n.choose_language(lang, invitation.language)
    if read is None:
        items = tuple((item["kind"], item["key"]) for item in invitation.items)
        html = _blank_form(language, invitation.period, items)
        html = html.replace(CSRF_SLOT, csrf_input(request))
        return Response(html, status_code=200, media_type=MediaType.HTML)
    context = _form_context(language, invitation.period, invitation.items, read)
    status = 400 if read.errors else 200
    return customer_page(request, "survey/form.html", language, status, context)


class SurveyPages(CustomerPages):
    """Customers never log in: the link is the key, and a GET never changes anything."""

    path = "/s"
    thanks_template = "survey/thanks.html"
    invalid_link_template = "survey/invalid.html"

    @get("/{token:str}", opt=allow(PUBLIC))
    async def questionnaire(
        self,
        request: AnyRequest,
        clock: InjectedClock,
        token: FromPath[str],
        lang: FromQuery[str] = "",
    ) -> Response[str]:
        try:
            invitation = await answers.open_invitation(token, clock.now())
        except LinkNotUsable:
            return self.invalid_link(request, lang)
        return _form_page(request, invitation, lang)

    @post("/{token:str}", opt=allow(PUBLIC), status_code=303)
    async def answer(
        self,
        request: AnyRequest,
        clock: InjectedClock,
        sla_policy: NamedDependency[SlaPolicy],
        token: FromPath[str],
        lang: FromQuery[str] = "",
    ) -> Response[Any]:
        now = clock.now()
        # The form posts back to ?lang= of the language it was shown in.
        known = lang if lang in LANGUAGES else None
        try:
            invitation = await answers.open_invitation(token, now, known)
        except LinkNotUsable:
            return self.invalid_link(request, lang)
        read = _read_form(await request.form(), invitation)
        if read.answer is None:
            return _form_page(request, invitation, lang, read)
        try:
            await answers.record_response(
                token,
                read.answer,
                now,
                sla_policy,
                opened=invitation,
            )
        except LinkNotUsable:
            return self.invalid_link(request, lang)
        except InvalidInput:
            read.errors["form"] = "not_accepted"
            return _form_page(request, invitation, lang, read)
        return self.to_thanks(i18n.choose_language(lang, invitation.language))


async def _visible_results(period: str, viewer: StaffMember) -> results.WaveResults:
    return results.visible_results(await results.wave_results(period), viewer)


PERIOD_ERRORS = {
    400: refusal("The period is not like 2026-H1 or 2026-H2."),
    404: refusal("There is no wave for the period."),
}


class WaveApi(Controller):
    """Every staff role reads the figures; the per-account lists follow visible_results."""

    path = "/api/v1/waves"
    tags = ("waves",)
    opt = allow(ALL_STAFF)

    @get("/", summary="List waves")
    async def list_waves(self) -> list[WaveSummaryOut]:
        """Every wave, oldest first, with its headline figures."""
        return [summary_out(summary) for summary in await overview.wave_summaries()]

    @get("/{period:str}/results", responses=PERIOD_ERRORS, summary="Read a wave's results")
    async def wave_results(
        self,
        request: StaffRequest,
        period: Annotated[str, PathParameter(description="The half year, e.g. 2026-H2")],
    ) -> WaveResultsOut:
        """A wave's results, as `feedback waves results PERIOD --json` prints them.

        Account managers get the per-account lists (movement, dropped, quadrants) of their
        own portfolio only, agents none; ``accounts_shown`` says which.
        """
        return results_out(await _visible_results(period, request.user))


class WavePages(Controller):
    path = "/waves"
    include_in_schema = False
    opt = allow(ALL_STAFF)

    @get("/")
    async def waves_list(self, request: StaffRequest) -> Template:
        summaries = await overview.wave_summaries()
        return Template("waves/list.html", context={"waves": summaries[::-1], "user": request.user})

    @get("/{period:str}")
    async def wave_page(self, request: StaffRequest, period: FromPath[str]) -> Template:
        shown = await _visible_results(period, request.user)
        trend = [s for s in await overview.wave_summaries() if s.period <= shown.period]
        context = {
            "results": shown,
            "trend": trend,
            "level_chart": level_chart(shown.period, shown.overall),
            "trend_chart": trend_chart(trend),
            "level_labels": list(LEVEL_LABELS.values()),
            "quadrant_kinds": list(Quadrant),
            "user": request.user,
        }
        return Template("waves/detail.html", context=context)


class QuestionnaireApi(Controller):
    """Staff read the versions; administrators save a new one."""

    path = "/api/v1/questionnaires"
    tags = ("waves",)

    @get("/", opt=allow(ALL_STAFF), summary="List questionnaire versions")
    async def list_versions(self) -> list[QuestionnaireOut]:
        """Every version, newest first, with the waves that ask it."""
        versions = await services.questionnaire_versions()
        return [msgspec.convert(v, QuestionnaireOut, from_attributes=True) for v in versions]

    @post("/", opt=allow({Role.admin}), status_code=201, summary="Save a questionnaire version")
    async def save_version(
        self, clock: InjectedClock, data: JSONBody[QuestionnaireIn]
    ) -> QuestionnaireOut:
        """Save the items as the next version; waves created from now on ask it, waves that
        exist keep theirs (answers given never change meaning)."""
        items = [msgspec.structs.asdict(item) for item in data.items]
        version = await services.save_questionnaire(items, clock.now())
        saved = [v for v in await services.questionnaire_versions() if v.version == version]
        return msgspec.convert(saved[0], QuestionnaireOut, from_attributes=True)
