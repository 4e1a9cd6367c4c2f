"""create_app(): routes, middleware, error mapping and the database lifecycle."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from litestar import Litestar, Request, Response, Router
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.datastructures import ResponseHeader, State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler, ExceptionHandlersMap, LifespanHook

from feedback import TEMPLATES_DIR
from feedback.accounts.controllers import (
    AccountApi,
    AccountPages,
    DisplayNameApi,
    DisplayNamePages,
)
from feedback.accounts.sections import SectionSource
from feedback.accounts.staff import StaffMember, member_for_session
from feedback.clock import Clock
from feedback.complaints.controllers import ComplaintApi, ComplaintPages
from feedback.complaints.deadlines import SlaPolicy, policy_of
from feedback.complaints.public_pages import (
    CUSTOMER_POST_PATHS,
    ComplaintFormPages,
    FollowUpPages,
)
from feedback.config import Settings
from feedback.db import Database
from feedback.errors import DomainError, InvalidTransition
from feedback.piccolo_conf import all_tables
from feedback.reports.controllers import ReportPages
from feedback.reports.delivery_controllers import (
    ReportDeliveryApi,
    ReportDeliveryPages,
    ReportMailApi,
    ReportMailPages,
)
from feedback.reports.pdf import start_renderers, stop_renderers
from feedback.scoring.controllers import ScoreApi, ScorePages
from feedback.site.account_sections import ACCOUNT_SECTIONS
from feedback.site.api_contract import ApiContract, security_components
from feedback.site.api_reference import SwaggerReference
from feedback.site.csrf import LOGIN_PATH, csrf_config
from feedback.site.pages import AuthApi, SitePages
from feedback.site.week_controllers import MyWeekApi, MyWeekPages
from feedback.surveys.controllers import QuestionnaireApi, SurveyPages, WaveApi, WavePages
from feedback.surveys.staff_controllers import StaffAnswerApi, StaffAnswerPages
from feedback.web.access import PUBLIC, StaffSessionMiddleware, access_guard
from feedback.web.logs import TokenRedactingFilter, redact_links

__all__ = ["create_app"]

STATIC_DIR = Path(__file__).parent / "web" / "static"
LOGIN_PATHS = ("/login", LOGIN_PATH)
log = logging.getLogger("feedback")

SECURITY_HEADERS = [
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
]


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return not request.url.path.startswith(("/api/", "/schema", "/health"))


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    if _wants_html(request):
        return Template(
            template_name="error.html",
            # The viewer, when logged in, so that the page keeps the navigation.
            context={"status": status, "message": message, "user": request.scope.get("user")},
            status_code=status,
        )
    return Response({"status_code": status, "detail": message}, status_code=status)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if exc.status_code == 401 and _wants_html(request):
        return Redirect(f"/login?next={quote(request.url.path)}")
    if isinstance(exc, InvalidTransition) and not _wants_html(request):
        body = {"status_code": 409, "detail": exc.message, "allowed_actions": list(exc.allowed)}
        return Response(body, status_code=409)
    return _error_page(request, exc.status_code, exc.message)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException) and not _wants_html(request):
        return Response(
            {"status_code": 400, "detail": exc.detail, "extra": exc.extra},
            status_code=400,
        )
    return _error_page(request, exc.status_code, exc.detail)


def _unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, redact_links(request.url.path))
    return _error_page(request, 500, "Something went wrong on our side; it has been logged.")


async def _throttle_logins(request: Request[Any, Any, Any]) -> bool:
    # Async for the same reason as access_guard: a plain function would run in a thread.
    return request.method == "POST" and request.url.path in LOGIN_PATHS


def _throttle_customer_posts(request: Request[Any, Any, Any]) -> bool:
    return request.method == "POST" and request.url.path.startswith(CUSTOMER_POST_PATHS)


def _settings(state: State) -> Settings:
    return cast(Settings, state.settings)


def _clock(state: State) -> Clock:
    return cast(Clock, state.clock)


def _sla_policy(settings: NamedDependency[Settings]) -> SlaPolicy:
    return policy_of(settings)


def _account_sections(state: State) -> Sequence[SectionSource]:
    return cast(Sequence[SectionSource], state.account_sections)


def _viewer(request: Request[StaffMember, Any, Any]) -> StaffMember:
    """The staff member StaffSessionMiddleware found for the session."""
    return request.user


# What handlers declare by name (see web/injected.py); tests/api/test_dependencies.py keeps
# every request parameter's name apart from these.
DEPENDENCIES = {
    "settings": Provide(_settings, sync_to_thread=False),
    "clock": Provide(_clock, sync_to_thread=False),
    "sla_policy": Provide(_sla_policy, sync_to_thread=False),
    "account_sections": Provide(_account_sections, sync_to_thread=False),
    "viewer": Provide(_viewer, sync_to_thread=False),
}


# The domains' controllers; the static files router is made per app, as routers belong to one.
CONTROLLERS: list[ControllerRouterHandler] = [
    SitePages,
    AuthApi,
    AccountPages,
    AccountApi,
    DisplayNameApi,
    DisplayNamePages,
    SurveyPages,
    StaffAnswerPages,
    StaffAnswerApi,
    WaveApi,
    WavePages,
    QuestionnaireApi,
    ComplaintPages,
    ComplaintApi,
    ScorePages,
    ScoreApi,
    ReportPages,
    ReportMailPages,
    ReportMailApi,
    ReportDeliveryPages,
    ReportDeliveryApi,
    MyWeekPages,
    MyWeekApi,
    ComplaintFormPages,
    FollowUpPages,
]

EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_error,
    NotAuthorizedException: _http_error,
    PermissionDeniedException: _http_error,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="feedback",
        version="1",
        description="Satisfaction surveys, complaint tickets and churn scoring.",
        path="/schema",
        # An API handler's docstring is its operation's description.
        use_handler_docstrings=True,
        components=security_components(),
        # The reference is the default page at /schema; the document stays at its own path.
        render_plugins=[SwaggerReference(), JsonRenderPlugin()],
        openapi_router=Router(
            path="/schema", route_handlers=[], opt={"access": PUBLIC}, include_in_schema=False
        ),
    )


def _middleware(settings: Settings) -> list[Any]:
    """Staff sessions, then the login and customer-post rate limits."""
    return [
        DefineMiddleware(
            StaffSessionMiddleware,
            find_member=member_for_session,
            exclude=["^/static/", "^/health$", "^/schema", "^/s/", "^/f/"],
        ),
        RateLimitConfig(
            rate_limit=("minute", settings.login_attempts_per_minute),
            check_throttle_handler=_throttle_logins,
        ).middleware,
        RateLimitConfig(
            rate_limit=("hour", settings.customer_posts_per_hour),
            check_throttle_handler=_throttle_customer_posts,
            store="customer_post_rate_limit",
        ).middleware,
    ]


def _lifecycle(
    database: Database, owned: bool, renderers: int
) -> tuple[list[LifespanHook], list[LifespanHook]]:
    """Bind the tables to ``database``, open and close it with the app when the app ``owned``
    it, and start (up to ``renderers``) and stop the report renderers."""
    database.bind(all_tables())

    async def open_database() -> None:
        logging.getLogger("uvicorn.access").addFilter(TokenRedactingFilter())
        if owned:
            await database.open()

    async def close_database() -> None:
        if owned:
            await database.close()

    def start_rendering() -> None:
        start_renderers(renderers)

    return [open_database, start_rendering], [close_database, stop_renderers]


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    clock: Clock | None = None,
) -> Litestar:
    """Build the service. A database passed in is bound here but opened and closed by its owner."""
    settings = settings or Settings.from_env()
    policy_of(settings)  # read now: a bad policy file stops the service before it serves
    owned = database is None
    on_startup, on_shutdown = _lifecycle(
        database or Database(settings.database_url), owned, settings.renderers
    )
    return Litestar(
        route_handlers=[
            *CONTROLLERS,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], opt={"access": PUBLIC}
            ),
        ],
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        state=State(
            {
                "settings": settings,
                "clock": clock or settings.clock(),
                # The accounts domain shows what the domains built on it add to its page.
                "account_sections": ACCOUNT_SECTIONS,
            }
        ),
        dependencies=DEPENDENCIES,
        guards=[access_guard],
        middleware=_middleware(settings),
        csrf_config=csrf_config(settings),
        allowed_hosts=AllowedHostsConfig(allowed_hosts=list(settings.allowed_hosts)),
        response_headers=SECURITY_HEADERS,
        request_max_body_size=settings.max_body_bytes,
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine),
        openapi_config=_openapi(),
        plugins=[ApiContract()],
        exception_handlers=EXCEPTION_HANDLERS,
        debug=False,
    )
