"""Staff-recorded answers over HTTP: API, pages, CSRF, escaping, and the complaints they open."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, Contact
from feedback.clock import FrozenClock
from feedback.complaints.tables import Complaint
from feedback.db import Database
from feedback.mail.services import MailContext
from feedback.surveys.issuance import issue_wave
from feedback.surveys.services import create_wave
from feedback.surveys.tables import Invitation, Response
from tests.conftest import log_in
from tests.support.web import HOSTILE, api_session

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

PERIOD = "2026-H2"
ANSWERS = f"/api/v1/waves/{PERIOD}/responses"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found, "the page carries a CSRF field"
    return found.group(1)


@pytest.fixture
async def people(make_staff) -> dict[Role, StaffMember]:  # type: ignore[no-untyped-def]
    return {role: await make_staff(role) for role in Role}


async def _customers(clock: FrozenClock, manager: int, issue: bool = True) -> None:
    """Key account K1 (managed by ``manager``) and A2 (nobody's), each with one contact."""
    for code, managed_by in (("K1", manager), ("A2", None)):
        account = Account(code=code, name=f"Account {code}", tier="A", manager=managed_by)
        await account.save()
        await Contact(account=account.id, email=f"{code.lower()}@x.com").save()
    await create_wave(PERIOD, clock.now(), opens_on=dt.date(2026, 11, 20),
                      closes_on=dt.date(2026, 12, 15))  # fmt: skip
    if issue:
        await issue_wave(PERIOD, clock.now(), MailContext(base_url="https://x.example"))


async def test_a_level_0_answer_recorded_through_the_api_opens_a_complaint(
    client: httpx.AsyncClient, clock: FrozenClock, people: dict[Role, StaffMember]
) -> None:
    await _customers(clock, people[Role.account_manager].id)
    headers = await api_session(client, people[Role.agent])
    body = {"account_code": "K1", "channel": "phone", "level": 0, "aspects": {"delivery": 2},
            "comment": HOSTILE, "may_contact": True, "contact_email": "k1@x.com"}  # fmt: skip
    created = await client.post(ANSWERS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    recorded = created.json()
    assert (recorded["period"], recorded["channel"], recorded["account_code"]) == (
        PERIOD, "phone", "K1",
    )  # fmt: skip
    complaint = await Complaint.select(
        Complaint.id, Complaint.channel, Complaint.severity, Complaint.survey_response,
        Complaint.contact.email.as_alias("email"), Complaint.description,
    ).first()  # fmt: skip
    assert complaint is not None
    assert (complaint["id"], complaint["channel"], complaint["severity"]) == (
        recorded["complaint_id"], "survey", "major",
    )  # fmt: skip
    assert (complaint["survey_response"], complaint["email"]) == (
        recorded["response_id"],
        "k1@x.com",
    )
    assert complaint["description"].endswith(HOSTILE)


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (ANSWERS, {"account_code": "K1", "channel": "phone", "level": 1, "mood": "ok"}, 400,
         "Object contains unknown field `mood`"),
        (ANSWERS, {"account_code": "K1", "channel": "phone", "level": 4}, 400, "<= 3"),
        (ANSWERS, {"account_code": "K1", "channel": "web", "level": 1}, 400,
         "Invalid enum value 'web'"),
        (ANSWERS, {"account_code": "K1", "channel": "visit", "level": 1,
                   "aspects": {"taste": 2}}, 400, "does not ask about 'taste'"),
        (ANSWERS, {"account_code": "K1", "channel": "visit", "level": 1,
                   "aspects": {"value": 6}}, 400, "<= 5"),
        (ANSWERS, {"account_code": "NOPE", "channel": "visit", "level": 1}, 404,
         "no account with code NOPE"),
        (ANSWERS, {"account_code": "A2", "channel": "visit", "level": 1}, 404,
         "no account with code A2"),
        (ANSWERS, {"account_code": "K1", "channel": "visit", "level": 1,
                   "contact_email": "a2@x.com"}, 404, "a2@x.com is not a contact"),
        ("/api/v1/waves/2026-H3/responses", {"account_code": "K1", "channel": "visit",
                                            "level": 1}, 400, "a wave period looks like"),
        ("/api/v1/waves/2030-H1/responses", {"account_code": "K1", "channel": "visit",
                                            "level": 1}, 404, "there is no wave for 2030-H1"),
    ],
)  # fmt: skip
async def test_bad_answers_get_a_clear_4xx_and_write_nothing(
    client: httpx.AsyncClient,
    clock: FrozenClock,
    people: dict[Role, StaffMember],
    path: str,
    body: dict[str, object],
    status: int,
    message: str,
) -> None:
    await _customers(clock, people[Role.account_manager].id)
    headers = await api_session(client, people[Role.account_manager])
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert message in response.text
    assert (await Response.count(), await Complaint.count()) == (0, 0)


async def test_a_planned_wave_takes_no_answers(
    client: httpx.AsyncClient, clock: FrozenClock, people: dict[Role, StaffMember]
) -> None:
    await _customers(clock, people[Role.account_manager].id, issue=False)
    headers = await api_session(client, people[Role.admin])
    body = {"account_code": "A2", "channel": "visit", "level": 3}
    response = await client.post(ANSWERS, json=body, headers=headers)
    assert (response.status_code, response.json()["detail"]) == (
        409, f"the wave {PERIOD} has not opened yet",
    )  # fmt: skip


async def test_a_manager_records_a_visit_on_the_page_which_opens_a_complaint(
    client: httpx.AsyncClient, clock: FrozenClock, people: dict[Role, StaffMember]
) -> None:
    manager = people[Role.account_manager]
    await _customers(clock, manager.id)
    await log_in(client, manager)
    detail = await client.get("/accounts/K1")
    assert 'href="/accounts/K1/survey-answers/new"' in detail.text
    form = await client.get("/accounts/K1/survey-answers/new")
    assert form.status_code == 200
    assert "<option>k1@x.com</option>" in form.text
    fields = {"period": PERIOD, "contact_email": "k1@x.com", "channel": "visit", "level": "1",
              "quality": "4", "comment": HOSTILE, "may_contact": "on"}  # fmt: skip
    refused = await client.post("/accounts/K1/survey-answers", data=fields)
    assert refused.status_code == 403
    assert await Response.count() == 0
    sent = await client.post(
        "/accounts/K1/survey-answers", data={**fields, "_csrf_token": csrf_of(form)}
    )
    assert sent.status_code == 303
    complaint = await Complaint.select(Complaint.id, Complaint.severity).first()
    assert complaint is not None
    assert complaint["severity"] == "minor"  # a call-back request, not a level-0 answer
    assert sent.headers["location"] == (
        f"/accounts/K1/survey-answers/new?recorded=1&complaint={complaint['id']}"
    )
    shown = await client.get(sent.headers["location"])
    assert f'<a href="/complaints/{complaint["id"]}">complaint {complaint["id"]}</a>' in shown.text
    row = await Response.select(Response.channel, Response.quality, Response.recorded_by).first()
    assert row == {"channel": "visit", "quality": 4, "recorded_by": manager.id}
    assert await Invitation.count().where(Invitation.responded_at.is_not_null()) == 1


async def test_the_form_shows_what_went_wrong_and_keeps_what_was_typed(
    client: httpx.AsyncClient, clock: FrozenClock, people: dict[Role, StaffMember]
) -> None:
    await _customers(clock, people[Role.account_manager].id)
    await log_in(client, people[Role.agent])
    form = await client.get("/accounts/A2/survey-answers/new")
    fields = {"period": PERIOD, "channel": "phone", "comment": "half typed", "_csrf_token":
              csrf_of(form)}  # fmt: skip
    missing = await client.post("/accounts/A2/survey-answers", data=fields)
    assert missing.status_code == 400
    assert "choose the level the customer gave" in missing.text
    assert ">half typed</textarea>" in missing.text
    used = await client.post(
        "/accounts/A2/survey-answers",
        data={**fields, "level": "2", "contact_email": "a2@x.com", "_csrf_token": csrf_of(missing)},
    )
    assert used.status_code == 303
    again = await client.post(
        "/accounts/A2/survey-answers",
        data={**fields, "level": "2", "contact_email": "a2@x.com", "_csrf_token": csrf_of(missing)},
    )
    assert again.status_code == 409
    assert "a2@x.com has no unanswered invitation in 2026-H2" in again.text
    assert CSRF_FIELD.search(again.text)
    assert await Response.count() == 1


async def test_managers_cannot_record_for_or_see_other_portfolios(
    client: httpx.AsyncClient,
    db: Database,
    clock: FrozenClock,
    people: dict[Role, StaffMember],
) -> None:
    await _customers(clock, people[Role.account_manager].id)
    await log_in(client, people[Role.account_manager])
    assert (await client.get("/accounts/A2/survey-answers/new")).status_code == 404
    form = await client.get("/accounts/K1/survey-answers/new")
    posted = await client.post(
        "/accounts/A2/survey-answers",
        data={"period": PERIOD, "channel": "phone", "level": "0", "_csrf_token": csrf_of(form)},
    )
    assert posted.status_code == 404
    assert await Response.count() == 0
    assert "Record a survey answer" in form.text
