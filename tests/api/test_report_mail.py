"""Mailed reports on the web: a staff member turns them off and on (page and API), and
administrators see what was mailed to whom, page by page; nobody else does."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.db import transaction
from feedback.mail.services import Mail, queue_many
from feedback.mail.tables import OutboxMessage
from feedback.reports.mail_choices import mail_choice
from feedback.reports.tables import ReportDelivery
from tests.conftest import NOW, log_in
from tests.support.web import HOSTILE, api_session

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

CHOICE = "/api/v1/my-settings/report-mail"
DELIVERIES = "/api/v1/report-deliveries"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def people(make_staff) -> dict[Role, StaffMember]:  # type: ignore[no-untyped-def]
    return {role: await make_staff(role) for role in Role}


async def test_a_manager_opts_out_on_their_settings_page_and_back_in(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    manager = people[Role.account_manager]
    await log_in(client, manager)
    page = await client.get("/my-settings")
    assert page.status_code == 200
    assert 'name="mailed" value="on" checked' in page.text
    token = CSRF_FIELD.search(page.text)
    assert token
    without_token = await client.post("/my-settings", data={"language": "en"})
    assert without_token.status_code == 403
    assert (await mail_choice(manager)).mailed
    off = await client.post("/my-settings", data={"_csrf_token": token[1], "language": "zh"})
    assert off.status_code == 303
    shown = await client.get(off.headers["location"])
    assert "Your settings are saved." in shown.text
    assert "no reports are mailed to you" in shown.text
    assert 'name="mailed" value="on">' in shown.text
    assert '<option value="zh" selected>' in shown.text
    assert ((await mail_choice(manager)).mailed, (await mail_choice(manager)).language) == (
        False, "zh"
    )  # fmt: skip
    on = {"_csrf_token": token[1], "mailed": "on", "language": "en"}
    assert (await client.post("/my-settings", data=on)).status_code == 303
    assert (await mail_choice(manager)).mailed


async def test_the_choice_is_read_and_set_through_the_api(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    supervisor = people[Role.supervisor]
    headers = await api_session(client, supervisor)
    assert (await client.get(CHOICE)).json() == {"mailed": True, "language": "en"}
    off = await client.put(CHOICE, json={"mailed": False, "language": "zh"}, headers=headers)
    assert off.json() == {"mailed": False, "language": "zh"}
    assert (await client.get(CHOICE)).json() == {"mailed": False, "language": "zh"}
    bad = await client.put(CHOICE, json={"mailed": True, "language": "fr"}, headers=headers)
    assert bad.status_code == 400
    assert "reports are mailed in en or zh, not 'fr'" in bad.json()["detail"]
    unknown = await client.put(CHOICE, json={"mailed": True, "colour": "red"}, headers=headers)
    assert unknown.status_code == 400
    assert (await client.get(CHOICE)).json() == {"mailed": False, "language": "zh"}
    # Each member's choice is their own.
    assert (await mail_choice(people[Role.account_manager])).mailed


async def test_agents_have_no_mailed_reports_to_choose(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    headers = await api_session(client, people[Role.agent])
    assert (await client.get("/my-settings")).status_code == 403
    assert (await client.put(CHOICE, json={"mailed": False}, headers=headers)).status_code == 403


async def _deliveries(recipient: StaffMember, periods: list[str]) -> None:
    """Reports queued to ``recipient``, one a period, an hour apart; the first one sent."""
    async with transaction():
        for n, period in enumerate(periods):
            key = f"portfolio:{period}:{recipient.id}"
            at = NOW + dt.timedelta(hours=n)
            await ReportDelivery(dedupe_key=key, kind="portfolio", period=period,
                                 recipient=recipient.id, queued_at=at).save()  # fmt: skip
            await queue_many([Mail(key, recipient.email, "s", "t")], at)
    first = f"portfolio:{periods[0]}:{recipient.id}"
    await OutboxMessage.update({OutboxMessage.sent_at: NOW, OutboxMessage.attempts: 1}).where(
        OutboxMessage.dedupe_key == first
    )
    await OutboxMessage.update(
        {OutboxMessage.last_error: HOSTILE, OutboxMessage.attempts: 2}
    ).where(OutboxMessage.dedupe_key != first)


async def test_administrators_see_what_was_mailed_to_whom_page_by_page(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    manager = people[Role.account_manager]
    await _deliveries(manager, ["2026-11", "wave-2026-H2-closing", "2026-12"])
    await api_session(client, people[Role.admin])
    first = (await client.get(DELIVERIES, params={"limit": 2})).json()
    assert [(i["period"], i["sent_at"]) for i in first["items"]] == [
        ("2026-12", None), ("wave-2026-H2-closing", None)
    ]  # fmt: skip
    assert first["items"][0]["recipient_email"] == manager.email
    assert (first["items"][0]["attempts"], first["items"][0]["last_error"]) == (2, HOSTILE)
    rest = await client.get(DELIVERIES, params={"limit": 2, "after": first["next_cursor"]})
    assert [(i["period"], i["last_error"]) for i in rest.json()["items"]] == [("2026-11", "")]
    assert rest.json()["items"][0]["sent_at"] is not None
    assert rest.json()["next_cursor"] is None
    page = await client.get("/admin/report-deliveries")
    assert page.status_code == 200
    for words in ("Portfolio report", "the month 2026-12", "before wave 2026-H2 closes",
                  manager.email, "not yet (2 attempts)", f"{NOW:%Y-%m-%d %H:%M} UTC"):  # fmt: skip
        assert words in page.text
    assert HOSTILE not in page.text
    assert "Older reports" not in page.text


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor, Role.account_manager])
async def test_only_administrators_see_the_mailed_reports(
    client: httpx.AsyncClient, people: dict[Role, StaffMember], role: Role
) -> None:
    await _deliveries(people[Role.account_manager], ["2026-12"])
    await log_in(client, people[role])
    assert (await client.get("/admin/report-deliveries")).status_code == 403
    assert (await client.get(DELIVERIES)).status_code == 403
