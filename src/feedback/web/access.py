"""Who may use which route: every handler declares its audience, unknown means denied."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.errors import AccessDenied, NotAuthenticated

__all__ = [
    "ALL_STAFF",
    "PUBLIC",
    "SESSION_COOKIE",
    "StaffSessionMiddleware",
    "access_guard",
    "allow",
]

SESSION_COOKIE = "feedback_session"
PUBLIC = "public"
ALL_STAFF = frozenset(Role)


def allow(roles: Iterable[Role] | str) -> dict[str, Any]:
    """Route options naming who may call it: ``allow(PUBLIC)`` or ``allow({Role.admin})``."""
    return {"access": PUBLIC if roles == PUBLIC else frozenset(roles)}


class StaffSessionMiddleware(AbstractAuthenticationMiddleware):
    """Puts the staff member behind the session cookie (or None) on every request."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        member = None
        if token:
            member = await staff.member_for_session(token, connection.app.state.clock.now())
        return AuthenticationResult(user=member, auth=token if member else None)


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The one guard: checks the handler's declared audience against the staff member.

    Async although it awaits nothing: Litestar runs a plain function guard in a worker
    thread, which cost every request a thread hand-off.
    """
    access = handler.opt.get("access")
    if access == PUBLIC:
        return
    if not access:
        raise AccessDenied("this route declares no audience")
    member: StaffMember | None = connection.scope.get("user")
    if member is None:
        raise NotAuthenticated("please log in")
    if member.role not in access:
        staff.security_log.warning(
            "denied: %s (%s) -> %s", member.email, member.role.value, connection.url.path
        )
        raise AccessDenied("your role may not use this page")
