"""Customers' complaint pages: the follow-up link and the public form, on both databases."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.tables import Account, Contact
from feedback.app import create_app
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import DEFAULT_POLICY
from feedback.complaints.followup import FollowUpAnswer, answer_follow_up
from feedback.complaints.tables import Complaint, ComplaintEvent, ComplaintLink, WebSubmission
from feedback.config import Settings
from feedback.db import Database
from feedback.links import token_hash
from feedback.mail.tables import OutboxMessage
from tests.conftest import client_for, log_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

API = "/api/v1/complaints"
FOLLOW_UP = re.compile(r"http://127\.0\.0\.1:8000/f/([A-Za-z0-9_-]{43})")
CSRF_FIELD = re.compile(r'<input type="hidden" name="_csrf_token" value="([^"]*)"')
HOSTILE = '<script>alert("owned")</script>'


@pytest.fixture
async def agent(
    db: Database, settings: Settings, clock: FrozenClock, make_staff
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(settings, database=db, clock=clock)) as client:
        await log_in(client, await make_staff(Role.agent))
        await client.get("/api/v1/auth/me")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found, "the page carries a CSRF field"
    return found.group(1)


async def account_with_contact(code: str = "ACC-1", language: str = "en") -> tuple[int, int]:
    account = Account(code=code, name=f"Account {code}", tier="B")
    await account.save()
    contact = Contact(account=account.id, email=f"{code.lower()}@x.com", language=language)
    await contact.save()
    return int(account.id), int(contact.id)


async def resolved(agent: httpx.AsyncClient, code: str = "ACC-1") -> tuple[dict[str, Any], str]:
    """A complaint taken, worked and resolved through the API; its follow-up token."""
    _, contact_id = await account_with_contact(code)
    body = {"account_code": code, "channel": "email", "category": "billing", "severity": "minor",
            "description": "Billed twice.", "contact_id": contact_id}  # fmt: skip
    complaint = (await agent.post(API, json=body)).json()
    steps = [("apologise", {"message": "Sorry."}),
             ("investigate", {"findings": "Double run.", "root_cause": "billing"}),
             ("resolve", {"resolution": "Refunded the second charge."})]  # fmt: skip
    for action, content in steps:
        response = await agent.post(f"{API}/{complaint['id']}/actions", json={
            "action": action, "expected_state": complaint["state"],
            "expected_version": complaint["version"], "content": content})  # fmt: skip
        assert response.status_code == 200, response.text
        complaint = response.json()
    mail = (
        await OutboxMessage.select()
        .where(OutboxMessage.dedupe_key == f"complaint:{complaint['id']}:4:resolution")
        .first()
    )
    assert mail is not None
    found = FOLLOW_UP.search(mail["text_body"])
    assert found, mail["text_body"]
    assert f'href="{found.group(0)}"' in mail["html_body"]
    return complaint, found.group(1)


async def answer(client: httpx.AsyncClient, token: str, satisfied: str, comment: str = ""):
    page = await client.get(f"/f/{token}")
    csrf = csrf_of(page) if page.status_code == 200 else client.cookies.get("csrftoken", "")
    return await client.post(
        f"/f/{token}", data={"satisfied": satisfied, "comment": comment, "_csrf_token": csrf}
    )


async def state_of(complaint_id: int) -> tuple[str, str | None]:
    row = (
        await Complaint.select(Complaint.state, Complaint.follow_up_outcome)
        .where(Complaint.id == complaint_id)
        .first()
    )
    assert row is not None
    return row["state"], row["follow_up_outcome"]


async def test_the_follow_up_link_is_stored_hashed_and_opening_it_records_nothing(
    db: Database, agent: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    complaint, token = await resolved(agent)
    [link] = await ComplaintLink.select().where(ComplaintLink.kind == "follow_up")
    assert link["token_hash"] == token_hash(token)
    assert token not in str(link)
    assert link["expires_at"].isoformat() == complaint["follow_up_due_at"].replace("Z", "+00:00")
    for _ in range(2):
        page = await client.get(f"/f/{token}")
        assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "Are you satisfied with how we resolved this?" in page.text
    assert "Refunded the second charge." in page.text
    assert token not in page.text
    assert await state_of(complaint["id"]) == ("resolved", None)


async def test_a_satisfied_answer_closes_once_and_the_link_then_looks_unknown(
    db: Database, agent: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    complaint, token = await resolved(agent)
    done = await answer(client, token, "yes", "Thanks, all good.")
    assert (done.status_code, done.headers["location"]) == (303, "/f/thanks?lang=en")
    assert await state_of(complaint["id"]) == ("closed", "satisfied")
    [event] = await ComplaintEvent.select().where(ComplaintEvent.kind == "follow_up_satisfied")
    assert event["actor"] is None  # the customer, through the link
    unknown = await client.post(f"/f/{'x' * 43}", data={"satisfied": "no",
        "_csrf_token": client.cookies["csrftoken"]})  # fmt: skip
    again = await answer(client, token, "no")
    assert again.status_code == unknown.status_code == 404
    assert again.text == unknown.text
    assert (await client.get(f"/f/{token}")).text == unknown.text
    assert await state_of(complaint["id"]) == ("closed", "satisfied")
    assert await ComplaintEvent.count().where(ComplaintEvent.kind.like("follow_up%")) == 1


async def test_an_unsatisfied_answer_reopens_and_an_old_link_never_answers_again(
    db: Database, agent: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    complaint, token = await resolved(agent)
    assert (await answer(client, token, "no")).status_code == 303
    assert await state_of(complaint["id"]) == ("investigating", "unsatisfied")
    [event] = await ComplaintEvent.select().where(ComplaintEvent.kind == "follow_up_unsatisfied")
    assert event["actor"] is None
    assert "not satisfied" in event["content"]
    assert (await answer(client, token, "yes")).status_code == 404


async def test_an_expired_link_looks_like_an_unknown_one(
    db: Database, agent: httpx.AsyncClient, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    complaint, token = await resolved(agent)
    unknown = await client.get(f"/f/{'y' * 43}")
    clock.advance(dt.timedelta(days=8))  # the follow-up window is 7 days
    expired = await client.get(f"/f/{token}")
    assert expired.status_code == unknown.status_code == 404
    assert expired.text == unknown.text
    assert (await answer(client, token, "yes")).status_code == 404
    assert await state_of(complaint["id"]) == ("resolved", None)


async def test_the_answer_needs_a_post_with_csrf_and_a_choice(
    db: Database, agent: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    complaint, token = await resolved(agent)
    await client.get(f"/f/{token}")
    no_csrf = await client.post(f"/f/{token}", data={"satisfied": "yes"})
    assert no_csrf.status_code == 403
    no_choice = await answer(client, token, "maybe")
    assert no_choice.status_code == 400
    assert "Please choose one of the answers." in no_choice.text
    assert await state_of(complaint["id"]) == ("resolved", None)


async def send_form(
    client: httpx.AsyncClient, fields: dict[str, str], query: str = ""
) -> httpx.Response:
    page = await client.get(f"/complaints/new{query}")
    assert page.status_code == 200
    return await client.post(
        f"/complaints/new{query}", data={**fields, "_csrf_token": csrf_of(page)}
    )


VALID = {"category": "delivery", "description": "The parcel never came.",
         "name": "Lee", "email": "lee@x.com"}  # fmt: skip


async def written() -> tuple[int, int]:
    return await Complaint.count(), await WebSubmission.count()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({**VALID, "description": "  "}, "Please describe what happened."),
        ({**VALID, "description": "x" * 5001}, "please shorten it to 5000 characters"),
        ({**VALID, "category": "weather"}, "Please choose what your complaint is about."),
        ({**VALID, "email": "not-an-address"}, "it should look like name@example.com"),
        ({**VALID, "email": ""}, "Please give an email address"),
        ({**VALID, "name": "n" * 201}, "at most 200 characters"),
    ],
)
async def test_invalid_form_input_gets_a_message_and_writes_nothing(
    db: Database, client: httpx.AsyncClient, fields: dict[str, str], message: str
) -> None:
    response = await send_form(client, fields)
    assert response.status_code == 400
    assert message in response.text
    assert await written() == (0, 0)


@pytest.mark.parametrize(
    ("lang", "title", "html_lang"),
    [("en", "Tell us what went wrong", "en"), ("zh", "请告诉我们出了什么问题", "zh-Hans")],
)
async def test_the_form_speaks_english_and_chinese(
    db: Database, client: httpx.AsyncClient, lang: str, title: str, html_lang: str
) -> None:
    page = await client.get(f"/complaints/new?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{html_lang}">' in page.text
    assert title in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    refused = await client.post(f"/complaints/new?lang={lang}", data={"_csrf_token": csrf_of(page)})
    assert refused.status_code == 400
    assert title in refused.text


async def test_the_form_refuses_posts_without_csrf(db: Database, client: httpx.AsyncClient) -> None:
    await client.get("/complaints/new")
    refused = await client.post("/complaints/new", data=VALID)
    assert refused.status_code == 403
    assert await written() == (0, 0)


async def test_without_a_link_the_complaint_waits_for_triage(
    db: Database, client: httpx.AsyncClient, agent: httpx.AsyncClient, clock: FrozenClock
) -> None:
    sent_at = clock.now()
    response = await send_form(client, {**VALID, "description": HOSTILE}, "?lang=zh")
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/complaints/thanks?lang=zh",
    )
    assert "我们已收到您的投诉" in (await client.get("/complaints/thanks?lang=zh")).text
    assert await written() == (0, 1)
    inbox = await agent.get("/complaints/submissions")
    assert HOSTILE not in inbox.text
    assert "&lt;script&gt;" in inbox.text
    await account_with_contact("ACC-9")
    [submission] = await WebSubmission.select(WebSubmission.id)
    clock.advance(dt.timedelta(hours=5))
    triaged = await agent.post(
        f"/complaints/submissions/{submission['id']}/triage",
        data={"account_code": "ACC-9", "severity": "severe", "_csrf_token": csrf_of(inbox)},
    )
    assert triaged.status_code == 303
    [row] = await Complaint.select()
    assert (row["channel"], row["severity"], row["description"]) == ("web_form", "severe", HOSTILE)
    assert row["received_at"] == sent_at
    assert (
        "No web-form complaints are waiting." in (await agent.get("/complaints/submissions")).text
    )


async def test_a_form_link_names_the_account_and_opens_the_complaint(
    db: Database, client: httpx.AsyncClient, agent: httpx.AsyncClient
) -> None:
    account_id, contact_id = await account_with_contact("ACC-7", language="zh")
    issued = await agent.post(
        f"{API}/form-links", json={"account_code": "ACC-7", "contact_id": contact_id}
    )
    assert issued.status_code == 201
    link = issued.json()["link"]
    assert link.startswith("http://127.0.0.1:8000/complaints/new?account=")
    token = link.rsplit("=", 1)[1]
    page = await client.get(f"/complaints/new?account={token}")
    assert token in page.text  # carried in the form's hidden field, posted, never logged
    assert f'href="?lang=zh&amp;account={token}"' in page.text  # the language switch keeps it
    response = await client.post(
        "/complaints/new", data={**VALID, "account": token, "_csrf_token": csrf_of(page)}
    )
    assert response.status_code == 303
    [row] = await Complaint.select()
    assert (row["account"], row["contact"], row["channel"], row["severity"]) == (
        account_id, contact_id, "web_form", "major",
    )  # fmt: skip
    assert await WebSubmission.count() == 0
    acknowledgement = await OutboxMessage.select().first()
    assert acknowledgement is not None
    assert acknowledgement["to"] == "acc-7@x.com"


async def test_customer_posts_are_rate_limited_per_client(
    db: Database, settings: Settings, clock: FrozenClock
) -> None:
    limited = dataclasses.replace(settings, customer_posts_per_hour=2)
    async with client_for(create_app(limited, database=db, clock=clock)) as client:
        statuses = [(await send_form(client, VALID)).status_code for _ in range(3)]
        follow_up = await client.post(f"/f/{'z' * 43}", data={"satisfied": "yes"})
    assert statuses == [303, 303, 429]
    assert follow_up.status_code == 429
    assert await written() == (0, 2)


async def test_two_answers_at_once_close_the_complaint_once(
    db: Database, agent: httpx.AsyncClient, clock: FrozenClock
) -> None:
    complaint, token = await resolved(agent)
    outcomes = await asyncio.gather(
        answer_follow_up(token, FollowUpAnswer(satisfied=True), clock.now(), DEFAULT_POLICY),
        answer_follow_up(token, FollowUpAnswer(satisfied=False), clock.now(), DEFAULT_POLICY),
        return_exceptions=True,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["LinkNotUsable", "NoneType"]
    assert await ComplaintEvent.count().where(ComplaintEvent.kind.like("follow_up%")) == 1
    [link] = await ComplaintLink.select(ComplaintLink.used_at)
    assert link["used_at"] == clock.now()
    assert (await state_of(complaint["id"]))[0] in ("closed", "investigating")
