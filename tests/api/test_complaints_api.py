"""The complaints JSON API and staff pages on both databases: queue, create, act, history, roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, Contact
from feedback.app import create_app
from feedback.clock import FrozenClock
from feedback.complaints.tables import Complaint, ComplaintEvent
from feedback.config import Settings
from feedback.db import Database
from tests.conftest import client_for, log_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

API = "/api/v1/complaints"
HOUR = dt.timedelta(hours=1)
HOSTILE = '<script>alert("owned")</script>'
Login = Callable[[Role], Awaitable[tuple[httpx.AsyncClient, StaffMember]]]


@pytest.fixture
async def login(
    db: Database, settings: Settings, clock: FrozenClock, make_staff
) -> AsyncIterator[Login]:
    """A client with an API session (and CSRF header) for a new staff member of a role."""
    clients: list[httpx.AsyncClient] = []

    async def open_as(role: Role) -> tuple[httpx.AsyncClient, StaffMember]:
        member = await make_staff(role)
        client = client_for(create_app(settings, database=db, clock=clock))
        clients.append(client)
        await log_in(client, member)
        await client.get("/api/v1/auth/me")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        return client, member

    yield open_as
    for client in clients:
        await client.aclose()


async def make_account(code: str, tier: str = "B", manager: int | None = None) -> int:
    account = Account(code=code, name=f"Account {code}", tier=tier, manager=manager)
    await account.save()
    await Contact(account=account.id, email=f"{code.lower()}@x.com", name="Lee").save()
    return int(account.id)


async def create(
    client: httpx.AsyncClient, code: str, severity: str = "major", **extra: object
) -> dict[str, object]:
    body = {"account_code": code, "channel": "phone", "category": "delivery",
            "severity": severity, "description": "Late again.", **extra}  # fmt: skip
    response = await client.post(API, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def act(
    client: httpx.AsyncClient, complaint: dict[str, object], action: str, **content: object
) -> httpx.Response:
    return await client.post(
        f"{API}/{complaint['id']}/actions",
        json={"action": action, "expected_state": complaint["state"],
              "expected_version": complaint["version"], "content": content},
    )  # fmt: skip


async def ids(client: httpx.AsyncClient, query: str = "") -> list[int]:
    response = await client.get(f"{API}?{query}")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_create_then_list_sorted_by_next_deadline_with_filters(
    db: Database, login: Login, clock: FrozenClock
) -> None:
    agent, _ = await login(Role.agent)
    await make_account("ACC-A", tier="A")
    await make_account("ACC-D", tier="D")
    minor_d = await create(agent, "ACC-D", "minor")
    severe_a = await create(agent, "ACC-A", "severe")
    major_d = await create(agent, "ACC-D", "major")
    assert severe_a["state"] == "received"
    assert severe_a["allowed_actions"] == ["apologise", "cancel"]
    by_deadline = sorted([minor_d, severe_a, major_d], key=lambda c: (c["next_due_at"], c["id"]))
    assert severe_a["next_due_at"] < major_d["next_due_at"] < minor_d["next_due_at"]
    assert await ids(agent, "view=team") == [c["id"] for c in by_deadline]
    assert await ids(agent, "view=team&tier=D") == [major_d["id"], minor_d["id"]]
    assert await ids(agent, "view=team&severity=minor") == [minor_d["id"]]
    assert await ids(agent, "view=team&category=billing") == []
    assert await ids(agent, "view=mine") == []
    assert await ids(agent, "view=unassigned") == [c["id"] for c in by_deadline]
    first = (await agent.get(f"{API}?view=team&limit=2")).json()
    rest = await ids(agent, f"view=team&limit=2&after={first['next_cursor']}")
    assert [i["id"] for i in first["items"]] + rest == [c["id"] for c in by_deadline]
    clock.advance(3 * HOUR)  # past the severe tier-A apology only
    breached = (await agent.get(f"{API}?view=breached")).json()["items"]
    assert [(r["id"], r["urgency"]) for r in breached] == [(severe_a["id"], "overdue")]
    assert breached[0]["time_left"] == "overdue by 1 h 0 min"
    due_soon = await ids(agent, "view=due_soon")
    assert due_soon == [c["id"] for c in by_deadline[1:]]


async def test_bad_filters_and_bodies_are_400_with_a_message(db: Database, login: Login) -> None:
    agent, _ = await login(Role.agent)
    assert (await agent.get(f"{API}?view=everything")).status_code == 400
    bad_state = await agent.get(f"{API}?state=lost")
    assert bad_state.status_code == 400
    assert "unknown state 'lost'" in bad_state.json()["detail"]
    unknown_field = await agent.post(API, json={"account_code": "X", "colour": "red"})
    assert unknown_field.status_code == 400
    await make_account("ACC-1")
    bad_channel = await agent.post(API, json={"account_code": "ACC-1", "channel": "fax",
        "category": "delivery", "severity": "major", "description": "x"})  # fmt: skip
    assert bad_channel.status_code == 400
    assert "channel must be one of" in bad_channel.json()["detail"]
    assert await Complaint.count() == 0


async def test_closed_and_cancelled_complaints_are_listed_newest_first_and_by_account(
    db: Database, login: Login
) -> None:
    supervisor, _ = await login(Role.supervisor)
    manager, manager_member = await login(Role.account_manager)
    await make_account("ACC-1", manager=manager_member.id)
    await make_account("ACC-2")
    first, second, kept, other = [
        await create(supervisor, code) for code in ("ACC-1", "ACC-1", "ACC-1", "ACC-2")
    ]
    for complaint in (second, other):
        cancelled = await act(supervisor, complaint, "cancel", reason="duplicate",
                              explanation="Raised twice.")  # fmt: skip
        assert cancelled.status_code == 200, cancelled.text
    steps = [("apologise", {"message": "Sorry."}),
             ("investigate", {"findings": "Lost.", "root_cause": "delivery"}),
             ("resolve", {"resolution": "Sent again."}), ("follow_up_satisfied", {})]  # fmt: skip
    for action, content in steps:
        moved = await act(supervisor, first, action, **content)
        assert moved.status_code == 200, moved.text
        first = moved.json()
    assert first["state"] == "closed"
    assert await ids(supervisor, "state=cancelled") == [other["id"], second["id"]]
    assert await ids(supervisor, "state=closed") == [first["id"]]
    assert await ids(supervisor, "state=cancelled&account=ACC-1") == [second["id"]]
    assert await ids(supervisor, "account=ACC-1") == [kept["id"]]
    assert await ids(supervisor, "account=ACC-2") == []
    page = (await supervisor.get(f"{API}?state=cancelled&limit=1")).json()
    assert [item["id"] for item in page["items"]] == [other["id"]]
    assert await ids(supervisor, f"state=cancelled&limit=1&after={page['next_cursor']}") == [
        second["id"]
    ]
    assert await ids(manager, "state=cancelled") == [second["id"]]
    assert (await manager.get(f"{API}?account=ACC-2")).status_code == 404
    assert (await supervisor.get(f"{API}?account=NOPE")).status_code == 404
    queue_page = await supervisor.get("/complaints?view=team&state=cancelled&account=ACC-1")
    assert queue_page.status_code == 200
    assert f'href="/complaints/{second["id"]}"' in queue_page.text
    assert f'href="/complaints/{other["id"]}"' not in queue_page.text


async def test_a_supervisor_reopens_a_closed_complaint_and_an_agent_may_not(
    db: Database, login: Login, clock: FrozenClock
) -> None:
    agent, _ = await login(Role.agent)
    supervisor, member = await login(Role.supervisor)
    await make_account("ACC-1")
    complaint = await create(agent, "ACC-1")
    steps = [("apologise", {"message": "Sorry."}),
             ("investigate", {"findings": "Lost.", "root_cause": "delivery"}),
             ("resolve", {"resolution": "Sent again."}), ("follow_up_satisfied", {})]  # fmt: skip
    for action, content in steps:
        complaint = (await act(agent, complaint, action, **content)).json()
    assert (complaint["state"], complaint["allowed_actions"]) == ("closed", ["reopen"])
    clock.advance(6 * HOUR)  # within the session; the customer came back
    refused = await act(agent, complaint, "reopen", reason="It broke again.")
    assert refused.status_code == 403
    assert (await act(supervisor, complaint, "reopen")).status_code == 400
    reopened = await act(supervisor, complaint, "reopen", reason="It broke again.")
    assert reopened.status_code == 200, reopened.text
    after = reopened.json()
    assert (after["state"], after["reopen_count"], after["follow_up_outcome"]) == (
        "investigating", 1, None,
    )  # fmt: skip
    assert after["resolution_due_at"] > clock.now().isoformat()
    assert after["next_due_at"] == after["resolution_due_at"]
    assert await ids(agent, "view=team") == [after["id"]]
    last = (await agent.get(f"{API}/{after['id']}/history")).json()[-1]
    assert (last["kind"], last["from_state"], last["to_state"], last["actor_id"]) == (
        "reopen", "closed", "investigating", member.id,
    )  # fmt: skip
    assert last["content"] == {"reason": "It broke again."}
    page = await supervisor.get(f"/complaints/{after['id']}")
    assert 'value="investigate"' in page.text


async def test_search_finds_by_number_account_email_text_and_note_in_any_state(
    db: Database, login: Login
) -> None:
    supervisor, _ = await login(Role.supervisor)
    await make_account("ACC-1")
    await Account(code="ZEN-9", name="Zenith Freight", tier="C").save()
    late = await create(supervisor, "ACC-1", description="The pallets arrived crushed.")
    other = await create(supervisor, "ZEN-9", description="Invoice doubled.")
    contact = await Contact.select(Contact.id).where(Contact.email == "acc-1@x.com").first()
    noted = await create(supervisor, "ACC-1", description="Wrong colour.", contact_id=contact["id"])
    note = {"text": "Customer mentioned warehouse flooding."}
    assert (await supervisor.post(f"{API}/{noted['id']}/notes", json=note)).status_code == 204
    cancel = await act(supervisor, late, "cancel", reason="duplicate", explanation="Twice.")
    assert cancel.status_code == 200, cancel.text
    assert await ids(supervisor, "q=crushed") == [late["id"]]
    assert await ids(supervisor, "q=PALLETS+crushed") == [late["id"]]
    assert await ids(supervisor, "q=flooding") == [noted["id"]]
    assert await ids(supervisor, f"q=%23{other['id']}") == [other["id"]]
    assert await ids(supervisor, "q=zen-9") == [other["id"]]
    assert await ids(supervisor, "q=zenith") == [other["id"]]
    assert await ids(supervisor, "q=ACC-1%40x.com") == [noted["id"]]
    assert await ids(supervisor, "q=nobody%40x.com") == []
    assert await ids(supervisor, "q=ACC-1") == [noted["id"], late["id"]]
    assert await ids(supervisor, "q=ACC-1&state=cancelled") == [late["id"]]
    first = (await supervisor.get(f"{API}?q=ACC-1&limit=1")).json()
    assert await ids(supervisor, f"q=ACC-1&limit=1&after={first['next_cursor']}") == [late["id"]]
    for hostile in (HOSTILE, '"unbalanced', "a' OR 1=1 --", "NEAR(x y)", "%_\\"):
        response = await supervisor.get(API, params={"q": hostile})
        assert response.status_code == 200, (hostile, response.text)
    page = await supervisor.get("/complaints", params={"q": HOSTILE})
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert "&lt;script&gt;" in page.text
    found = await supervisor.get("/complaints", params={"q": "flooding"})
    assert f'href="/complaints/{noted["id"]}"' in found.text


async def test_act_history_and_a_refused_move_names_the_allowed_actions(
    db: Database, login: Login, clock: FrozenClock
) -> None:
    agent, member = await login(Role.agent)
    await make_account("ACC-1")
    complaint = await create(agent, "ACC-1")
    apologised = await act(agent, complaint, "apologise", message="We are sorry.")
    assert apologised.status_code == 200, apologised.text
    after = apologised.json()
    assert (after["state"], after["version"]) == ("apologised", 2)
    assert after["allowed_actions"] == ["investigate", "cancel"]
    refused = await act(agent, after, "resolve", resolution="Done.")
    assert refused.status_code == 409
    assert refused.json()["allowed_actions"] == ["investigate", "cancel"]
    assert "allowed actions: investigate, cancel" in refused.json()["detail"]
    stale = await act(agent, complaint, "apologise", message="Sorry again.")
    assert stale.status_code == 409
    assert "version" in stale.json()["detail"]
    missing = await act(agent, after, "investigate", findings="Lost.")
    assert missing.status_code == 400
    assert "root_cause must be one of" in missing.json()["detail"]
    assert (
        await agent.post(f"{API}/{complaint['id']}/notes", json={"text": "Called."})
    ).status_code == 204
    history = (await agent.get(f"{API}/{complaint['id']}/history")).json()
    assert [(e["kind"], e["actor_id"], e["version"]) for e in history] == [
        ("opened", member.id, 1), ("apologise", member.id, 2), ("note", member.id, 2),
    ]  # fmt: skip
    assert history[1]["content"] == {"message": "We are sorry."}
    assert history[2]["content"] == {"text": "Called."}
    assert history[1]["actor"] == member.name


async def test_roles_decide_who_acts_assigns_and_reads(db: Database, login: Login) -> None:
    agent, agent_member = await login(Role.agent)
    supervisor, _ = await login(Role.supervisor)
    admin, _ = await login(Role.admin)
    manager, manager_member = await login(Role.account_manager)
    await make_account("MINE", manager=manager_member.id)
    await make_account("OTHER")
    mine = await create(agent, "MINE")
    other = await create(agent, "OTHER")
    assert await ids(manager) == [mine["id"]]
    assert (await manager.get(f"{API}/{other['id']}")).status_code == 404
    assert (await manager.get(f"{API}/{other['id']}/history")).status_code == 404
    assert (await manager.post(f"{API}/{other['id']}/notes", json={"text": "x"})).status_code == 404
    assert (
        await manager.post(f"{API}/{mine['id']}/notes", json={"text": "Visit on Monday."})
    ).status_code == 204
    assert (await act(manager, mine, "apologise", message="Sorry")).status_code == 403
    assert sorted(await ids(admin)) == sorted([mine["id"], other["id"]])
    assert (await act(admin, mine, "apologise", message="Sorry")).status_code == 403
    assert (await admin.post(f"{API}/{mine['id']}/notes", json={"text": "x"})).status_code == 403
    cancel = await act(agent, mine, "cancel", reason="spam", explanation="Test message.")
    assert cancel.status_code == 403
    give = {"assignee_id": agent_member.id, "expected_version": 1}
    assert (await supervisor.post(f"{API}/{mine['id']}/assign", json=give)).status_code == 200
    assert await ids(agent, "view=mine") == [mine["id"]]
    take = {"assignee_id": agent_member.id, "expected_version": 1}
    assert (await agent.post(f"{API}/{other['id']}/assign", json=take)).status_code == 200
    fresh = (await supervisor.get(f"{API}/{mine['id']}")).json()
    cancelled = await act(supervisor, fresh, "cancel", reason="spam", explanation="Test.")
    assert cancelled.json()["state"] == "cancelled"
    assert await ids(agent, "view=mine") == [other["id"]]
    assert await ComplaintEvent.count().where(ComplaintEvent.kind == "note") == 1


async def test_the_ticket_page_shows_only_the_allowed_forms_and_escapes_text(
    db: Database, login: Login
) -> None:
    agent, _ = await login(Role.agent)
    admin, _ = await login(Role.admin)
    await make_account("ACC-1")
    complaint = await create(agent, "ACC-1", description=HOSTILE)
    page = await agent.get(f"/complaints/{complaint['id']}")
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in page.text
    forms = {
        action
        for action in ("apologise", "investigate", "resolve", "cancel")
        if f'name="action" value="{action}"' in page.text
    }
    assert forms == {"apologise"}  # an agent may not cancel; the state allows nothing else
    read_only = await admin.get(f"/complaints/{complaint['id']}")
    assert 'name="action"' not in read_only.text
    assert "Internal note" not in read_only.text
    queue = await agent.get("/complaints?view=team")
    assert f'href="/complaints/{complaint["id"]}"' in queue.text
    assert "left</span>" in queue.text


async def test_the_api_is_described_in_openapi(db: Database, login: Login) -> None:
    agent, _ = await login(Role.agent)
    schema = (await agent.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths[API])
    act_path = paths[API + "/{complaint_id}/actions"]["post"]
    assert "409" in act_path["responses"]
    assert "/api/v1/complaints/{complaint_id}/history" in paths
    assert "/complaints/new" not in paths  # pages stay out of the API description


async def test_the_act_form_shows_refusals_on_the_ticket_page(db: Database, login: Login) -> None:
    agent, _ = await login(Role.agent)
    await make_account("ACC-1")
    complaint = await create(agent, "ACC-1")
    page = await agent.get(f"/complaints/{complaint['id']}")
    form = {"action": "apologise", "expected_state": "received", "expected_version": "1",
            "_csrf_token": agent.cookies["csrftoken"]}  # fmt: skip
    empty = await agent.post(f"/complaints/{complaint['id']}/act", data={**form, "message": " "})
    assert empty.status_code == 400
    assert "message is required" in empty.text
    done = await agent.post(
        f"/complaints/{complaint['id']}/act", data={**form, "message": "Sorry."}
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/complaints/{complaint['id']}")
    stale = await agent.post(
        f"/complaints/{complaint['id']}/act", data={**form, "message": "Again"}
    )
    assert stale.status_code == 409
    assert "reload it and try again" in stale.text
    assert page.status_code == 200
    kinds = [e["kind"] for e in (await agent.get(f"{API}/{complaint['id']}/history")).json()]
    assert kinds == ["opened", "apologise"]
