"""The OpenAPI document as a contract: every API operation summarised and described, the
session and CSRF schemes where the access rules need them, the refusals each operation can
give, the domain's value sets as enums; the reference that shows it; the login's CSRF cookie."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from swagger_ui_bundle import swagger_ui_path

from feedback.accounts.roles import Role
from feedback.accounts.tables import Tier
from feedback.accounts.tiers import TIER_NAMES
from feedback.app import SECURITY_HEADERS, STATIC_DIR, create_app
from feedback.complaints.deadlines import Severity
from feedback.complaints.states import ComplaintState
from feedback.config import Settings
from feedback.scoring.bands import Band
from feedback.web.access import PUBLIC, SESSION_COOKIE
from tests.conftest import TEST_PASSWORD, client_for

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

METHODS = ("get", "put", "post", "delete", "patch")
SAFE = {"get"}
SESSION = [{"session": []}]
SESSION_AND_CSRF = [{"session": [], "csrf": []}]


def _app() -> Litestar:
    """The service, never started: its document needs no database."""
    return create_app(Settings(environment="test", database_url="sqlite:///unused.sqlite3"))


@pytest.fixture(scope="module")
async def document() -> dict[str, Any]:
    async with client_for(_app()) as client:
        response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        if path.startswith("/api/v1/"):
            for method in METHODS:
                if method in item:
                    yield path, method, item[method]


def _public_operations(app: Litestar) -> set[tuple[str, str]]:
    """(path, method) of the API operations the access guard lets anyone call."""
    return {
        (route.path_format, method.lower())
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/")
        for handler in route.route_handlers
        if handler.opt.get("access") == PUBLIC
        for method in handler.http_methods
    }


def _litestar_default_summary(operation: dict[str, Any]) -> bool:
    """Litestar names an operation without a summary after its function: one CamelCase word."""
    return re.fullmatch(r"[A-Z][A-Za-z]*", operation.get("summary", "")) is not None


def test_every_api_operation_has_a_summary_and_a_description(document) -> None:
    operations = list(_operations(document))
    assert len(operations) >= 25
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations
        if _litestar_default_summary(operation) or not operation.get("description", "").strip()
    ]
    assert missing == []


def test_the_session_and_the_csrf_header_are_security_schemes(document) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"] | {"description": ""} == {
        "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE, "description": ""}  # fmt: skip
    assert schemes["csrf"] | {"description": ""} == {
        "type": "apiKey", "in": "header", "name": "x-csrftoken", "description": ""}  # fmt: skip
    assert "security" not in document  # nothing applies to every operation


def test_staff_operations_need_the_session_and_writes_the_csrf_header_too(document) -> None:
    public = _public_operations(_app())
    assert public == {("/api/v1/auth/login", "post")}
    wrong = []
    for path, method, operation in _operations(document):
        if (path, method) in public:
            expected = None
        else:
            expected = SESSION if method in SAFE else SESSION_AND_CSRF
        if operation.get("security") != expected:
            wrong.append(f"{method.upper()} {path}: {operation.get('security')}")
    assert wrong == []
    assert "/complaints/new" not in document["paths"]  # the customer pages are not the API


def _request_fields(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = body.get("schema", {}).get("$ref", "")
    schema = document["components"]["schemas"].get(reference.rpartition("/")[2], {})
    return set(schema.get("properties", {}))


def test_refusals_are_documented_where_they_can_happen(document) -> None:
    public = _public_operations(_app())
    missing = []
    versioned = []
    for path, method, operation in _operations(document):
        expected = set()
        if (path, method) not in public:
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if "expected_version" in _request_fields(document, operation):
            expected.add("409")
            versioned.append(path)
        if absent := expected - set(operation["responses"]):
            missing.append(f"{method.upper()} {path}: {sorted(absent)}")
    assert missing == []
    complaint = "/api/v1/complaints/{complaint_id}"
    assert sorted(versioned) == [f"{complaint}/actions", f"{complaint}/assign"]
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert "403" not in login


def _enum(document: dict[str, Any], schema: str, field: str) -> list[str]:
    return list(document["components"]["schemas"][schema]["properties"][field]["enum"])


def test_tiers_states_severities_and_bands_are_the_domains_enums(document) -> None:
    tiers = [tier.value for tier in Tier]
    assert tiers == list(TIER_NAMES)
    for schema in ("AccountSummary", "AccountDetail", "ComplaintOut", "QueueRow", "AccountScore"):
        assert _enum(document, schema, "tier") == tiers, schema
    states = [state.value for state in ComplaintState]
    for schema, field in (("ComplaintOut", "state"), ("QueueRow", "state"),
                          ("ActionIn", "expected_state"), ("EventOut", "to_state")):  # fmt: skip
        assert _enum(document, schema, field) == states, schema
    severities = [severity.value for severity in Severity]
    for schema in ("ComplaintIn", "ComplaintOut", "QueueRow"):
        assert _enum(document, schema, "severity") == severities, schema
    bands = [band.value for band in Band]
    for schema, field in (("AccountScore", "band"), ("ScorePoint", "band"),
                          ("RiskRiseOut", "band"), ("RiskRiseOut", "earlier_band")):  # fmt: skip
        assert _enum(document, schema, field) == bands, schema


ASSET = re.compile(r'(?:src|href)="([^"]+)"')


async def test_the_reference_is_served_by_the_service_from_the_package() -> None:
    async with client_for(_app()) as client:
        page = await client.get("/schema")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert (await client.get("/schema/swagger")).text == page.text
        csp = next(h.value for h in SECURITY_HEADERS if h.name == "Content-Security-Policy")
        assert page.headers["content-security-policy"] == csp
        assert "<script>" not in page.text  # no inline script: the policy would block it
        assets = ASSET.findall(page.text)
        assert assets == [
            "/schema/swagger-ui/swagger-ui.css",
            "/schema/swagger-ui/swagger-ui-bundle.js",
            "/static/api-reference.js",
        ]
        assert 'data-document="/schema/openapi.json"' in page.text
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            name = asset.rpartition("/")[2]
            folder = STATIC_DIR if asset.startswith("/static/") else swagger_ui_path
            assert response.content == (folder / name).read_bytes(), asset
        assert (await client.get("/schema/swagger-ui/index.css")).status_code == 200
        assert (await client.get("/schema/swagger-ui/missing.js")).status_code == 404


@pytest.fixture
async def fresh(db, settings, clock) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with client_for(create_app(settings, database=db, clock=clock)) as client:
        yield client


async def _api_login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response


async def test_the_first_post_after_an_api_login_works_with_the_cookies_token(
    fresh: httpx.AsyncClient, make_staff
) -> None:
    supervisor = await make_staff(Role.supervisor)
    login = await _api_login(fresh, supervisor.email)
    set_csrf = [c for c in login.headers.get_list("set-cookie") if c.startswith("csrftoken=")]
    assert len(set_csrf) == 1, "the login response sets the CSRF cookie"
    set_cookie = set_csrf[0]
    assert "samesite=strict" in set_cookie.lower()
    assert "httponly" not in set_cookie.lower()  # the client reads it to send the header
    token = fresh.cookies["csrftoken"]
    link = {"json": {"account_code": "NOPE"}}
    refused = await fresh.post("/api/v1/complaints/form-links", **link)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    answered = await fresh.post(
        "/api/v1/complaints/form-links", headers={"x-csrftoken": token}, **link
    )
    assert answered.status_code == 404  # past the CSRF check: there is no account NOPE
    out = await fresh.post("/api/v1/auth/logout", headers={"x-csrftoken": token})
    assert out.status_code == 204


async def test_a_login_keeps_the_csrf_cookie_the_client_has(
    fresh: httpx.AsyncClient, make_staff
) -> None:
    agent = await make_staff(Role.agent)
    await fresh.get("/login")
    token = fresh.cookies["csrftoken"]
    login = await _api_login(fresh, agent.email)
    assert not [c for c in login.headers.get_list("set-cookie") if c.startswith("csrftoken=")]
    out = await fresh.post("/api/v1/auth/logout", headers={"x-csrftoken": token})
    assert out.status_code == 204


@pytest.mark.parametrize(("role", "linked"), [(Role.admin, True), (Role.supervisor, False),
                                              (Role.agent, False)])  # fmt: skip
async def test_the_navigation_links_the_reference_for_administrators(
    fresh: httpx.AsyncClient, make_staff, role: Role, linked: bool
) -> None:
    member = await make_staff(role)
    await _api_login(fresh, member.email)
    page = await fresh.get("/complaints")
    assert page.status_code == 200
    assert ('<a href="/schema">API reference</a>' in page.text) is linked
