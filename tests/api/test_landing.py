"""Where each role lands and what its navigation offers: agents and supervisors on the
complaint queue, account managers on their week, administrators on the administration
home; the churn risk pages for those who read them; error pages keep the navigation; the
queue's views only for the roles they serve."""

from __future__ import annotations

import re

import httpx
import pytest

from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.db import Database
from tests.conftest import log_in
from tests.support.factories import make_staff_of_every_role

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

LANDS_ON = {
    "agent": "/complaints",
    "supervisor": "/complaints",
    "account_manager": "/my-week",
    "admin": "/admin",
}
RISK = ["/my-week", "/drifting", "/my-settings"]
NAVIGATION = {
    "agent": ["/accounts", "/waves", "/complaints"],
    "supervisor": ["/accounts", "/waves", "/complaints", *RISK],
    "account_manager": ["/accounts", "/waves", "/complaints", *RISK],
    "admin": ["/accounts", "/waves", "/complaints", *RISK, "/admin", "/schema"],
}


@pytest.fixture
async def people(db: Database, clock: FrozenClock) -> dict[str, StaffMember]:
    return await make_staff_of_every_role(clock.now())


def navigation(page: str) -> list[str]:
    """The links of the main navigation, in order."""
    found = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)
    assert found, "the page has the main navigation"
    return re.findall(r'href="([^"]+)"', found.group(1))


@pytest.mark.parametrize("role", sorted(LANDS_ON))
async def test_each_role_lands_where_it_works_and_sees_its_own_navigation(
    client: httpx.AsyncClient, people: dict[str, StaffMember], role: str
) -> None:
    await log_in(client, people[role])
    home = await client.get("/")
    assert home.status_code == 302
    assert home.headers["location"] == LANDS_ON[role]
    landing = await client.get(LANDS_ON[role])
    assert landing.status_code == 200, landing.text
    assert navigation(landing.text) == NAVIGATION[role]


async def test_the_administration_home_is_for_administrators_only(
    client: httpx.AsyncClient, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["admin"])
    page = (await client.get("/admin")).text
    assert "<h1>Administration</h1>" in page
    assert 'href="/admin/display-names"' in page
    assert 'href="/admin/report-deliveries"' in page
    for role in ("agent", "supervisor", "account_manager"):
        await log_in(client, people[role])
        assert (await client.get("/admin")).status_code == 403, role


async def test_error_pages_keep_the_navigation_of_the_logged_in_viewer(
    client: httpx.AsyncClient, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["account_manager"])
    missing = await client.get("/accounts/NO-SUCH-ACCOUNT")
    assert missing.status_code == 404
    assert navigation(missing.text) == NAVIGATION["account_manager"]
    refused = await client.get("/admin")
    assert refused.status_code == 403
    assert navigation(refused.text) == NAVIGATION["account_manager"]


async def test_anonymous_error_pages_have_no_staff_navigation(client: httpx.AsyncClient) -> None:
    page = await client.get("/no-such-page")
    assert page.status_code == 404
    assert '<nav aria-label="Main">' not in page.text


async def test_my_complaints_is_offered_only_to_those_complaints_are_assigned_to(
    client: httpx.AsyncClient, people: dict[str, StaffMember]
) -> None:
    for role, mine in (("agent", True), ("supervisor", True), ("account_manager", False),
                       ("admin", False)):  # fmt: skip
        await log_in(client, people[role])
        page = (await client.get("/complaints")).text
        assert ('href="/complaints?view=mine"' in page) is mine, role
        assert 'href="/complaints?view=team"' in page, role
