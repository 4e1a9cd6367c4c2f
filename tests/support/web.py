"""What the HTTP tests share: a staff API session with its CSRF header, hostile text, and
reading report PDFs and refusals from routes."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from feedback.accounts.staff import StaffMember
from tests.conftest import log_in

__all__ = ["HOSTILE", "api_session", "refusals", "report_pdf"]

# Text a customer or a colleague might type that would run if it were ever rendered as markup.
HOSTILE = '<script>alert("owned")</script>'


async def api_session(client: httpx.AsyncClient, member: StaffMember) -> dict[str, str]:
    """Log the member in on the client; the CSRF header its unsafe API calls send."""
    await log_in(client, member)
    await client.get("/api/v1/auth/me")
    await client.get("/login")  # sets the CSRF cookie
    return {"x-csrftoken": client.cookies["csrftoken"]}


async def report_pdf(client: httpx.AsyncClient, path: str) -> bytes:
    """The PDF a report route answers the client with (200, application/pdf)."""
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


async def refusals(
    client: httpx.AsyncClient, path: str, cases: Iterable[tuple[str, int, str]]
) -> list[str]:
    """The (query, status, words) cases the route did not refuse with that status and words."""
    wrong = []
    for query, status, words in cases:
        refused = await client.get(f"{path}?{query}")
        if refused.status_code != status or words not in refused.text:
            wrong.append(f"{query}: {refused.status_code} {refused.text[:200]}")
    return wrong
