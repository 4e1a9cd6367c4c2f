"""What the OpenAPI document promises about every API operation beyond its handler: who must
be logged in, the CSRF header, and the refusals (401, 403, 404) the access rules can give."""

from __future__ import annotations

from collections.abc import Mapping

from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

from feedback.site.csrf import CSRF_HEADER
from feedback.web.access import PUBLIC, SESSION_COOKIE
from feedback.web.api_errors import refusal

__all__ = ["ApiContract", "security_components"]

API_PREFIX = "/api/"
SESSION_SCHEME = "session"
CSRF_SCHEME = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Reading needs the session; changing anything needs the session and the CSRF header together.
READS: list[SecurityRequirement] = [{SESSION_SCHEME: []}]
WRITES: list[SecurityRequirement] = [{SESSION_SCHEME: [], CSRF_SCHEME: []}]

NOT_LOGGED_IN = refusal("No session, or it has ended: log in with POST /api/v1/auth/login.")
READ_REFUSED = refusal("The caller's role may not do this.")
WRITE_REFUSED = refusal(
    "The caller's role may not do this, or the x-csrftoken header does not match the "
    "csrftoken cookie."
)
NOT_FOUND = refusal("Nothing has the id in the path, or the caller may not see it.")


def security_components() -> Components:
    """The session cookie and the CSRF header as OpenAPI security schemes."""
    return Components(
        security_schemes={
            SESSION_SCHEME: SecurityScheme(
                type="apiKey",
                security_scheme_in="cookie",
                name=SESSION_COOKIE,
                description="The staff session that POST /api/v1/auth/login opens.",
            ),
            CSRF_SCHEME: SecurityScheme(
                type="apiKey",
                security_scheme_in="header",
                name=CSRF_HEADER,
                description="Unsafe methods repeat here the value of the csrftoken cookie, "
                "which logging in sets.",
            ),
        }
    )


def _refusals(writes: bool, has_path_id: bool) -> dict[int, ResponseSpec]:
    refusals = {401: NOT_LOGGED_IN, 403: WRITE_REFUSED if writes else READ_REFUSED}
    if has_path_id:
        refusals[404] = NOT_FOUND
    return refusals


def _document(handler: HTTPRouteHandler, has_path_id: bool) -> None:
    if handler.opt.get("access") == PUBLIC:
        return
    writes = not handler.http_methods <= SAFE_METHODS
    handler.security = WRITES if writes else READS
    declared: Mapping[int, ResponseSpec] = handler.responses or {}
    handler.responses = {**_refusals(writes, has_path_id), **declared}


class ApiContract(ReceiveRoutePlugin):
    """Documents each staff API operation as the access guard and the CSRF middleware treat it;
    an operation's own ``responses`` win over these general ones."""

    def receive_route(self, route: BaseRoute) -> None:
        if not (isinstance(route, HTTPRoute) and route.path.startswith(API_PREFIX)):
            return
        for handler in route.route_handlers:
            _document(handler, bool(route.path_parameters))
