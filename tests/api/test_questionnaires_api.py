"""Questionnaire versions over the API: staff read them, administrators save new ones."""

from __future__ import annotations

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.surveys.services import create_wave
from tests.support.web import api_session

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

PATH = "/api/v1/questionnaires"
SHORT = [{"kind": "level", "key": "level"}, {"kind": "aspect", "key": "delivery"}]


async def test_an_admin_saves_a_version_that_only_waves_created_later_ask(
    client: httpx.AsyncClient, clock: FrozenClock, make_staff
) -> None:  # type: ignore[no-untyped-def]
    admin: StaffMember = await make_staff(Role.admin)
    await create_wave("2026-H2", clock.now())
    headers = await api_session(client, admin)
    saved = await client.post(PATH, json={"items": SHORT}, headers=headers)
    assert saved.status_code == 201, saved.text
    assert (saved.json()["version"], saved.json()["items"], saved.json()["periods"]) == (
        2, SHORT, [],
    )  # fmt: skip
    await create_wave("2027-H1", clock.now())
    listed = (await client.get(PATH)).json()
    assert [(q["version"], q["periods"], len(q["items"])) for q in listed] == [
        (2, ["2027-H1"], 2),
        (1, ["2026-H2"], 7),
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"kind": "comment", "key": "comment"}], "starts with the three-level item"),
        ([*SHORT, {"kind": "aspect", "key": "taste"}], "unknown aspect 'taste'"),
        ([*SHORT, {"kind": "aspect", "key": "delivery"}], "'delivery' appears twice"),
        ([{"kind": "level", "key": "level", "text": "x"}], "unknown field `text`"),
        ([{"kind": "rating", "key": "x"}], "Invalid enum value 'rating'"),
        ([], "length >= 1"),
    ],
)
async def test_bad_items_get_400_with_the_reason_and_save_nothing(
    client: httpx.AsyncClient, make_staff, items: list[dict[str, str]], message: str
) -> None:  # type: ignore[no-untyped-def]
    headers = await api_session(client, await make_staff(Role.admin))
    refused = await client.post(PATH, json={"items": items}, headers=headers)
    assert refused.status_code == 400, refused.text
    assert message in refused.text
    assert (await client.get(PATH)).json() == []


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor, Role.account_manager])
async def test_only_administrators_save_versions(
    client: httpx.AsyncClient, make_staff, role: Role
) -> None:  # type: ignore[no-untyped-def]
    headers = await api_session(client, await make_staff(role))
    assert (await client.post(PATH, json={"items": SHORT}, headers=headers)).status_code == 403
    assert (await client.get(PATH)).status_code == 200
