"""Visits, calls and emails with an account: the API, the account page's form and timeline,
the tier's contact standard, and who may record them."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, ContactLog
from feedback.clock import FrozenClock
from tests.conftest import NOW, TODAY, log_in
from tests.support.factories import make_account, make_contact
from tests.support.web import HOSTILE, api_session

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def people(make_staff) -> dict[Role, StaffMember]:  # type: ignore[no-untyped-def]
    return {role: await make_staff(role) for role in Role}


async def _portfolio(people: dict[Role, StaffMember]) -> None:
    """K1 is the account manager's tier-A account with contact Li Na; A2 is nobody's."""
    k1 = await make_account("K1", [], tier="A", manager=people[Role.account_manager].id)
    await make_contact(k1, "li.na@k1.example", name="Li Na")
    await make_account("A2", tier="D")


def _day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


async def test_a_recorded_visit_joins_the_timeline_and_counts_for_the_standard(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await _portfolio(people)
    manager = people[Role.account_manager]
    headers = await api_session(client, manager)
    body = {"kind": "visit", "happened_on": _day(0), "contact_email": "LI.NA@k1.example",
            "notes": "Quarterly review"}  # fmt: skip
    created = await client.post("/api/v1/accounts/K1/contacts", json=body, headers=headers)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["kind"], entry["happened_on"], entry["person_met"]) == ("visit", _day(0), "Li Na")
    assert (entry["contact_email"], entry["done_by"]) == ("li.na@k1.example", manager.name)

    timeline = (await client.get("/api/v1/accounts/K1/contacts")).json()
    assert [e["id"] for e in timeline["entries"]] == [entry["id"]]
    standard = timeline["standard"]
    assert (standard["last_visit"], standard["last_call"]) == (_day(0), None)
    visits, calls = standard["requirements"]
    assert (visits["kind"], visits["count"], visits["done"], visits["state"]) == (
        "visit", 2, 1, "due"
    )  # fmt: skip
    assert (calls["kind"], calls["state"]) == ("call", "overdue")
    assert standard["state"] == "overdue"


async def test_a_contact_older_than_the_timeline_shown_is_recorded_and_returned(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await _portfolio(people)
    headers = await api_session(client, people[Role.supervisor])
    k1 = await Account.select(Account.id).where(Account.code == "K1").first()
    assert k1 is not None
    await ContactLog.insert(*(
        ContactLog(account=k1["id"], kind="call", happened_on=TODAY, external_ref=f"c-{n}",
                   recorded_at=NOW)
        for n in range(60)
    ))  # fmt: skip
    body = {"kind": "visit", "happened_on": _day(400), "person_met": "Li Na"}
    created = await client.post("/api/v1/accounts/K1/contacts", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["happened_on"], created.json()["person_met"]) == (_day(400), "Li Na")


async def test_the_standard_is_met_when_every_requirement_is(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await _portfolio(people)
    headers = await api_session(client, people[Role.supervisor])
    start_of_quarter = dt.date(TODAY.year, (TODAY.month - 1) // 3 * 3 + 1, 1)
    visits = [start_of_quarter, TODAY]
    for kind, day in [("visit", visits[0]), ("visit", visits[1]), ("call", TODAY)]:
        body = {"kind": kind, "happened_on": day.isoformat(), "person_met": "Front desk"}
        response = await client.post("/api/v1/accounts/K1/contacts", json=body, headers=headers)
        assert response.status_code == 201, response.text
    standard = (await client.get("/api/v1/accounts/K1/contacts")).json()["standard"]
    assert standard["state"] == "met"
    assert [r["state"] for r in standard["requirements"]] == ["met", "met"]
    tier_d = (await client.get("/api/v1/accounts/A2/contacts")).json()["standard"]
    assert (tier_d["state"], tier_d["requirements"]) == ("none", [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "fax"}, "the kind of contact must be one of visit, call, email, got 'fax'"),
        ({"happened_on": (TODAY + dt.timedelta(days=1)).isoformat()},
         "is after today; record a contact once it happened"),
        ({"contact_email": "nobody@k1.example"},
         "nobody@k1.example is not a contact of this account"),
        ({"notes": "x" * 5001}, "the notes are 5001 characters long; at most 5000 are kept"),
    ],
)  # fmt: skip
async def test_a_contact_that_cannot_be_recorded_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient,
    people: dict[Role, StaffMember],
    change: dict[str, str],
    message: str,
) -> None:
    await _portfolio(people)
    headers = await api_session(client, people[Role.admin])
    body = {"kind": "call", "happened_on": _day(1), **change}
    refused = await client.post("/api/v1/accounts/K1/contacts", json=body, headers=headers)
    assert refused.status_code == 400
    assert message in refused.json()["detail"]
    assert await ContactLog.count() == 0


async def test_managers_record_and_read_contacts_of_their_own_accounts_only(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await _portfolio(people)
    headers = await api_session(client, people[Role.account_manager])
    body = {"kind": "call", "happened_on": _day(2)}
    refused = await client.post("/api/v1/accounts/A2/contacts", json=body, headers=headers)
    assert refused.status_code == 404
    assert (await client.get("/api/v1/accounts/A2/contacts")).status_code == 404
    assert await ContactLog.count() == 0


async def test_the_account_page_records_a_contact_and_shows_it_escaped(
    client: httpx.AsyncClient, people: dict[Role, StaffMember], clock: FrozenClock
) -> None:
    await _portfolio(people)
    await log_in(client, people[Role.account_manager])
    page = await client.get("/accounts/K1")
    assert page.status_code == 200
    assert "Contact standard this period: <strong" in page.text
    assert "No visits, calls or emails recorded yet." in page.text
    token = CSRF_FIELD.search(page.text)
    assert token
    form = {"_csrf_token": token.group(1), "kind": "call", "happened_on": _day(3),
            "contact_email": "", "person_met": "Wang Fang", "notes": HOSTILE}  # fmt: skip
    sent = await client.post("/accounts/K1/contacts", data=form)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/accounts/K1?contact=recorded#contacts"
    shown = await client.get(sent.headers["location"])
    assert "The contact is recorded." in shown.text
    assert "Wang Fang" in shown.text
    assert HOSTILE not in shown.text
    assert "&lt;script&gt;alert(" in shown.text
    assert f"Last call: {_day(3)}" in shown.text


async def test_the_form_shows_what_was_wrong_and_keeps_what_was_typed(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await _portfolio(people)
    await log_in(client, people[Role.account_manager])
    page = await client.get("/accounts/K1")
    token = CSRF_FIELD.search(page.text)
    assert token
    form = {"_csrf_token": token.group(1), "kind": "visit", "happened_on": "",
            "person_met": "Zhang Wei", "notes": "Bring the new price list"}  # fmt: skip
    refused = await client.post("/accounts/K1/contacts", data=form)
    assert refused.status_code == 400
    assert "give the day of the visit, call or email" in refused.text
    assert "Bring the new price list" in refused.text
    assert 'value="Zhang Wei"' in refused.text
    assert await ContactLog.count() == 0


async def test_recording_a_contact_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await _portfolio(people)
    await log_in(client, people[Role.account_manager])
    form = {"kind": "call", "happened_on": _day(1)}
    assert (await client.post("/accounts/K1/contacts", data=form)).status_code == 403
    assert await ContactLog.count() == 0
