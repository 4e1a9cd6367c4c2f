"""Pages for customers (no login): rendered in their language, with the form's CSRF field."""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.params import FromQuery
from litestar.response import Redirect
from litestar.template.base import csrf_token
from markupsafe import Markup

from feedback.web import i18n
from feedback.web.access import PUBLIC, allow

__all__ = [
    "CustomerPages",
    "csrf_input",
    "customer_language",
    "customer_page",
]

AnyRequest = Request[Any, Any, Any]
# Unknown, used and expired links all get the same page and status, so links cannot be probed.
INVALID_LINK_STATUS = 404


def csrf_input(request: AnyRequest) -> Markup:
    """The hidden CSRF field of the customer's forms."""
    # The CSRF middleware keeps the token it set or verified in the scope, so a form shown
    # again after a POST can be sent again.
    token = csrf_token({"request": request})
    return Markup('<input type="hidden" name="_csrf_token" value="{}">').format(token)


def customer_page(
    request: AnyRequest,
    template: str,
    language: str,
    status: int,
    context: dict[str, Any] | None = None,
) -> Response[str]:
    """Render ``template`` in ``language`` with ``csrf_input`` for its forms."""
    html = i18n.render(template, language, {**(context or {}), "csrf_input": csrf_input(request)})
    return Response(html, status_code=status, media_type=MediaType.HTML)


def customer_language(request: AnyRequest, lang: str, known: str | None = None) -> str:
    """``?lang=``, else the customer's known language, else the browser's."""
    return i18n.choose_language(lang, known, request.headers.get("accept-language"))


class CustomerPages(Controller):
    """Customers never log in: their pages stay out of the API description and are never
    cached. Each set of pages has its thanks page at ``thanks`` below its path and, for
    personal links, one page for every link that cannot be used."""

    include_in_schema = False
    cache_control = CacheControlHeader(no_store=True)
    thanks_template: ClassVar[str]
    invalid_link_template: ClassVar[str]

    @get("/thanks", opt=allow(PUBLIC))
    async def thanks(self, request: AnyRequest, lang: FromQuery[str] = "") -> Response[str]:
        language = customer_language(request, lang)
        return customer_page(request, self.thanks_template, language, 200)

    def to_thanks(self, language: str) -> Redirect:
        """The answer to a form sent: on to the thanks page, in the form's language."""
        return Redirect(f"{self.path}/thanks?lang={language}", status_code=303)

    def invalid_link(self, request: AnyRequest, lang: str) -> Response[str]:
        """The same page, status and language rules whatever made the link unusable."""
        language = customer_language(request, lang)
        return customer_page(request, self.invalid_link_template, language, INVALID_LINK_STATUS)
