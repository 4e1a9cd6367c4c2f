"""Display names of the CRM's industries, regions and attribute names, per language: the API,
the administrators' page, and who may change them."""

from __future__ import annotations

import re

import httpx
import pytest

from feedback.accounts.display_names import display_names
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import AttributeDefinition, DisplayName
from tests.conftest import log_in
from tests.support.factories import make_account
from tests.support.web import HOSTILE, api_session

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

NAMES = "/api/v1/display-names"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def people(make_staff) -> dict[Role, StaffMember]:  # type: ignore[no-untyped-def]
    await make_account("K1", industry="logistics", region="east")
    await make_account("K2", industry="retail", region="")
    await AttributeDefinition(name="contract_type", kind="categorical").save()
    return {role: await make_staff(role) for role in Role}


async def test_the_values_the_accounts_use_are_listed_with_their_names(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    headers = await api_session(client, people[Role.admin])
    body = [
        {"kind": "industry", "value": "logistics", "names": {"en": "Logistics", "zh": "物流"}},
        {"kind": "attribute", "value": "contract_type", "names": {"zh": "合同类型"}},
    ]
    saved = await client.put(NAMES, json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    listed = {(v["kind"], v["value"]): v["names"] for v in (await client.get(NAMES)).json()}
    assert listed == {
        ("industry", "logistics"): {"en": "Logistics", "zh": "物流"},
        ("industry", "retail"): {},
        ("region", "east"): {},
        ("attribute", "contract_type"): {"zh": "合同类型"},
    }
    chinese = await display_names("zh")
    assert (chinese.of("industry", "logistics"), chinese.of("industry", "retail")) == (
        "物流", "retail"
    )  # fmt: skip
    removed = [{"kind": "industry", "value": "logistics", "names": {"zh": ""}}]
    assert (await client.put(NAMES, json=removed, headers=headers)).status_code == 200
    assert (await display_names("zh")).of("industry", "logistics") == "logistics"
    assert (await display_names("en")).of("industry", "logistics") == "Logistics"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "colour", "value": "x", "names": {"en": "X"}},
         "a display name names one of industry, region, attribute, not 'colour'"),
        ({"kind": "region", "value": "east", "names": {"fr": "Est"}},
         "names are given per language (en, zh), not fr"),
        ({"kind": "region", "value": "east", "names": {"en": "E" * 201}},
         "the en name of east is 201 characters long; at most 200 are kept"),
    ],
)  # fmt: skip
async def test_a_bad_name_is_refused_and_none_of_the_others_is_kept(
    client: httpx.AsyncClient, people: dict[Role, StaffMember], entry: dict, message: str
) -> None:
    headers = await api_session(client, people[Role.admin])
    good = {"kind": "industry", "value": "retail", "names": {"en": "Retail"}}
    refused = await client.put(NAMES, json=[good, entry], headers=headers)
    assert refused.status_code == 400
    assert message in refused.json()["detail"]
    assert await DisplayName.count() == 0


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor, Role.account_manager])
async def test_only_administrators_change_names(
    client: httpx.AsyncClient, people: dict[Role, StaffMember], role: Role
) -> None:
    headers = await api_session(client, people[role])
    body = [{"kind": "industry", "value": "retail", "names": {"en": "Retail"}}]
    assert (await client.put(NAMES, json=body, headers=headers)).status_code == 403
    assert (await client.get(NAMES)).status_code == 200
    assert (await client.get("/admin/display-names")).status_code == 403
    assert await DisplayName.count() == 0


async def test_the_page_saves_every_name_and_shows_them_escaped(
    client: httpx.AsyncClient, people: dict[Role, StaffMember]
) -> None:
    await log_in(client, people[Role.admin])
    page = await client.get("/admin/display-names")
    assert page.status_code == 200
    assert 'name="industry:logistics:zh"' in page.text
    token = CSRF_FIELD.search(page.text)
    assert token
    form = {"_csrf_token": token.group(1), "industry:logistics:zh": "物流",
            "region:east:en": HOSTILE}  # fmt: skip
    saved = await client.post("/admin/display-names", data=form)
    assert saved.status_code == 303
    shown = await client.get(saved.headers["location"])
    assert "The names are saved." in shown.text
    assert 'value="物流"' in shown.text
    assert HOSTILE not in shown.text
    assert (await display_names("en")).of("region", "east") == HOSTILE
