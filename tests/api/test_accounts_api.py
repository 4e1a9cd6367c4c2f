"""The accounts list and account pages, as JSON and as HTML, on both databases."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, Contact
from feedback.clock import FrozenClock
from tests.conftest import log_in
from tests.support.factories import make_purchases

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

LIST = "/api/v1/accounts"
# Piccolo warns on every ILIKE it runs on SQLite; test_search_raises_no_warning covers that,
# the tests marked with this check what the search finds.
search_warning_ignored = pytest.mark.filterwarnings("ignore:.*doesn't support ILIKE")


async def _accounts(*rows: Account) -> dict[str, int]:
    """Insert accounts in the given order; returns their ids by code."""
    await Account.insert(*rows)
    found = await Account.select(Account.id, Account.code)
    return {row["code"]: row["id"] for row in found}


async def _codes(client: httpx.AsyncClient, query: str = "") -> list[str]:
    response = await client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
async def portfolio(make_staff) -> dict[str, StaffMember]:
    """Two account managers' portfolios and two unmanaged accounts, inserted out of order."""
    people = {
        "m1": await make_staff(Role.account_manager),
        "m2": await make_staff(Role.account_manager),
        "supervisor": await make_staff(Role.supervisor),
    }
    m1, m2 = people["m1"].id, people["m2"].id
    columns = ("code", "name", "tier", "industry", "region", "status", "manager")
    rows = [
        ("ACC-4", "Delta Textiles", "D", "textiles", "north", "active", m2),
        ("ACC-1", "Alpha Foods", "A", "food", "north", "active", m1),
        ("ACC-6", "Echo Metals", "A", "metals", "north", "closed", None),
        ("ACC-3", "Charlie Foods", "C", "food", "south", "closed", m2),
        ("CN-5", "深圳华为贸易有限公司", "B", "metals", "east", "active", None),
        ("ACC-2", "Bravo Metals", "B", "metals", "south", "active", m1),
    ]
    await _accounts(*(Account(**dict(zip(columns, row, strict=True))) for row in rows))
    return people


async def test_the_list_is_ordered_by_name(client, portfolio) -> None:
    await log_in(client, portfolio["supervisor"])
    response = await client.get(LIST)
    body = response.json()
    # Chinese sorts after Latin letters in SQLite's byte order and PostgreSQL's collations.
    assert [item["name"] for item in body["items"]] == [
        "Alpha Foods",
        "Bravo Metals",
        "Charlie Foods",
        "Delta Textiles",
        "Echo Metals",
        "深圳华为贸易有限公司",
    ]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert first["code"] == "ACC-1"
    assert first["manager"] == portfolio["m1"].name
    assert (first["tier"], first["industry"], first["region"]) == ("A", "food", "north")


FILTERS = {
    "tier=A": ["ACC-1", "ACC-6"],
    "tier=D": ["ACC-4"],
    "industry=food": ["ACC-1", "ACC-3"],
    "region=south": ["ACC-2", "ACC-3"],
    "region=east": ["CN-5"],
    "status=closed": ["ACC-3", "ACC-6"],
    "status=active": ["ACC-1", "ACC-2", "ACC-4", "CN-5"],
    "q=foods": ["ACC-1", "ACC-3"],
    "q=%20Metals%20": ["ACC-2", "ACC-6"],
    "q=acc-2": ["ACC-2"],
    "q=CN-": ["CN-5"],
    "q=华为": ["CN-5"],
    "q=深圳华为贸易有限公司": ["CN-5"],
    "q=上海": [],
    "tier=A&region=north&status=active": ["ACC-1"],
    "industry=metals&status=closed": ["ACC-6"],
    "industry=metals&q=bravo": ["ACC-2"],
    "industry=nothing": [],
}


@search_warning_ignored
async def test_each_filter_narrows_exactly(client, portfolio) -> None:
    await log_in(client, portfolio["supervisor"])
    found = {query: await _codes(client, query) for query in FILTERS}
    assert found == FILTERS


async def test_manager_filter_narrows_to_that_portfolio(client, portfolio) -> None:
    await log_in(client, portfolio["supervisor"])
    assert await _codes(client, f"manager_id={portfolio['m2'].id}") == ["ACC-3", "ACC-4"]
    assert await _codes(client, f"manager_id={portfolio['m1'].id}&tier=B") == ["ACC-2"]


async def test_search_raises_no_warning(client, portfolio) -> None:
    """Warnings are errors here (pyproject.toml), so a warning inside a request is a 500."""
    await log_in(client, portfolio["supervisor"])
    response = await client.get(f"{LIST}?q=foods")
    assert response.status_code == 200, response.text
    assert [item["code"] for item in response.json()["items"]] == ["ACC-1", "ACC-3"]


@search_warning_ignored
async def test_search_treats_like_wildcards_as_plain_text(client, make_staff) -> None:
    supervisor = await make_staff(Role.supervisor)
    await _accounts(
        Account(code="PCT-1", name="100% Cotton"),
        Account(code="PCT-2", name="Cotton 100 Mills"),
        Account(code="UND-1", name="A_B Trading"),
        Account(code="UND-2", name="AXB Trading"),
    )
    await log_in(client, supervisor)
    found = {query: await _codes(client, query) for query in ("q=100%25", "q=A_B", "q=%25")}
    assert found == {"q=100%25": ["PCT-1"], "q=A_B": ["UND-1"], "q=%25": ["PCT-1"]}


@search_warning_ignored
async def test_an_account_manager_sees_only_their_own_portfolio(client, portfolio) -> None:
    await log_in(client, portfolio["m1"])
    assert await _codes(client) == ["ACC-1", "ACC-2"]
    # Asking for someone else's portfolio does not widen the view.
    assert await _codes(client, f"manager_id={portfolio['m2'].id}") == ["ACC-1", "ACC-2"]
    assert await _codes(client, "q=Foods") == ["ACC-1"]
    assert (await client.get(f"{LIST}/ACC-1")).status_code == 200
    for code in ("ACC-3", "ACC-6", "CN-5", "NOPE-9"):
        response = await client.get(f"{LIST}/{code}")
        assert response.status_code == 404, code
        assert response.json()["detail"] == f"no account with code {code}"
        assert (await client.get(f"/accounts/{code}")).status_code == 404, code


async def _walk_pages(client: httpx.AsyncClient, query: str, ids: dict[str, int]) -> list[str]:
    """Follow next_cursor from the first page to the last; returns the codes in order."""
    limit = int(dict(part.split("=") for part in query.split("&"))["limit"])
    seen: list[str] = []
    after = ""
    for _ in range(len(ids) + 1):
        body = (await client.get(f"{LIST}?{query}{after}")).json()
        assert len(body["items"]) <= limit
        seen += [item["code"] for item in body["items"]]
        if body["next_cursor"] is None:
            return seen
        assert len(body["items"]) == limit
        assert body["next_cursor"] == ids[seen[-1]]
        after = f"&after={body['next_cursor']}"
    raise AssertionError(f"the pages of {query} never end: {seen}")


async def test_pages_visit_every_account_once_even_when_names_tie(client, make_staff) -> None:
    supervisor = await make_staff(Role.supervisor)
    names = ["Same", "Zulu", "Same", "Aardvark", "Same", "Same Two", "Same", "Mid", "Same",
             "Same", "Aardvark", "Same"]  # fmt: skip
    ids = await _accounts(
        *(Account(code=f"T-{i:02}", name=name, region="north" if i % 3 else "south")
          for i, name in enumerate(names))
    )  # fmt: skip
    by_name = sorted((name, ids[f"T-{i:02}"], f"T-{i:02}") for i, name in enumerate(names))
    expected = [code for _, _, code in by_name]
    assert expected[:4] == ["T-03", "T-10", "T-07", "T-00"]  # ties go by id
    await log_in(client, supervisor)
    walks = {limit: await _walk_pages(client, f"limit={limit}", ids) for limit in (1, 2, 5, 11, 12)}
    assert walks == dict.fromkeys(walks, expected)
    north = [code for code in expected if int(code[2:]) % 3]
    assert await _walk_pages(client, "limit=2&region=north", ids) == north


BAD_PARAMETERS = {
    "limit=0": "limit",
    "limit=1000": "limit",
    "limit=x": "limit",
    "limit=": "limit",
    "limit=-1": "limit",
    "after=x": "after",
    "manager_id=x": "manager_id",
}
UNKNOWN_VALUES = {
    "tier=Z": "unknown tier 'Z'; choose A, B, C or D",
    "tier=a": "unknown tier 'a'; choose A, B, C or D",
    "status=open": "unknown status 'open'; choose active or closed",
    "after=999999": "the page cursor does not name an account",
}


async def test_bad_parameters_get_400_with_a_json_message(client, portfolio) -> None:
    await log_in(client, portfolio["supervisor"])
    answers = {}
    for query in BAD_PARAMETERS:
        response = await client.get(f"{LIST}?{query}")
        assert response.headers["content-type"].startswith("application/json"), query
        body = response.json()
        assert isinstance(body["detail"], str), query
        assert body["detail"].startswith("Validation failed for GET /api/v1/accounts"), query
        answers[query] = (response.status_code, [error["key"] for error in body["extra"]])
    assert answers == {query: (400, [key]) for query, key in BAD_PARAMETERS.items()}


async def test_unknown_values_get_400_naming_the_allowed_ones(client, portfolio) -> None:
    await log_in(client, portfolio["supervisor"])
    answers = {}
    for query in UNKNOWN_VALUES:
        response = await client.get(f"{LIST}?{query}")
        answers[query] = (response.status_code, response.json()["detail"])
    assert answers == {query: (400, detail) for query, detail in UNKNOWN_VALUES.items()}


async def test_account_detail_has_contacts_attributes_and_exact_purchase_totals(
    client, portfolio, clock: FrozenClock
) -> None:
    # The windows' edges and the calendar years are checked around one fixed day.
    clock.at = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
    account_id = (await Account.select(Account.id).where(Account.code == "ACC-1"))[0]["id"]
    await Account.update(
        {Account.attributes: {"seats": 12, "segment": "retail", "renewal": None},
         Account.opened_on: dt.date(2019, 4, 1)}
    ).where(Account.id == account_id)  # fmt: skip
    await Contact.insert(
        Contact(account=account_id, email="zoe@alpha.example", name="Zoe", language="en"),
        Contact(account=account_id, email="li@alpha.example", name="李雷", language="zh",
                phone="+86 10 1234", survey_opt_in=False),
    )  # fmt: skip
    await make_purchases(
        account_id,
        (dt.date(2024, 3, 15), "1000.10"),
        (dt.date(2024, 11, 26), "7.00"),  # the day before the prior 12 months open
        (dt.date(2024, 11, 27), "40.00"),  # the first day of the prior 12 months
        (dt.date(2025, 11, 26), "200.20"),  # the day before the trailing window opens
        (dt.date(2025, 11, 27), "300.30"),  # the first day inside it
        (dt.date(2026, 6, 1), "0.10"),
        (dt.date(2026, 6, 1), "0.20"),
        (dt.date(2026, 11, 26), "99.99"),  # today, the last day inside
        (dt.date(2026, 11, 27), "5.05"),  # tomorrow: booked ahead, outside the window
    )
    await log_in(client, portfolio["m1"])
    response = await client.get(f"{LIST}/ACC-1")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Alpha Foods"
    assert body["manager"] == portfolio["m1"].name
    assert body["manager_email"] == portfolio["m1"].email
    assert body["opened_on"] == "2019-04-01"
    assert body["attributes"] == {"seats": 12, "segment": "retail", "renewal": None}
    assert body["contacts"] == [
        {"email": "li@alpha.example", "name": "李雷", "language": "zh", "phone": "+86 10 1234",
         "survey_opt_in": False},
        {"email": "zoe@alpha.example", "name": "Zoe", "language": "en", "phone": "",
         "survey_opt_in": True},
    ]  # fmt: skip
    assert body["purchases"] == {
        "purchases": 9,
        "revenue": 1652.94,
        "first_on": "2024-03-15",
        "last_on": "2026-11-27",
        "trailing_revenue": 400.59,
        "trailing_purchases": 4,
        "prior_revenue": 240.20,
        "prior_purchases": 2,
        "by_year": [
            {"year": 2024, "purchases": 3, "revenue": 1047.10},
            {"year": 2025, "purchases": 2, "revenue": 500.50},
            {"year": 2026, "purchases": 4, "revenue": 105.34},
        ],
    }
    page = (await client.get("/accounts/ACC-1")).text
    assert "<dt>Last 12 months</dt><dd>4 for 400.59</dd>" in page
    assert "<dt>The 12 months before</dt><dd>2 for 240.20</dd>" in page


async def test_an_account_without_purchases_has_an_empty_summary(client, portfolio) -> None:
    await log_in(client, portfolio["supervisor"])
    body = (await client.get(f"{LIST}/ACC-6")).json()
    assert body["contacts"] == []
    assert body["attributes"] == {}
    assert body["purchases"] == {
        "purchases": 0,
        "revenue": 0,
        "first_on": None,
        "last_on": None,
        "trailing_revenue": 0,
        "trailing_purchases": 0,
        "prior_revenue": 0,
        "prior_purchases": 0,
        "by_year": [],
    }


async def test_codes_with_chinese_text_and_spaces_resolve(client, make_staff) -> None:
    supervisor = await make_staff(Role.supervisor)
    await _accounts(Account(code="北京 01", name="北京客户"))
    await log_in(client, supervisor)
    response = await client.get(f"{LIST}/北京%2001")
    assert response.status_code == 200
    assert response.json()["name"] == "北京客户"


HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


async def test_pages_render_and_escape_hostile_text(client, make_staff) -> None:
    supervisor = await make_staff(Role.supervisor)
    ids = await _accounts(
        Account(code="XSS-1", name=HOSTILE, industry=HOSTILE, region="north",
                attributes={"note": HOSTILE}),
        Account(code="OK-1", name="Plain Ltd"),
    )  # fmt: skip
    await Contact.insert(Contact(account=ids["XSS-1"], email="x@example.com", name=HOSTILE))
    await log_in(client, supervisor)
    listing = await client.get("/accounts")
    detail = await client.get("/accounts/XSS-1")
    for page in (listing, detail):
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert ESCAPED in page.text
        assert HOSTILE not in page.text
    assert "Plain Ltd" in listing.text
    assert detail.text.count(ESCAPED) >= 4  # name (title and heading), industry, attribute, contact


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/accounts/([^"]+)">', page)


def _next_link(page: str) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', page)
    return match.group(1).replace("&amp;", "&") if match else None


async def test_the_list_pages_next_link_continues_where_the_page_ended(client, make_staff) -> None:
    supervisor = await make_staff(Role.supervisor)
    await _accounts(*(Account(code=f"P-{i:02}", name=f"Account {i:02}") for i in range(53)))
    await log_in(client, supervisor)
    first = await client.get("/accounts")
    assert _rows(first.text) == [f"P-{i:02}" for i in range(50)]
    link = _next_link(first.text)
    assert link is not None
    second = await client.get(link)
    assert second.status_code == 200
    assert _rows(second.text) == ["P-50", "P-51", "P-52"]
    assert _next_link(second.text) is None


async def test_the_next_link_keeps_the_filters(client, make_staff) -> None:
    supervisor = await make_staff(Role.supervisor)
    mine, other = await make_staff(Role.account_manager), await make_staff(Role.account_manager)
    await _accounts(
        *(Account(code=f"M-{i:02}", name=f"Beta {i:02}", manager=mine.id, region="north")
          for i in range(51)),
        Account(code="O-1", name="Beta 49 Other", manager=other.id, region="north"),
        Account(code="O-2", name="Beta 49 South", manager=mine.id, region="south"),
    )  # fmt: skip
    await log_in(client, supervisor)
    for query, tail in (
        (f"manager_id={mine.id}", ["O-2", "M-50"]),
        ("region=north", ["O-1", "M-50"]),
    ):
        first = await client.get(f"/accounts?{query}")
        assert _rows(first.text) == [f"M-{i:02}" for i in range(50)], query
        link = _next_link(first.text)
        assert link is not None, query
        second = await client.get(link)
        assert _rows(second.text) == tail, f"{query} -> {link}"
