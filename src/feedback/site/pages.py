"""Site-wide routes: health, each role's landing page, the administration home, the staff
login and logout pages, and the JSON login."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, JSONBody
from litestar.response import Redirect, Template

from feedback import db
from feedback.accounts import staff
from feedback.accounts.injected import Viewer
from feedback.accounts.roles import ALL_STAFF, Role
from feedback.accounts.schemas import LoginIn, MeOut
from feedback.accounts.staff import StaffMember
from feedback.clock import Clock
from feedback.config import Settings
from feedback.errors import InvalidInput, NotAuthenticated
from feedback.site.csrf import with_csrf_cookie
from feedback.web.access import PUBLIC, SESSION_COOKIE, allow
from feedback.web.injected import InjectedClock

__all__ = ["LANDING", "AuthApi", "SitePages"]

# Where each role works: agents and supervisors the complaint queue, account managers their
# week, administrators the administration home.
LANDING = {
    Role.agent: "/complaints",
    Role.supervisor: "/complaints",
    Role.account_manager: "/my-week",
    Role.admin: "/admin",
}


class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = "/"


def _safe_next(target: str) -> str:
    """Only same-site paths, so the login form cannot send people elsewhere."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


async def _open_session(
    request: Request[Any, Any, Any], email: str, password: str, clock: Clock, settings: Settings
) -> tuple[StaffMember, str]:
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await staff.end_session(old)
    return await staff.log_in(email, password, clock.now(), settings.session_hours)


def _with_session_cookie(response: Response[Any], settings: Settings, token: str) -> Response[Any]:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.production,
        samesite="lax",
    )
    return response


async def _close_session(request: Request[Any, Any, Any], response: Response[Any]) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await staff.end_session(token)
    response.delete_cookie(SESSION_COOKIE)


class SitePages(Controller):
    include_in_schema = False

    @get("/", opt=allow(ALL_STAFF))
    async def home(self, viewer: Viewer) -> Redirect:
        """Each role lands where it works."""
        return Redirect(LANDING[viewer.role])

    @get("/admin", opt=allow({Role.admin}))
    async def admin_home(self, viewer: Viewer) -> Template:
        return Template("admin/home.html", context={"user": viewer})

    @get("/health", opt=allow(PUBLIC), include_in_schema=True, summary="Check the service")
    async def health(self) -> dict[str, str]:
        """Whether the service answers and reaches its database."""
        await db.ping()
        return {"status": "ok"}

    @get("/login", opt=allow(PUBLIC))
    async def login_page(self, next: FromQuery[str] = "/") -> Template:
        return Template("login.html", context={"next": _safe_next(next), "error": None})

    @post("/login", opt=allow(PUBLIC), status_code=303)
    async def log_in(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        clock: InjectedClock,
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        try:
            _, token = await _open_session(request, data.email, data.password, clock, settings)
        except NotAuthenticated as exc:
            return Template(
                "login.html",
                context={"next": _safe_next(data.next), "error": exc.message, "email": data.email},
                status_code=401,
            )
        return _with_session_cookie(
            Redirect(_safe_next(data.next), status_code=303), settings, token
        )

    @post("/logout", opt=allow(ALL_STAFF), status_code=303)
    async def log_out(self, request: Request[Any, Any, Any]) -> Response[Any]:
        response: Response[Any] = Redirect("/login", status_code=303)
        await _close_session(request, response)
        return response


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/login", opt=allow(PUBLIC), status_code=200, summary="Log in")
    async def log_in(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        clock: InjectedClock,
        settings: NamedDependency[Settings],
    ) -> Response[MeOut]:
        """Open a session. The session cookie it sets authenticates later API calls; the
        ``csrftoken`` cookie it sets (unless the client has one) is what unsafe calls repeat
        in the ``x-csrftoken`` header."""
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise InvalidInput("send the credentials as application/json")
        member, token = await _open_session(request, data.email, data.password, clock, settings)
        me = MeOut(id=member.id, email=member.email, name=member.name, role=member.role.value)
        return with_csrf_cookie(
            request, _with_session_cookie(Response(me), settings, token), settings
        )

    @post("/logout", opt=allow(ALL_STAFF), status_code=204, summary="Log out")
    async def log_out(self, request: Request[Any, Any, Any]) -> Response[None]:
        """End the session; its cookie no longer authenticates anything."""
        response: Response[None] = Response(None, status_code=204)
        await _close_session(request, response)
        return response

    @get("/me", opt=allow(ALL_STAFF), summary="Who is logged in")
    async def me(self, request: Request[StaffMember, Any, Any]) -> MeOut:
        """The staff member the session belongs to, with their role."""
        member = request.user
        return MeOut(id=member.id, email=member.email, name=member.name, role=member.role.value)
