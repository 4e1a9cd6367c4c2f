"""What the HTTP tests share: a staff API session with its CSRF header, and hostile text."""

from __future__ import annotations

import httpx

from feedback.accounts.staff import StaffMember
from tests.conftest import log_in

__all__ = ["HOSTILE", "api_session"]

# Text a customer or a colleague might type that would run if it were ever rendered as markup.
HOSTILE = '<script>alert("owned")</script>'


async def api_session(client: httpx.AsyncClient, member: StaffMember) -> dict[str, str]:
    """Log the member in on the client; the CSRF header its unsafe API calls send."""
    await log_in(client, member)
    await client.get("/api/v1/auth/me")
    await client.get("/login")  # sets the CSRF cookie
    return {"x-csrftoken": client.cookies["csrftoken"]}
