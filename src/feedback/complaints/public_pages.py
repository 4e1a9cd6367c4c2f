"""Customer pages of complaints: the public complaint form and the follow-up question."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from feedback.clock import Clock
from feedback.complaints import followup, intake
from feedback.complaints.customer_links import LinkNotUsable
from feedback.complaints.deadlines import SlaPolicy, policy_of
from feedback.complaints.intake import MAX_NAME, WebComplaint
from feedback.complaints.states import MAX_TEXT
from feedback.config import Settings
from feedback.mail.services import MailContext
from feedback.web import i18n
from feedback.web.access import PUBLIC, allow
from feedback.web.customer_pages import CustomerPages, customer_language, customer_page
from feedback.web.injected import InjectedClock

__all__ = ["CUSTOMER_POST_PATHS", "ComplaintFormPages", "FollowUpPages"]

AnyRequest = Request[Any, Any, Any]
# Posts from people without a login, rate limited per client address in app.py.
CUSTOMER_POST_PATHS = ("/complaints/new", "/f/")


def _mail_context(settings: Settings) -> MailContext:
    return MailContext(base_url=settings.base_url)


def _form(
    request: AnyRequest, values: WebComplaint, token: str, errors: dict[str, str], status: int
) -> Response[str]:
    """The form in the language of ``values``, keeping what was typed."""
    context = {
        "values": values, "account_token": token, "errors": errors,
        # The language switch keeps the link that names the account.
        "keep_query": f"&account={quote(token)}" if token else "",
        "categories": intake.CATEGORIES, "max_text": MAX_TEXT, "max_name": MAX_NAME,
    }  # fmt: skip
    template = "complaints/customer/form.html"
    return customer_page(request, template, values.language, status, context)


class ComplaintFormPages(CustomerPages):
    """The public form: anyone may write; a link in ``account`` names the customer's account."""

    path = "/complaints"
    thanks_template = "complaints/customer/thanks.html"

    @get("/new", opt=allow(PUBLIC))
    async def form(
        self, request: AnyRequest, account: FromQuery[str] = "", lang: FromQuery[str] = ""
    ) -> Response[str]:
        language = customer_language(request, lang)
        empty = WebComplaint(name="", email="", category="", description="", language=language)
        return _form(request, empty, account, {}, 200)

    @post("/new", opt=allow(PUBLIC), status_code=303)
    async def submit(
        self,
        request: AnyRequest,
        clock: InjectedClock,
        sla_policy: NamedDependency[SlaPolicy],
        settings: NamedDependency[Settings],
        lang: FromQuery[str] = "",
    ) -> Response[Any]:
        raw = await request.form()
        language = customer_language(request, lang)
        values = WebComplaint(
            name=str(raw.get("name", "")), email=str(raw.get("email", "")),
            category=str(raw.get("category", "")),
            # Browsers send a textarea's line breaks as CRLF but count them as one character.
            description=str(raw.get("description", "")).replace("\r\n", "\n"),
            language=language,
        )  # fmt: skip
        token = str(raw.get("account", ""))
        errors = intake.check_web_complaint(values)
        if errors:
            return _form(request, values, token, errors, 400)
        await intake.submit_web_complaint(
            values, token, clock.now(), sla_policy, _mail_context(settings)
        )
        return self.to_thanks(language)


class FollowUpPages(CustomerPages):
    """ "Are you satisfied with how we resolved this?": opening the link records nothing."""

    path = "/f"
    thanks_template = "complaints/customer/follow_up_thanks.html"
    invalid_link_template = "complaints/customer/invalid.html"

    async def _question(
        self, request: AnyRequest, clock: Clock, token: str, lang: str, status: int
    ) -> Response[str]:
        try:
            asked = await followup.follow_up_question(token, clock.now())
        except LinkNotUsable:
            return self.invalid_link(request, lang)
        language = i18n.choose_language(lang, asked.language)
        context = {"question": asked, "max_text": MAX_TEXT, "missing": status == 400}
        template = "complaints/customer/follow_up.html"
        return customer_page(request, template, language, status, context)

    @get("/{token:str}", opt=allow(PUBLIC))
    async def question(
        self,
        request: AnyRequest,
        clock: InjectedClock,
        token: FromPath[str],
        lang: FromQuery[str] = "",
    ) -> Response[str]:
        return await self._question(request, clock, token, lang, 200)

    @post("/{token:str}", opt=allow(PUBLIC), status_code=303)
    async def answer(
        self,
        request: AnyRequest,
        clock: InjectedClock,
        settings: NamedDependency[Settings],
        token: FromPath[str],
        lang: FromQuery[str] = "",
    ) -> Response[Any]:
        raw = await request.form()
        answer = raw.get("satisfied")
        if answer not in ("yes", "no"):
            return await self._question(request, clock, token, lang, 400)
        try:
            answered = followup.FollowUpAnswer(answer == "yes", str(raw.get("comment", "")))
            await followup.answer_follow_up(
                token, answered, clock.now(), policy_of(settings), _mail_context(settings)
            )
        except LinkNotUsable:
            return self.invalid_link(request, lang)
        return self.to_thanks(customer_language(request, lang))
