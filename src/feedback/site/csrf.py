"""The CSRF double-submit cookie: its settings, and the cookie a JSON login hands out."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.middleware.csrf import generate_csrf_token

from feedback.config import Settings

__all__ = ["CSRF_HEADER", "LOGIN_PATH", "csrf_config", "with_csrf_cookie"]

# The JSON login needs no token: there is no session to protect before it.
LOGIN_PATH = "/api/v1/auth/login"
# Unsafe API calls repeat the CSRF cookie's value in this header.
CSRF_HEADER = "x-csrftoken"


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.production,
        cookie_httponly=False,
        cookie_samesite="strict",
        header_name=CSRF_HEADER,
        exclude=[f"^{LOGIN_PATH}$"],
    )


def with_csrf_cookie(
    request: Request[Any, Any, Any], response: Response[Any], settings: Settings
) -> Response[Any]:
    """Give a client without a CSRF cookie one, so that its first unsafe call after logging in
    can send the ``x-csrftoken`` header; a cookie it has is kept, as the middleware keeps it."""
    config = csrf_config(settings)
    if config.cookie_name not in request.cookies:
        response.set_cookie(
            config.cookie_name,
            generate_csrf_token(config.secret),
            path=config.cookie_path,
            secure=config.cookie_secure,
            httponly=config.cookie_httponly,
            samesite=config.cookie_samesite,
            domain=config.cookie_domain,
        )
    return response
