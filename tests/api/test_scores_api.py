"""Churn scores over HTTP: drifting accounts by value at risk, history, portfolios, pages."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account
from feedback.scoring import risk
from tests.conftest import log_in
from tests.support.factories import make_scores

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

EARLIER, LATEST = dt.date(2026, 11, 1), dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC)


@pytest.fixture
async def scored(make_staff) -> dict[str, StaffMember]:  # type: ignore[no-untyped-def]
    """Three accounts of one manager and one of another, scored on two days."""
    people = {role: await make_staff(role) for role in Role}
    other = await make_staff(Role.account_manager)
    mine = people[Role.account_manager].id
    ids = {}
    for code, manager in (("A1", mine), ("A2", mine), ("A3", mine), ("B1", other.id)):
        row = Account(code=code, name=f"Account {code}", tier="B", status="active", manager=manager)
        await row.save()
        ids[code] = int(row.id)
    await make_scores(EARLIER, {ids["A1"]: (0.05, 1000.0), ids["A2"]: (0.30, 5000.0)})
    await make_scores(
        LATEST,
        {
            ids["A1"]: (0.30, 1000.0),  # rose from low to high: 300 at risk
            ids["A2"]: (0.12, 5000.0),  # fell to medium: 600 at risk
            ids["A3"]: (0.60, 100.0),  # first score, critical: 60 at risk
            ids["B1"]: (0.90, 9000.0),  # another portfolio
        },
    )
    return {role.value: member for role, member in people.items()}


async def test_scores_are_sorted_by_value_at_risk_with_the_risers_listed(
    client: httpx.AsyncClient, scored: dict[str, StaffMember]
) -> None:
    await log_in(client, scored["supervisor"])
    page = (await client.get("/api/v1/scores")).json()
    assert page["as_of"] == LATEST.isoformat()
    assert [s["code"] for s in page["items"]] == ["B1", "A2", "A1", "A3"]
    assert [s["risk_value"] for s in page["items"]] == pytest.approx([8100, 600, 300, 60])
    assert [(s["code"], s["previous_probability"]) for s in page["rose"]] == [("A1", 0.05)]
    assert (page["rose_count"], page["next_cursor"]) == (1, None)
    assert page["items"][1]["reasons"][0]["text"].startswith("no purchase for")
    critical = (await client.get("/api/v1/scores?band=critical&limit=1")).json()
    assert [s["code"] for s in critical["items"]] == ["B1"]


async def test_account_managers_see_only_their_portfolio(
    client: httpx.AsyncClient, scored: dict[str, StaffMember]
) -> None:
    await log_in(client, scored["account_manager"])
    page = (await client.get("/api/v1/scores")).json()
    assert [s["code"] for s in page["items"]] == ["A2", "A1", "A3"]
    history = (await client.get("/api/v1/accounts/A1/scores")).json()
    assert [(p["as_of"], p["band"]) for p in history["items"]] == [
        (EARLIER.isoformat(), "low"),
        (LATEST.isoformat(), "high"),
    ]
    hidden = await client.get("/api/v1/accounts/B1/scores")
    assert hidden.status_code == 404
    assert (await client.get("/accounts/B1/churn")).status_code == 404


async def test_agents_are_kept_out_and_bad_filters_get_a_400(
    client: httpx.AsyncClient, scored: dict[str, StaffMember]
) -> None:
    await log_in(client, scored["agent"])
    assert (await client.get("/api/v1/scores")).status_code == 403
    await log_in(client, scored["admin"])
    bad = await client.get("/api/v1/scores?band=extreme")
    assert bad.status_code == 400
    assert "unknown band 'extreme'" in bad.text
    assert (await client.get("/api/v1/scores?limit=0")).status_code == 400


async def test_the_pages_show_bands_reasons_risers_and_the_trend(
    client: httpx.AsyncClient, scored: dict[str, StaffMember]
) -> None:
    await log_in(client, scored["account_manager"])
    drifting = await client.get("/drifting")
    assert drifting.status_code == 200
    assert "Rose into a higher band (1)" in drifting.text
    assert "no purchase for" in drifting.text
    assert "Account B1" not in drifting.text
    page = await client.get("/accounts/A1/churn")
    assert page.status_code == 200
    assert "30.0%" in page.text
    assert "+25.0 points (was low)" in page.text
    assert "<svg" in page.text


async def test_the_api_gives_each_reasons_code_figures_and_words_in_the_language_asked(
    client: httpx.AsyncClient, scored: dict[str, StaffMember]
) -> None:
    await log_in(client, scored["supervisor"])
    english = (await client.get("/api/v1/scores")).json()["items"][0]["reasons"][0]
    days = english["figures"]["days"]
    assert english == {
        "group": "recency",
        "weight": 0.2,
        "text": f"no purchase for {days} days; usually every 30",
        "code": "purchase_overdue",
        "figures": {"days": days, "usual_gap": 30},
    }
    chinese = (await client.get("/api/v1/scores?lang=zh")).json()["items"][0]["reasons"][0]
    assert chinese == {**english, "text": f"已 {days} 天没有采购；通常每 30 天采购一次"}
    history = (await client.get("/api/v1/accounts/A1/scores?lang=zh")).json()
    assert history["items"][-1]["reasons"][0]["text"].startswith("已 ")
    for path in ("/api/v1/scores?lang=fr", "/api/v1/accounts/A1/scores?lang=fr"):
        refused = await client.get(path)
        assert refused.status_code == 400
        assert "unknown language 'fr': one of en, zh" in refused.text


async def test_the_risk_pages_word_the_reasons_in_chinese_when_asked(
    client: httpx.AsyncClient, scored: dict[str, StaffMember]
) -> None:
    await log_in(client, scored["account_manager"])
    page = (await client.get("/accounts/A1/churn?lang=zh")).text
    assert '<ol lang="zh-Hans"><li>已 ' in page
    assert "天没有采购；通常每 30 天采购一次" in page
    assert '<a href="/accounts/A1/churn?lang=en" lang="en">English</a>' in page
    drifting = (await client.get("/drifting?lang=zh")).text
    assert '<ul class="plain" lang="zh-Hans"><li>已 ' in drifting
    assert '<option value="zh" selected>中文</option>' in drifting
    assert "no purchase for" not in drifting
    assert (await client.get("/accounts/A1/churn?lang=fr")).status_code == 400


async def test_pages_follow_the_cursor_and_a_bad_cursor_gets_a_400(
    client: httpx.AsyncClient, scored: dict[str, StaffMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    await log_in(client, scored["admin"])
    first = (await client.get("/api/v1/scores?limit=3")).json()
    assert [s["code"] for s in first["items"]] == ["B1", "A2", "A1"]
    assert first["next_cursor"] is not None
    second = (await client.get(f"/api/v1/scores?limit=3&after={first['next_cursor']}")).json()
    assert ([s["code"] for s in second["items"]], second["next_cursor"]) == (["A3"], None)
    high = (await client.get(f"/api/v1/scores?band=high&after={first['next_cursor']}")).json()
    assert high["items"] == [], "A1 was the last high account"
    unknown = await client.get("/api/v1/scores?after=999999")
    assert unknown.status_code == 400
    assert "cursor" in unknown.json()["detail"]

    monkeypatch.setattr(risk, "PAGE_SIZE", 2)
    page = (await client.get("/drifting")).text
    assert listed(page) == ["B1", "A2"]
    link = re.search(r'href="(/drifting\?after=\d+)" rel="next"', page)
    assert link is not None
    assert listed((await client.get(link[1])).text) == ["A1", "A3"]


def listed(page: str) -> list[str]:
    """The accounts in the page's table of accounts by value at risk, in order."""
    return re.findall(r">Account (\w+)</a>", page.split("Accounts by value at risk")[1])
