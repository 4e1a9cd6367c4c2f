"""Every route, every role: who gets in is exactly what the route declares (RELIABILITY.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from litestar import Litestar, get
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account
from feedback.app import create_app
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import DEFAULT_POLICY, Severity
from feedback.complaints.services import NewComplaint, open_complaint
from feedback.complaints.tables import Category, Channel
from feedback.config import Settings
from feedback.db import Database
from feedback.surveys.services import create_wave
from feedback.web.access import PUBLIC, SESSION_COOKIE, allow
from tests.conftest import NOW, TEST_PASSWORD, client_for

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

ANONYMOUS = "anonymous"
ACCOUNT_CODE = "ACC-1"
# A value for every path parameter a route may have; a route with a new one fails the walk.
COMPLAINT_ID = 1
PERIOD = "2026-H2"
PATH_VALUES = {
    "code": ACCOUNT_CODE,
    "token": "no-such-survey-link",
    "period": PERIOD,
    "complaint_id": COMPLAINT_ID,
    "submission_id": 1,
}
# Paths served by Litestar itself; they must be public, and are not walked.
FRAMEWORK_PREFIXES = ("/static", "/schema")
GUARD_REDIRECT = "/login?next="


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: HTTPRouteHandler
    access: Any


def _is_auto_options(handler: HTTPRouteHandler) -> bool:
    """Litestar adds an OPTIONS handler to every route; it has no audience of its own."""
    return handler.fn.__qualname__.startswith("HTTPRoute.create_options_handler")


def _http_handlers(app: Litestar) -> Iterator[tuple[HTTPRoute, HTTPRouteHandler]]:
    for route in app.routes:
        assert isinstance(route, HTTPRoute), f"unexpected non-HTTP route {route.path}"
        for handler in route.route_handlers:
            yield route, handler


def _concrete_path(route: HTTPRoute) -> str:
    missing = set(route.path_parameters) - set(PATH_VALUES)
    assert not missing, f"{route.path}: add a value for path parameter(s) {missing} to the walk"
    return route.path_format.format(**PATH_VALUES)


def _endpoints(app: Litestar) -> list[Endpoint]:
    endpoints = []
    for route, handler in _http_handlers(app):
        if route.path.startswith(FRAMEWORK_PREFIXES):
            continue
        for method in sorted(handler.http_methods):
            access = handler.opt.get("access")
            endpoints.append(Endpoint(method, _concrete_path(route), handler, access))
    return endpoints


def _app(db: Database, clock: FrozenClock) -> Litestar:
    settings = Settings(environment="test", database_url=db.url, login_attempts_per_minute=10_000)
    return create_app(settings, database=db, clock=clock)


async def test_every_route_handler_declares_an_audience(db: Database, clock) -> None:
    app = _app(db, clock)
    undeclared = []
    for route, handler in _http_handlers(app):
        if _is_auto_options(handler):
            continue
        access = handler.opt.get("access")
        valid = access == PUBLIC or (
            isinstance(access, frozenset) and access and all(isinstance(r, Role) for r in access)
        )
        if not valid:
            undeclared.append(f"{sorted(handler.http_methods)} {route.path}: {access!r}")
    assert undeclared == []


async def test_framework_routes_are_public_and_the_rest_are_walked(db: Database, clock) -> None:
    app = _app(db, clock)
    framework = [
        (route.path, sorted(handler.http_methods), handler.opt.get("access"))
        for route, handler in _http_handlers(app)
        if route.path.startswith(FRAMEWORK_PREFIXES)
    ]
    assert framework, "the static files and the OpenAPI schema are mounted"
    assert all(access == PUBLIC for _, _, access in framework), framework
    walked = {(e.method, e.path) for e in _endpoints(app) if e.method != "OPTIONS"}
    assert {
        ("GET", "/"),
        ("GET", "/health"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", "/api/v1/auth/me"),
        ("GET", "/accounts"),
        ("GET", f"/accounts/{ACCOUNT_CODE}"),
        ("GET", "/api/v1/accounts"),
        ("GET", f"/api/v1/accounts/{ACCOUNT_CODE}"),
        ("GET", "/complaints"),
        ("GET", f"/complaints/{COMPLAINT_ID}"),
        ("POST", f"/complaints/{COMPLAINT_ID}/act"),
        ("POST", f"/complaints/{COMPLAINT_ID}/assign"),
        ("POST", f"/complaints/{COMPLAINT_ID}/notes"),
        ("GET", "/complaints/record"),
        ("POST", "/complaints/record"),
        ("GET", "/complaints/submissions"),
        ("POST", "/complaints/submissions/1/triage"),
        ("GET", "/complaints/new"),
        ("POST", "/complaints/new"),
        ("GET", "/complaints/thanks"),
        ("GET", "/f/no-such-survey-link"),
        ("POST", "/f/no-such-survey-link"),
        ("GET", "/f/thanks"),
        ("GET", "/api/v1/complaints"),
        ("POST", "/api/v1/complaints"),
        ("GET", f"/api/v1/complaints/{COMPLAINT_ID}"),
        ("POST", f"/api/v1/complaints/{COMPLAINT_ID}/actions"),
        ("GET", f"/api/v1/complaints/{COMPLAINT_ID}/history"),
        ("POST", f"/api/v1/complaints/{COMPLAINT_ID}/assign"),
        ("POST", f"/api/v1/complaints/{COMPLAINT_ID}/notes"),
        ("POST", "/api/v1/complaints/form-links"),
        ("GET", "/waves"),
        ("GET", f"/waves/{PERIOD}"),
        ("GET", "/api/v1/waves"),
        ("GET", f"/api/v1/waves/{PERIOD}/results"),
        ("GET", "/drifting"),
        ("GET", f"/accounts/{ACCOUNT_CODE}/churn"),
        ("GET", "/api/v1/scores"),
        ("GET", f"/api/v1/accounts/{ACCOUNT_CODE}/scores"),
        ("GET", f"/accounts/{ACCOUNT_CODE}/report.pdf"),
        ("GET", "/my-week"),
        ("GET", "/api/v1/my-week"),
        ("GET", "/reports/portfolio.pdf"),
        ("GET", "/reports/wave.pdf"),
        ("GET", "/my-settings"),
        ("POST", "/my-settings"),
        ("GET", "/api/v1/my-settings/report-mail"),
        ("PUT", "/api/v1/my-settings/report-mail"),
        ("GET", "/admin/report-deliveries"),
        ("GET", "/api/v1/report-deliveries"),
    } <= walked
    assert {
        ("GET", f"/accounts/{ACCOUNT_CODE}/survey-answers/new"),
        ("POST", f"/accounts/{ACCOUNT_CODE}/survey-answers"),
        ("POST", "/api/v1/waves/2026-H2/responses"),
    } <= walked


class Visitor:
    """Sends one request per endpoint as one role, each from a fresh cookie jar."""

    def __init__(
        self, app: Litestar, clock: FrozenClock, role: str, members: dict[Role, StaffMember]
    ) -> None:
        self.app = app
        self.clock = clock
        self.role = role
        self.members = members
        self.token: str | None = None
        self.csrf = ""

    async def start(self) -> None:
        async with client_for(self.app) as client:
            await client.get("/login")
            self.csrf = client.cookies["csrftoken"]
        await self._ensure_session()

    async def _ensure_session(self) -> None:
        if self.role == ANONYMOUS:
            return
        now = self.clock.now()
        if self.token and await staff.member_for_session(self.token, now):
            return
        member = self.members[Role(self.role)]
        _, self.token = await staff.log_in(member.email, TEST_PASSWORD, now, 1)

    def _body(self, endpoint: Endpoint) -> dict[str, Any]:
        someone = self.members[Role.agent]
        credentials = {"email": someone.email, "password": TEST_PASSWORD}
        if endpoint.method != "POST":
            return {}
        if endpoint.path == "/api/v1/auth/login":
            return {"json": credentials}
        if endpoint.path.endswith("/assign") and not endpoint.path.startswith("/api/"):
            # Agents may only take a complaint on: the form they are shown names themselves.
            me = self.members.get(Role(self.role)) if self.role != ANONYMOUS else someone
            assignee = {"assignee_id": str((me or someone).id), "expected_version": "1"}
            return {"data": {**assignee, "_csrf_token": self.csrf}}
        return {"data": {**credentials, "_csrf_token": self.csrf}}

    async def send(self, endpoint: Endpoint) -> httpx.Response:
        await self._ensure_session()
        async with client_for(self.app) as client:
            client.cookies.set("csrftoken", self.csrf)
            if self.token:
                client.cookies.set(SESSION_COOKIE, self.token)
            headers = {"x-csrftoken": self.csrf}
            return await client.request(
                endpoint.method, endpoint.path, headers=headers, **self._body(endpoint)
            )


def _verdict(endpoint: Endpoint, role: str, response: httpx.Response) -> str | None:
    """What is wrong with the response, or None if it is what the audience promises."""
    status, location = response.status_code, response.headers.get("location", "")
    where = f"{endpoint.method} {endpoint.path} as {role}: {status} {location}".strip()
    shut = status in (401, 403) or location.startswith(GUARD_REDIRECT)
    if _is_auto_options(endpoint.handler) and endpoint.access != PUBLIC:
        # The session middleware skips OPTIONS and CORS is closed: nobody is let in.
        return None if shut else f"{where}, expected the automatic OPTIONS to stay closed"
    if endpoint.access == PUBLIC or (role != ANONYMOUS and Role(role) in (endpoint.access or ())):
        return f"{where}, expected to be let in" if shut or status >= 500 else None
    if not endpoint.access:
        return None if status == 403 else f"{where}, expected 403 (no audience declared)"
    if role != ANONYMOUS:
        return None if status == 403 else f"{where}, expected 403"
    if endpoint.path.startswith("/api/"):
        ok = status == 401 and response.json()["detail"] == "please log in"
        return None if ok else f"{where}, expected 401"
    expected = GUARD_REDIRECT + quote(endpoint.path)
    ok = status in (302, 303) and location == expected
    return None if ok else f"{where}, expected a redirect to {expected}"


async def _walk(
    app: Litestar, clock: FrozenClock, role: str, members: dict[Role, StaffMember]
) -> tuple[list[str], dict[tuple[str, str], int]]:
    """Visit every endpoint as the role: what went against the audience, and each status."""
    visitor = Visitor(app, clock, role, members)
    await visitor.start()
    # Logging in or out ends the visitor's session, so those go last (it is reopened).
    endpoints = sorted(_endpoints(app), key=lambda e: "/log" in e.path)
    problems, statuses = [], {}
    for endpoint in endpoints:
        response = await visitor.send(endpoint)
        statuses[endpoint.method, endpoint.path] = response.status_code
        problem = _verdict(endpoint, role, response)
        if problem:
            problems.append(problem)
    return problems, statuses


async def _staff_and_account(
    make_staff: Callable[[Role], Awaitable[StaffMember]],
) -> dict[Role, StaffMember]:
    members = {r: await make_staff(r) for r in Role}
    [account] = await Account.insert(
        Account(
            code=ACCOUNT_CODE,
            name="Acme",
            manager=members[Role.account_manager].id,
            opened_on=dt.date(2020, 1, 1),
        )
    )
    # A complaint on the account manager's own account, so that their walk is let in.
    new = NewComplaint(account["id"], Channel.phone, Category.billing, Severity.minor, "Wrong.")
    complaint = await open_complaint(new, None, NOW, DEFAULT_POLICY)
    assert complaint.id == COMPLAINT_ID
    await create_wave(PERIOD, NOW)
    return members


@pytest.mark.parametrize("role", [ANONYMOUS, *(r.value for r in Role)])
async def test_every_route_lets_in_exactly_its_audience(
    db: Database, clock, make_staff, role: str
) -> None:
    members = await _staff_and_account(make_staff)
    app = _app(db, clock)
    problems, statuses = await _walk(app, clock, role, members)
    assert problems == []
    assert len(statuses) >= 12
    if role != ANONYMOUS:  # every staff role reads wave results (lists follow the role)
        waves = ("/waves", f"/waves/{PERIOD}", "/api/v1/waves", f"/api/v1/waves/{PERIOD}/results")
        assert [statuses["GET", path] for path in waves] == [200, 200, 200, 200]
    # The report shows churn risk: its readers, and the account's own manager among them.
    report = statuses["GET", f"/accounts/{ACCOUNT_CODE}/report.pdf"]
    assert report == {ANONYMOUS: 302, "agent": 403}.get(role, 200)
    # A manager's week, for the same readers; supervisors and admins holding no portfolio are
    # asked to choose a manager (the API's 400).
    week = (statuses["GET", "/my-week"], statuses["GET", "/api/v1/my-week"])
    expected = {ANONYMOUS: (302, 401), "agent": (403, 403), "account_manager": (200, 200)}
    assert week == expected.get(role, (200, 400))
    # So does the portfolio report: a manager's own portfolio, the whole company for the others.
    portfolio = statuses["GET", "/reports/portfolio.pdf"]
    assert portfolio == {ANONYMOUS: 302, "agent": 403}.get(role, 200)
    # The wave report is management's: supervisors and admins only.
    wave = statuses["GET", "/reports/wave.pdf"]
    assert wave == {ANONYMOUS: 302, "agent": 403, "account_manager": 403}.get(role, 200)
    # Mailed reports: the readers of reports choose theirs; administrators alone see them all.
    choice = (statuses["GET", "/my-settings"], statuses["GET", "/api/v1/my-settings/report-mail"])
    assert choice == {ANONYMOUS: (302, 401), "agent": (403, 403)}.get(role, (200, 200))
    sent = (
        statuses["GET", "/admin/report-deliveries"],
        statuses["GET", "/api/v1/report-deliveries"],
    )
    assert sent == {ANONYMOUS: (302, 401), "admin": (200, 200)}.get(role, (403, 403))


@get("/probe/leads", opt=allow({Role.supervisor, Role.admin}), sync_to_thread=False)
def leads_only() -> str:
    return "for leads"


@get("/api/v1/probe/managers", opt=allow({Role.account_manager}), sync_to_thread=False)
def managers_only() -> dict[str, str]:
    return {"for": "managers"}


async def test_the_walk_tells_narrow_audiences_apart(db: Database, clock, make_staff) -> None:
    """Today every staff route is open to all staff; this proves the walk would see a 403."""
    members = await _staff_and_account(make_staff)
    app = _app(db, clock)
    app.register(leads_only)
    app.register(managers_only)
    seen = {}
    for role in (ANONYMOUS, *(r.value for r in Role)):
        problems, statuses = await _walk(app, clock, role, members)
        assert problems == [], role
        seen[role] = (statuses["GET", "/probe/leads"], statuses["GET", "/api/v1/probe/managers"])
    assert seen == {
        ANONYMOUS: (302, 401),
        "agent": (403, 403),
        "supervisor": (200, 403),
        "account_manager": (403, 200),
        "admin": (200, 403),
    }


async def test_a_route_without_an_audience_is_closed_to_everyone(
    db: Database, clock, make_staff
) -> None:
    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return "should never be seen"

    app = _app(db, clock)
    app.register(forgotten)
    admin = await make_staff(Role.admin)
    _, token = await staff.log_in(admin.email, TEST_PASSWORD, clock.now(), 1)
    async with client_for(app) as client:
        anonymous = await client.get("/forgotten")
        client.cookies.set(SESSION_COOKIE, token)
        as_admin = await client.get("/forgotten")
    assert anonymous.status_code == 403
    assert as_admin.status_code == 403
    assert "should never be seen" not in as_admin.text
