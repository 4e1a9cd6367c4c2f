"""Wave results through the JSON API and the staff pages: figures, role filtering, escaping."""

from __future__ import annotations

import datetime as dt

import httpx
import msgspec
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account
from feedback.clock import FrozenClock
from feedback.surveys.questionnaire import Answer
from feedback.surveys.results import wave_results
from feedback.surveys.schemas import results_out
from feedback.surveys.services import create_wave
from feedback.surveys.waves import Period
from tests.conftest import TODAY, log_in
from tests.support.factories import (
    CLOSES,
    OPENS,
    PERIOD,
    PREVIOUS,
    answer_all,
    make_account,
    make_purchases,
)

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

RESULTS = f"/api/v1/waves/{PERIOD}/results"
UNKNOWN = str(Period(TODAY.year + 5, 1))  # a half year no test gives a wave
HOSTILE_NAME = "<b>Bold</b> & Sons"


@pytest.fixture
async def waves(make_staff, clock: FrozenClock) -> dict[str, StaffMember]:
    """Two waves over two portfolios: W1 moves up, W2 stays, W3 drops, W4 goes silent."""
    people = {role.value: await make_staff(role) for role in Role}
    people["m2"] = await make_staff(Role.account_manager)
    m1, m2 = people["account_manager"].id, people["m2"].id
    ids = {}
    for code, manager in (("W1", m1), ("W2", m1), ("W3", m2), ("W4", m2)):
        ids[code] = await make_account(code, manager=manager)
    await Account.update({Account.name: HOSTILE_NAME}).where(Account.code == "W1")
    await Account.update({Account.opened_on: dt.date(2015, 1, 1)}).where(Account.code == "W3")
    # A purchase in the year before each wave's loyalty window and one in it.
    steady = (
        (TODAY - dt.timedelta(days=451), "1000.00"),
        (TODAY - dt.timedelta(days=86), "500.00"),
    )
    await make_purchases(ids["W1"], *steady)
    await make_purchases(ids["W3"], *steady)
    first = {"w1@x.com": 2, "w2@x.com": 1, "w3@x.com": 3, "w4@x.com": 2}
    second = {"w1@x.com": 3, "w2@x.com": 1, "w3@x.com": 0}
    for period, levels in ((PREVIOUS, first), (PERIOD, second)):
        await create_wave(period, clock.now(), opens_on=OPENS, closes_on=CLOSES)
        answers = {email: Answer(level=level, aspects={"quality": 4} if level == 3 else {})
                   for email, level in levels.items()}  # fmt: skip
        await answer_all(period, clock, answers)
    return people


async def _results(client: httpx.AsyncClient, member: StaffMember) -> dict:
    await log_in(client, member)
    response = await client.get(RESULTS)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_wave_list_has_each_waves_headline_figures(client, waves) -> None:
    await log_in(client, waves["agent"])
    response = await client.get("/api/v1/waves")
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"period": PREVIOUS, "opens_on": str(OPENS), "closes_on": str(CLOSES),
         "status": "open", "invited": 4, "responded": 4, "response_rate": 1.0,
         "satisfaction_rate": 1.0, "loyalty_rate": 0.75, "advocacy_rate": 0.25},
        {"period": PERIOD, "opens_on": str(OPENS), "closes_on": str(CLOSES),
         "status": "open", "invited": 4, "responded": 3, "response_rate": 0.75,
         "satisfaction_rate": 2 / 3, "loyalty_rate": 1 / 3, "advocacy_rate": 1 / 3},
    ]  # fmt: skip


async def test_admins_and_supervisors_see_every_account(client, waves) -> None:
    for role in ("admin", "supervisor"):
        body = await _results(client, waves[role])
        assert body["accounts_shown"] == "all"
        assert (body["invited"], body["responded"], body["response_rate"]) == (4, 3, 0.75)
        assert body["level_counts"] == [1, 1, 0, 1]
        assert body["level_shares"] == [1 / 3, 1 / 3, 0.0, 1 / 3]
        assert {a["code"]: a["movement"] for a in body["accounts"]} == {
            "W1": "up", "W2": "same", "W3": "down", "W4": "silent"}  # fmt: skip
        assert [a["code"] for a in body["dropped"]] == ["W3"]
        assert {q["code"]: q["quadrant"] for q in body["quadrants"]} == {
            "W1": "apostle", "W2": "mercenary", "W3": "hostage"}  # fmt: skip
        assert body["quadrant_counts"] == {"apostle": 1, "mercenary": 1, "hostage": 1,
                                           "saboteur": 0}  # fmt: skip


async def test_the_api_gives_what_the_command_prints(client, waves) -> None:
    body = await _results(client, waves["admin"])
    printed = msgspec.json.encode(results_out(await wave_results(PERIOD)))
    assert body == msgspec.json.decode(printed)


async def test_account_managers_see_whole_figures_but_only_their_own_accounts(
    client, waves
) -> None:
    everything = await _results(client, waves["admin"])
    mine = await _results(client, waves["account_manager"])
    theirs = await _results(client, waves["m2"])
    for body in (mine, theirs):
        assert body["accounts_shown"] == "portfolio"
        shared = ("invited", "level_shares", "aspects", "breakdowns", "movement_counts")
        for key in (*shared, "quadrant_counts"):
            assert body[key] == everything[key], key
    assert [a["code"] for a in mine["accounts"]] == ["W1", "W2"]
    assert [q["code"] for q in mine["quadrants"]] == ["W1", "W2"]
    assert mine["dropped"] == []
    assert [a["code"] for a in theirs["accounts"]] == ["W3", "W4"]
    assert [q["code"] for q in theirs["quadrants"]] == ["W3"]
    assert [a["code"] for a in theirs["dropped"]] == ["W3"]


async def test_agents_see_the_figures_and_no_accounts(client, waves) -> None:
    everything = await _results(client, waves["admin"])
    body = await _results(client, waves["agent"])
    assert body["accounts_shown"] == "none"
    assert (body["accounts"], body["dropped"], body["quadrants"]) == ([], [], [])
    assert body["level_shares"] == everything["level_shares"]
    assert body["quadrant_counts"] == everything["quadrant_counts"]


async def test_unknown_waves_get_404_and_bad_periods_400(client, waves) -> None:
    await log_in(client, waves["admin"])
    missing = await client.get(f"/api/v1/waves/{UNKNOWN}/results")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith(f"there is no wave for {UNKNOWN}")
    bad = await client.get("/api/v1/waves/2026-H3/results")
    assert bad.status_code == 400
    assert "a wave period looks like 2026-H1 or 2026-H2" in bad.json()["detail"]
    page = await client.get(f"/waves/{UNKNOWN}")
    assert page.status_code == 404
    assert f"there is no wave for {UNKNOWN}" in page.text


async def test_the_openapi_document_describes_the_waves_api(client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    results = schema["paths"]["/api/v1/waves/{period}/results"]["get"]
    assert {"200", "400", "404"} <= set(results["responses"])
    assert results["parameters"][0]["description"] == "The half year, e.g. 2026-H2"
    assert results["description"].startswith("A wave's results, as `feedback waves results")
    assert schema["paths"]["/api/v1/waves"]["get"]["description"] == (
        "Every wave, oldest first, with its headline figures."
    )
    assert "/api/v1/waves" in schema["paths"]
    assert {"WaveResultsOut", "WaveSummaryOut"} <= set(schema["components"]["schemas"])


async def test_the_wave_pages_show_the_figures_and_escape_names(client, waves) -> None:
    await log_in(client, waves["supervisor"])
    listing = await client.get("/waves")
    assert listing.status_code == 200
    assert f'<a href="/waves/{PERIOD}">{PERIOD}</a>' in listing.text
    assert "75.0%" in listing.text  # the previous wave's loyalty and this one's response rate
    page = await client.get(f"/waves/{PERIOD}")
    assert page.status_code == 200, page.text
    html = page.text
    for figure in ("66.7%", "33.3%", "75.0%", "4.00"):  # satisfaction, shares, response, quality
        assert figure in html, figure
    assert html.count("<svg") == 2
    assert 'aria-labelledby="levels-title levels-desc"' in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Sons" in html
    assert "<b>Bold</b>" not in html
    assert '<a href="/accounts/W3">W3</a>' in html  # dropped, and in the Hostage cell
    assert html.count('href="/accounts/W1"') == 1  # Apostle


async def test_a_managers_page_lists_only_their_accounts(client, waves) -> None:
    await log_in(client, waves["m2"])
    html = (await client.get(f"/waves/{PERIOD}")).text
    assert 'href="/accounts/W3"' in html
    assert 'href="/accounts/W1"' not in html
    assert "your own portfolio" in html
