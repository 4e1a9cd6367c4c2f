"""The API reference in headless Chromium: Swagger UI loads from the service alone under its
Content-Security-Policy, and its "Try it out" logs in and then makes an unsafe call.

SQLite only: the reference reads the OpenAPI document, not the database, and the login it
makes is the same code on both engines (tests/api covers it on both).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import ConsoleMessage, Locator, Page, Request, Response

from tests.support.browser import NewPage
from tests.support.servers import Site, fresh_site, run_feedback, serving

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ada@service.example", "reference-test-password"


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    async with fresh_site("sqlite", tmp_path_factory.mktemp("reference")) as site:
        user = ["--email", EMAIL, "--name", "Ada Lead", "--role", "supervisor"]
        await run_feedback(
            site.env, "users", "create", *user, "--password-stdin", stdin=PASSWORD + "\n"
        )
        async with serving(site) as service:
            await service.wait_until_serving(site.base_url)
            yield site


def _operation(page: Page, method: str, path: str) -> Locator:
    return page.locator(f".opblock-{method}").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )


async def _try_out(operation: Locator, body: str | None = None) -> str:
    """Open the operation, run it with the body, and give back the status code it got (and
    "Undocumented" under it when the document does not list that code)."""
    await operation.locator(".opblock-summary").click()
    await operation.locator("button.try-out__btn").click()
    if body is not None:
        await operation.locator("textarea.body-param__text").fill(body)
    await operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody td.response-col_status").first
    return (await status.inner_text()).strip()  # with "Undocumented" if it is not


async def test_the_reference_works_under_the_policy_and_posts_with_the_csrf_header(
    new_page: NewPage, site: Site, output_dir: Path
) -> None:
    page = await new_page(viewport={"width": 1366, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: _note_console(problems, m))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda r: _note_request(problems, site.base_url, r))
    page.on("response", lambda r: _note_response(problems, r))
    await page.goto(f"{site.base_url}/schema")
    await page.wait_for_selector(".opblock")
    assert await page.locator(".opblock").count() >= 25
    assert await page.locator("button.authorize").count() == 1  # the security schemes
    login = _operation(page, "post", "/api/v1/auth/login")
    body = f'{{"email": "{EMAIL}", "password": "{PASSWORD}"}}'
    assert await _try_out(login, body) == "200"
    cookies = {c["name"] for c in await page.context.cookies()}
    assert {"feedback_session", "csrftoken"} <= cookies
    me = _operation(page, "get", "/api/v1/auth/me")
    assert await _try_out(me) == "200"
    links = _operation(page, "post", "/api/v1/complaints/form-links")
    # Past the CSRF check (a 403 without the header): there is no account NOPE.
    assert await _try_out(links, '{"account_code": "NOPE"}') == "404"
    await page.screenshot(path=output_dir / "api-reference-1366.png")
    assert problems == []


def _note_console(problems: list[str], message: ConsoleMessage) -> None:
    # A refused call's status is the browser's error too; the answers are checked on their own.
    refused_call = message.text.startswith("Failed to load resource")
    if (message.type == "error" and not refused_call) or "Content Security" in message.text:
        problems.append(f"console: {message.text}")


def _note_response(problems: list[str], response: Response) -> None:
    if response.status >= 400 and "/api/v1/" not in response.url:
        problems.append(f"{response.status}: {response.url}")


def _note_request(problems: list[str], base_url: str, request: Request) -> None:
    if not request.url.startswith((base_url, "data:")):
        problems.append(f"request outside the service: {request.url}")
