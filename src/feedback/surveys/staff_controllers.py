"""HTTP layer for staff: answers customers gave by phone or on a visit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from feedback.accounts.injected import Viewer
from feedback.accounts.roles import ALL_STAFF
from feedback.accounts.staff import StaffMember
from feedback.clock import Clock
from feedback.complaints.deadlines import SlaPolicy
from feedback.errors import DomainError, InvalidInput
from feedback.surveys import answers
from feedback.surveys.answers import RecordedAnswer, StaffAnswerChoices
from feedback.surveys.levels import ASPECTS
from feedback.surveys.questionnaire import MAX_COMMENT, Answer
from feedback.surveys.schemas import RecordedAnswerOut, StaffAnswerIn
from feedback.web.access import allow
from feedback.web.injected import InjectedClock

__all__ = ["StaffAnswerApi", "StaffAnswerPages"]

StaffRequest = Request[StaffMember, Any, Any]
FORM_FIELDS = ("period", "contact_email", "channel", "level", *ASPECTS, "comment")


def _answer(data: StaffAnswerIn) -> Answer:
    return Answer(
        level=data.level,
        aspects=data.aspects,
        comment=data.comment,
        may_contact=data.may_contact,
    )


async def _record(
    period: str, data: StaffAnswerIn, viewer: StaffMember, clock: Clock, policy: SlaPolicy
) -> RecordedAnswer:
    given = answers.StaffAnswer(
        period,
        data.account_code,
        _answer(data),
        data.channel,
        contact_email=data.contact_email or None,
    )
    return await answers.record_staff_response(given, viewer, clock.now(), policy)


def _sent(form: Mapping[str, Any]) -> dict[str, str]:
    """The posted fields as sent, to show the form again without losing what was typed."""
    sent = {name: str(form.get(name, "")) for name in FORM_FIELDS}
    sent["comment"] = sent["comment"].replace("\r\n", "\n")
    sent["may_contact"] = "on" if form.get("may_contact") else ""
    return sent


def _typed(code: str, sent: Mapping[str, str]) -> StaffAnswerIn:
    """The form's fields checked by the API's schema, so both refuse the same answers."""
    if not sent["level"]:
        raise InvalidInput("choose the level the customer gave")
    fields: dict[str, Any] = {
        "account_code": code,
        "channel": sent["channel"],
        "level": sent["level"],
        "aspects": {aspect: sent[aspect] for aspect in ASPECTS if sent[aspect]},
        "comment": sent["comment"],
        "may_contact": bool(sent["may_contact"]),
        "contact_email": sent["contact_email"] or None,
    }
    try:
        return msgspec.convert(fields, StaffAnswerIn, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"the answer does not fit the form: {exc}") from exc


def _complaint_opened(request: StaffRequest) -> int | None:
    """The complaint the answer just recorded opened, named in the redirect's query."""
    complaint = request.query_params.get("complaint", "")
    return int(complaint) if complaint.isdigit() else None


def _form_page(
    request: StaffRequest,
    choices: StaffAnswerChoices,
    status: int = 200,
    sent: Mapping[str, str] | None = None,
    error: str | None = None,
) -> Template:
    return Template(
        "surveys/staff_answer.html",
        context={
            "user": request.user,
            "choices": choices,
            "aspects": ASPECTS,
            "max_comment": MAX_COMMENT,
            "sent": sent or {},
            "error": error,
            "recorded": request.query_params.get("recorded") == "1",
            "complaint": _complaint_opened(request),
        },
        status_code=status,
    )


class StaffAnswerPages(Controller):
    """Recording an answer a customer gave by phone or on a visit (key-account interviews)."""

    path = "/accounts/{code:str}/survey-answers"
    include_in_schema = False
    opt = allow(ALL_STAFF)
    cache_control = CacheControlHeader(no_store=True)

    @get("/new")
    async def answer_form(self, request: StaffRequest, code: FromPath[str]) -> Template:
        return _form_page(request, await answers.staff_answer_choices(code, request.user))

    @post("/", status_code=303)
    async def record_answer(
        self,
        request: StaffRequest,
        clock: InjectedClock,
        sla_policy: NamedDependency[SlaPolicy],
        code: FromPath[str],
    ) -> Response[Any]:
        choices = await answers.staff_answer_choices(code, request.user)
        sent = _sent(await request.form())
        try:
            typed = _typed(code, sent)
            recorded = await _record(sent["period"], typed, request.user, clock, sla_policy)
        except DomainError as exc:
            return _form_page(request, choices, exc.status_code, sent, exc.message)
        query = {"recorded": "1", "complaint": recorded.complaint_id or ""}
        return Redirect(f"{request.url.path.rstrip('/')}/new?{urlencode(query)}", status_code=303)


class StaffAnswerApi(Controller):
    path = "/api/v1/waves"
    tags = ("surveys",)
    opt = allow(ALL_STAFF)

    @post("/{period:str}/responses", status_code=201, summary="Record a survey answer")
    async def record_response(
        self,
        viewer: Viewer,
        clock: InjectedClock,
        sla_policy: NamedDependency[SlaPolicy],
        period: FromPath[str],
        data: JSONBody[StaffAnswerIn],
    ) -> RecordedAnswerOut:
        """Record an answer given by phone or on a visit; a level-0 answer, or a comment with a
        contact request, opens a complaint. Account managers record for their own accounts
        only."""
        recorded = await _record(period, data, viewer, clock, sla_policy)
        return RecordedAnswerOut(
            response_id=recorded.response_id,
            period=recorded.period,
            account_code=recorded.account_code,
            channel=recorded.channel.value,
            complaint_id=recorded.complaint_id,
        )
