"""Pages for customers (no login): rendered in their language, with the form's CSRF field."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.template.base import csrf_token
from markupsafe import Markup

from feedback.web import i18n

__all__ = ["csrf_input", "customer_page"]


def csrf_input(request: Request[Any, Any, Any]) -> Markup:
    """The hidden CSRF field of the customer's forms."""
    # The CSRF middleware keeps the token it set or verified in the scope, so a form shown
    # again after a POST can be sent again.
    token = csrf_token({"request": request})
    return Markup('<input type="hidden" name="_csrf_token" value="{}">').format(token)


def customer_page(
    request: Request[Any, Any, Any],
    template: str,
    language: str,
    status: int,
    context: dict[str, Any] | None = None,
) -> Response[str]:
    """Render ``template`` in ``language`` with ``csrf_input`` for its forms."""
    html = i18n.render(template, language, {**(context or {}), "csrf_input": csrf_input(request)})
    return Response(html, status_code=status, media_type=MediaType.HTML)
