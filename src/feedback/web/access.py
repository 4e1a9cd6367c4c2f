"""Who may use which route: every handler declares its audience, unknown means denied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Hashable, Iterable
from enum import Enum
from typing import Any, Protocol

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from feedback.errors import AccessDenied, NotAuthenticated
from feedback.web.logs import security_log

__all__ = [
    "PUBLIC",
    "SESSION_COOKIE",
    "SessionLookup",
    "StaffSessionMiddleware",
    "Viewer",
    "access_guard",
    "allow",
]

SESSION_COOKIE = "feedback_session"
PUBLIC = "public"


class Viewer(Protocol):
    """What the guard needs of the staff member behind a session: who, and in which role."""

    @property
    def email(self) -> str: ...

    @property
    def role(self) -> Enum: ...


# The staff member a session token belongs to at a moment, or None (the accounts domain's).
SessionLookup = Callable[[str, dt.datetime], Awaitable[Viewer | None]]


def allow(roles: Iterable[Hashable] | str) -> dict[str, Any]:
    """Route options naming who may call it: ``allow(PUBLIC)`` or ``allow({Role.admin})``."""
    return {"access": PUBLIC if roles == PUBLIC else frozenset(roles)}


class StaffSessionMiddleware(AbstractAuthenticationMiddleware):
    """Puts the staff member behind the session cookie (or None) on every request."""

    def __init__(self, app: ASGIApp, find_member: SessionLookup, **options: Any) -> None:
        super().__init__(app, **options)
        self.find_member = find_member

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        member = None
        if token:
            member = await self.find_member(token, connection.app.state.clock.now())
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
    member: Viewer | None = connection.scope.get("user")
    if member is None:
        raise NotAuthenticated("please log in")
    if member.role not in access:
        security_log.warning(
            "denied: %s (%s) -> %s", member.email, member.role.value, connection.url.path
        )
        raise AccessDenied("your role may not use this page")
