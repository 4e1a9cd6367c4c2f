"""Staff login, sessions, CSRF and rate limits."""

from __future__ import annotations

import re

import httpx

from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.app import create_app
from feedback.config import Settings
from feedback.db import Database
from feedback.web.access import SESSION_COOKIE
from tests.conftest import TEST_PASSWORD, client_for, log_in


async def _csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    page = await client.get(path)
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, "forms carry a CSRF token"
    return match.group(1)


async def _form_login(
    client: httpx.AsyncClient, member: StaffMember, next_page: str
) -> httpx.Response:
    """Post the login form, with its CSRF token, for the member, asking to go on to next_page."""
    token = await _csrf(client)
    return await client.post(
        "/login",
        data={
            "email": member.email,
            "password": TEST_PASSWORD,
            "next": next_page,
            "_csrf_token": token,
        },
    )


async def test_form_login_rotates_the_session_and_logout_ends_it(client, make_staff) -> None:
    member = await make_staff(Role.supervisor)
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
    response = await _form_login(client, member, "/accounts")
    assert response.status_code == 303
    assert response.headers["location"] == "/accounts"
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie != "planted-by-an-attacker"
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie
    assert "samesite=lax" in set_cookie
    assert (await client.get("/accounts")).status_code == 200

    logout = await client.post("/logout", data={"_csrf_token": await _csrf(client, "/accounts")})
    assert logout.status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_staff) -> None:
    member = await make_staff(Role.agent)
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": member.email, "password": "x" * 9}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x" * 9}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_form_posts_without_csrf_token_are_refused(client, make_staff) -> None:
    member = await make_staff(Role.agent)
    await client.get("/login")
    response = await client.post("/login", data={"email": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


async def test_open_redirects_are_refused(client, make_staff) -> None:
    member = await make_staff(Role.agent)
    response = await _form_login(client, member, "//evil.example")
    assert response.headers["location"] == "/"


async def test_deactivation_ends_sessions_and_blocks_login(client, make_staff) -> None:
    member = await make_staff(Role.account_manager)
    await log_in(client, member)
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    await staff.set_active(member.email, False)
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    again = await client.post(
        "/api/v1/auth/login", json={"email": member.email, "password": TEST_PASSWORD}
    )
    assert again.status_code == 401


async def test_json_login_requires_json(client, make_staff) -> None:
    member = await make_staff(Role.agent)
    response = await client.post(
        "/api/v1/auth/login",
        content=f'{{"email": "{member.email}", "password": "{TEST_PASSWORD}"}}',
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 400


async def test_unknown_fields_are_refused(client) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": "a@b.c", "password": "12345678", "admin": True}
    )
    assert response.status_code == 400


async def test_logins_are_rate_limited(db: Database, clock, make_staff) -> None:
    settings = Settings(environment="test", database_url=db.url, login_attempts_per_minute=3)
    app = create_app(settings, database=db, clock=clock)
    async with client_for(app) as client:
        codes = [
            (
                await client.post(
                    "/api/v1/auth/login", json={"email": "a@b.c", "password": "12345678"}
                )
            ).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]


async def test_password_rules(db: Database, clock) -> None:
    import pytest

    from feedback.errors import Conflict, InvalidInput

    with pytest.raises(InvalidInput, match="at least 8"):
        await staff.create_user("a@example.com", "A", Role.admin, "short", clock.now())
    with pytest.raises(InvalidInput, match="unknown role"):
        await staff.create_user("a@example.com", "A", "root", "long enough", clock.now())
    await staff.create_user("a@example.com", "A", Role.admin, "long enough", clock.now())
    with pytest.raises(Conflict):
        await staff.create_user("A@example.com", "A", Role.admin, "long enough", clock.now())


async def test_security_headers_and_no_stack_traces(client) -> None:
    response = await client.get("/login")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_oversized_bodies_get_413(client) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"email": "' + b"a" * 2_000_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
