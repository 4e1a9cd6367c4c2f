"""A manager's week (/my-week and GET /api/v1/my-week): overdue and due contacts, open
complaints, the accounts that dropped a level or rose a risk band since last week; who may
read whose week; empty lists, hostile names and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import Severity
from feedback.complaints.periodic import run_complaint_work
from feedback.config import Settings
from feedback.db import Database
from feedback.site.my_week import my_week
from feedback.surveys.answers import record_response
from feedback.surveys.issuance import issue_wave
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave, create_wave
from tests.conftest import NOW, TODAY, log_in
from tests.support.factories import (
    MAIL,
    PERIOD,
    PREVIOUS,
    make_account,
    make_contact,
    make_contact_log,
    make_scores,
    raise_complaint,
)
from tests.support.web import HOSTILE

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

MakeStaff = Callable[[Role], Awaitable[StaffMember]]
WEEK = dt.timedelta(days=7)
# The manager's accounts: code -> (tier, revenue of the last 12 months, visits and calls).
# Tier A asks 2 visits a quarter and 1 call a month, B 1 visit a quarter and 1 call a month.
PORTFOLIO: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "A1": ("A", "9000", ("visit",)),  # overdue: no call; 1 of 2 visits (due)
    "A2": ("A", "5000", ()),  # overdue: nothing at all
    "A3": ("A", "8000", ("visit", "call")),  # due: 1 of 2 visits, the last one today
    "A4": ("A", "2000", ("visit", "call")),  # due
    "B1": ("B", "7000", ("visit", "call")),  # met
    "D1": ("D", "100", ()),  # tier D has no standard
}
# The level each contact answered in the wave before, and now (level, when); None: silent.
ANSWERS: dict[str, tuple[int | None, tuple[int, dt.datetime] | None]] = {
    "a1@x.com": (3, (1, NOW - dt.timedelta(hours=1))),  # A1 dropped
    "a1-buyer@x.com": (None, (2, NOW - dt.timedelta(days=2))),  # A1 again, not as low
    "a2@x.com": (2, (2, NOW - dt.timedelta(hours=2))),  # the same
    "a3@x.com": (2, (1, NOW - WEEK)),  # dropped exactly 7 days ago: this week still
    "a4@x.com": (3, (1, NOW - WEEK - dt.timedelta(seconds=1))),  # dropped just before the week
    "b1@x.com": (None, (1, NOW - dt.timedelta(hours=3))),  # silent before: new, not a drop
    "o1@x.com": (3, (1, NOW - dt.timedelta(hours=1))),  # another manager's
}
# Scores (probability) on the latest scored day, and 6 and 7 days before it.
LATEST = TODAY
SCORES: dict[dt.date, dict[str, float]] = {
    LATEST - WEEK: {"A1": 0.05, "A2": 0.30, "A3": 0.05, "O1": 0.05},
    LATEST - dt.timedelta(days=6): {"A1": 0.05, "A2": 0.05, "A3": 0.05, "A4": 0.05, "O1": 0.05},
    LATEST: {"A1": 0.30, "A2": 0.30, "A3": 0.45, "A4": 0.60, "O1": 0.90},
}


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


async def _answer_waves() -> None:
    """The wave before (closed 150 days ago) and this half year's wave (open for 30 days)."""
    before = at(TODAY - dt.timedelta(days=170))
    await create_wave(PREVIOUS, before, TODAY - dt.timedelta(days=180),
                      TODAY - dt.timedelta(days=150))  # fmt: skip
    links = {link.email: link.token for link in await issue_wave(PREVIOUS, before, MAIL)}
    for email, (level, _) in ANSWERS.items():
        if level is not None:
            await record_response(links[email], Answer(level=level), before)
    await close_wave(PREVIOUS, at(TODAY - dt.timedelta(days=149)))
    issued = NOW - dt.timedelta(days=10)
    await create_wave(PERIOD, issued, TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=19))
    links = {link.email: link.token for link in await issue_wave(PERIOD, issued, MAIL)}
    for email, (_, now) in ANSWERS.items():
        if now is not None:
            await record_response(links[email], Answer(level=now[0]), now[1])


@pytest.fixture
async def book(make_staff: MakeStaff) -> dict[str, Any]:
    """The manager's PORTFOLIO (A2 with a hostile name), a closed account of theirs, and O1
    of another manager; answers, complaints and scores on them."""
    people = {role.value: await make_staff(role) for role in Role}
    mine, other = people["account_manager"], await make_staff(Role.account_manager)
    ids = {}
    for code, (tier, revenue, contacts) in PORTFOLIO.items():
        ids[code] = await make_account(code, tier=tier, manager=mine.id)
        await Account.update({Account.trailing_revenue: Decimal(revenue)}).where(
            Account.id == ids[code]
        )
        if contacts:
            await make_contact_log(ids[code], *((TODAY, kind) for kind in contacts))
    await make_contact(ids["A1"], "a1-buyer@x.com")
    await Account.update({Account.name: HOSTILE}).where(Account.id == ids["A2"])
    await make_account("X1", status="closed", manager=mine.id)  # closed: no visits are due
    ids["O1"] = await make_account("O1", manager=other.id)
    await _answer_waves()
    revenue = {code: float(PORTFOLIO.get(code, ("", "1000", ()))[1]) for code in ids}
    for day, scores in SCORES.items():
        await make_scores(day, {ids[code]: (p, revenue[code]) for code, p in scores.items()})
    late = await raise_complaint(FrozenClock(NOW - dt.timedelta(hours=30)), ids["A2"])
    soon = await raise_complaint(FrozenClock(NOW - dt.timedelta(hours=1)), ids["A1"],
                                 Severity.minor)  # fmt: skip
    await raise_complaint(FrozenClock(NOW - dt.timedelta(hours=40)), ids["O1"])
    await run_complaint_work(NOW, MAIL)  # escalates the breached one
    return {**people, "other": other, "complaints": [late.id, soon.id]}


async def _week(client: httpx.AsyncClient, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/v1/my-week{query}")
    assert response.status_code == 200, response.text
    return response.json()


async def _page(client: httpx.AsyncClient, query: str = "") -> str:
    response = await client.get(f"/my-week{query}")
    assert response.status_code == 200, response.text
    return response.text


def codes(rows: list[dict[str, Any]]) -> list[str]:
    return [row["code"] for row in rows]


async def test_overdue_then_due_contacts_most_valuable_first(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    await log_in(client, book["account_manager"])
    week = await _week(client)
    assert (week["manager"]["id"], week["today"], week["accounts"]) == (
        book["account_manager"].id, TODAY.isoformat(), len(PORTFOLIO) + 1,
    )  # fmt: skip
    assert codes(week["overdue_contacts"]) == ["A1", "A2"]
    assert codes(week["due_contacts"]) == ["A3", "A4"]
    a1, a2 = week["overdue_contacts"]
    assert (a1["tier"], a1["trailing_revenue"], a1["state"]) == ("A", 9000.0, "overdue")
    assert (a1["last_visit"], a1["last_call"]) == (TODAY.isoformat(), None)
    assert [(r["kind"], r["done"], r["count"], r["period"], r["state"]) for r in a1["missing"]] == [
        ("visit", 1, 2, "quarter", "due"),
        ("call", 0, 1, "month", "overdue"),
    ]
    assert [(r["kind"], r["done"]) for r in a2["missing"]] == [("visit", 0), ("call", 0)]
    a3 = week["due_contacts"][0]
    assert (a3["state"], a3["last_call"]) == ("due", TODAY.isoformat())
    assert [r["kind"] for r in a3["missing"]] == ["visit"]


async def test_open_complaints_come_soonest_deadline_first_with_time_left(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    await log_in(client, book["account_manager"])
    week = await _week(client)
    complaints = week["open_complaints"]
    assert [c["id"] for c in complaints] == book["complaints"]
    assert [c["account_code"] for c in complaints] == ["A2", "A1"]
    late, soon = complaints
    assert (late["urgency"], late["escalated_at"] is not None) == ("overdue", True)
    assert late["time_left"].startswith("overdue by")
    assert (soon["escalated_at"], soon["time_left"].endswith("left")) == (None, True)
    assert week["more_complaints"] is False


async def test_drops_of_the_last_7_days_count_from_exactly_7_days_ago(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    """Most valuable first, each account once with its lowest answer of the week."""
    await log_in(client, book["account_manager"])
    week = await _week(client)
    assert week["answers_since"] == (NOW - WEEK).isoformat().replace("+00:00", "Z")
    dropped = [(d["code"], d["period"], d["level"], d["level_before"]) for d in week["dropped"]]
    assert dropped == [("A1", PERIOD, 1, 3), ("A3", PERIOD, 1, 2)]
    answered = [d["answered_at"] for d in week["dropped"]]
    hour_ago = (NOW - dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert answered == [hour_ago, week["answers_since"]]


async def test_risers_are_compared_with_the_scores_of_7_days_before(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    """Against 6 days before, A2 rose (low to high) and A1 and A3 did not; against 7 days
    before, A1 and A3 rose and A2 did not. A4 was not scored 7 days before."""
    await log_in(client, book["account_manager"])
    week = await _week(client)
    assert (week["scored_on"], week["compared_with"]) == (
        LATEST.isoformat(), (LATEST - WEEK).isoformat(),
    )  # fmt: skip
    rose = [(r["code"], r["earlier_band"], r["band"]) for r in week["rose"]]
    assert rose == [("A3", "low", "high"), ("A1", "low", "high")], "by value at risk"
    assert [r["risk_value"] for r in week["rose"]] == pytest.approx([3600, 2700])


@pytest.mark.parametrize(("days", "compared"), [(6, False), (8, True)])
async def test_a_score_less_than_7_days_before_is_not_compared_with(
    client: httpx.AsyncClient, make_staff: MakeStaff, days: int, compared: bool
) -> None:
    manager = await make_staff(Role.account_manager)
    account = await make_account("R1", manager=manager.id)
    await make_scores(LATEST - dt.timedelta(days=days), {account: (0.05, 100.0)})
    await make_scores(LATEST, {account: (0.55, 100.0)})
    await log_in(client, manager)
    week = await _week(client)
    earlier = (LATEST - dt.timedelta(days=days)).isoformat()
    assert (week["compared_with"], codes(week["rose"])) == (
        (earlier, ["R1"]) if compared else (None, [])
    )
    page = await _page(client)
    assert ("No account rose a risk band since last week." in page) is not compared
    assert (f"compared with the scores of {earlier}" in page) is compared


async def test_the_page_lists_every_part_escaped_and_linked(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    await log_in(client, book["account_manager"])
    page = await _page(client)
    assert "<h1>My week</h1>" in page
    manager = book["account_manager"].id
    assert f'href="/reports/portfolio.pdf?manager={manager}"' in page
    assert f'href="/reports/set.zip?manager={manager}" download' in page
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(" in page
    overdue, due = page.split("Overdue, most valuable first")[1].split("Due, most valuable first")
    assert re.findall(r'href="/accounts/(\w+)#contacts"', overdue) == ["A1", "A2"]
    assert re.findall(r'href="/accounts/(\w+)#contacts"', due.split("</table>")[0]) == ["A3", "A4"]
    assert "1 of 2 visits this quarter" in overdue
    assert "0 of 1 call this month" in overdue
    complaints = page.split('id="open-complaints"')[1].split("</section>")[0]
    assert [int(n) for n in re.findall(r'href="/complaints/(\d+)"', complaints)] == book[
        "complaints"
    ]
    assert "overdue by" in complaints
    assert "escalated" in complaints
    since = page.split('id="since-last-week"')[1]
    dropped, rose = since.split("Rose a risk band")
    assert re.findall(r'href="/accounts/(\w+)"', dropped) == ["A1", "A3"]
    assert "1 · satisfied" in dropped
    assert "3 · will recommend" in dropped
    assert re.findall(r'href="/accounts/(\w+)/churn"', rose) == ["A3", "A1"]
    assert '<span class="band band-high">high</span>' in rose
    shown = re.sub(r"<[^>]+>", " ", page.split("<main")[1])
    for raw in ("account_manager", "will_recommend", "not_satisfied", "due_soon", "on_track"):
        assert raw not in shown


async def test_a_portfolio_with_nothing_to_do_says_so_in_every_list(
    client: httpx.AsyncClient, make_staff: MakeStaff
) -> None:
    manager = await make_staff(Role.account_manager)
    await log_in(client, manager)
    week = await _week(client)
    assert week["accounts"] == 0
    for part in ("overdue_contacts", "due_contacts", "open_complaints", "dropped", "rose"):
        assert week[part] == [], part
    assert (week["scored_on"], week["compared_with"]) == (None, None)
    page = await _page(client)
    for empty in (
        "No overdue contacts.",
        "No contacts due.",
        "No open complaints.",
        "No account dropped a level in the last 7 days.",
        "No account rose a risk band since last week.",
        "No churn scores yet.",
    ):
        assert empty in page


async def test_agents_are_kept_out_and_logged_out_visitors_sent_to_log_in(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    assert (await client.get("/api/v1/my-week")).status_code == 401
    login = await client.get("/my-week")
    assert (login.status_code, login.headers["location"]) == (302, "/login?next=/my-week")
    await log_in(client, book["agent"])
    assert (await client.get("/my-week")).status_code == 403
    assert (await client.get("/api/v1/my-week")).status_code == 403
    manager = book["account_manager"].id
    assert (await client.get(f"/api/v1/my-week?manager={manager}")).status_code == 403
    assert 'href="/my-week"' not in (await client.get("/accounts")).text


async def test_a_manager_reads_their_own_week_only(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    me, other = book["account_manager"], book["other"]
    await log_in(client, me)
    assert 'href="/my-week"' in (await client.get("/accounts")).text
    assert codes((await _week(client, f"?manager={me.id}"))["overdue_contacts"]) == ["A1", "A2"]
    for path in ("/my-week", "/api/v1/my-week"):
        refused = await client.get(f"{path}?manager={other.id}")
        assert refused.status_code == 403, path
        assert "O1" not in refused.text
    page = await _page(client)
    assert 'name="manager"' not in page, "managers are offered no one else's week"


async def test_supervisors_choose_a_manager_and_see_the_same_week(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    me, other = book["account_manager"], book["other"]
    await log_in(client, me)
    own = await _week(client)
    await log_in(client, book["supervisor"])
    page = await _page(client)
    assert "choose a manager to see their week" in page
    assert "Overdue contacts" not in page
    offered = re.findall(r'<option value="(\d+)"', page)
    assert sorted(int(n) for n in offered) == sorted([me.id, other.id])
    refused = await client.get("/api/v1/my-week")
    assert refused.status_code == 400
    assert "?manager=" in refused.json()["detail"]
    assert await _week(client, f"?manager={me.id}") == own
    chosen = await _page(client, f"?manager={me.id}")
    assert f"<h1>Week of {me.name}</h1>" in chosen
    assert f'<option value="{me.id}" selected>' in chosen
    assert codes((await _week(client, f"?manager={other.id}"))["overdue_contacts"]) == ["O1"]
    for nobody in (book["agent"].id, 999_999):
        assert (await client.get(f"/api/v1/my-week?manager={nobody}")).status_code == 404
        assert (await client.get(f"/my-week?manager={nobody}")).status_code == 404
    assert (await client.get("/api/v1/my-week?manager=me")).status_code == 400


async def test_an_admin_holding_accounts_sees_their_own_portfolio_by_default(
    client: httpx.AsyncClient, book: dict[str, Any]
) -> None:
    admin = book["admin"]
    await make_account("M1", tier="C", manager=admin.id)
    await log_in(client, admin)
    week = await _week(client)
    assert (week["manager"]["id"], codes(week["overdue_contacts"])) == (admin.id, ["M1"])
    assert week["open_complaints"] == []
    page = await _page(client)
    assert "<h1>My week</h1>" in page
    assert f'<option value="{admin.id}" selected>' in page
    assert codes((await _week(client, f"?manager={book['account_manager'].id}"))[
        "due_contacts"]) == ["A3", "A4"]  # fmt: skip


async def test_the_api_is_described_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/my-week"]["get"]
    assert "contact standard is overdue" in operation["description"]
    assert [p["name"] for p in operation["parameters"]] == ["manager"]
    assert "/my-week" not in schema["paths"]
    fields = schema["components"]["schemas"]["MyWeek"]["properties"]
    assert {"overdue_contacts", "due_contacts", "open_complaints", "dropped", "rose"} <= set(fields)


class QueryCounter:
    """Counts the statements the database's engine runs."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        engine = type(db.engine)
        run = engine.run_querystring

        async def counted(self_: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await run(self_, *args, **kwargs)

        monkeypatch.setattr(engine, "run_querystring", counted)


async def _busy_portfolio(manager: StaffMember, size: int) -> None:
    """``size`` tier A accounts of the manager, each visited, complaining, scored twice and
    answering lower than in the wave before."""
    ids = {}
    for n in range(size):
        code = f"Q{n}"
        ids[code] = await make_account(code, tier="A", manager=manager.id)
        await make_contact_log(ids[code], (TODAY, "visit"))
    before = at(TODAY - dt.timedelta(days=170))
    await create_wave(PREVIOUS, before, TODAY - dt.timedelta(days=180),
                      TODAY - dt.timedelta(days=150))  # fmt: skip
    for link in await issue_wave(PREVIOUS, before, MAIL):
        await record_response(link.token, Answer(level=3), before)
    await close_wave(PREVIOUS, at(TODAY - dt.timedelta(days=149)))
    await create_wave(PERIOD, NOW - dt.timedelta(days=2), TODAY - dt.timedelta(days=3),
                      TODAY + dt.timedelta(days=19))  # fmt: skip
    for link in await issue_wave(PERIOD, NOW - dt.timedelta(days=2), MAIL):
        await record_response(link.token, Answer(level=1), NOW - dt.timedelta(days=1))
    await make_scores(LATEST - WEEK, dict.fromkeys(ids.values(), (0.05, 100.0)))
    await make_scores(LATEST, dict.fromkeys(ids.values(), (0.55, 100.0)))
    for account in ids.values():
        await raise_complaint(FrozenClock(NOW - dt.timedelta(hours=2)), account)


@pytest.mark.parametrize("size", [2, 12])
async def test_the_week_costs_the_same_queries_for_a_small_and_a_larger_portfolio(
    db: Database,
    settings: Settings,
    make_staff: MakeStaff,
    monkeypatch: pytest.MonkeyPatch,
    size: int,
) -> None:
    manager = await make_staff(Role.account_manager)
    await _busy_portfolio(manager, size)
    counter = QueryCounter(db, monkeypatch)
    week = await my_week(manager, NOW, settings.contact_standards)
    assert [len(part) for part in (week.overdue_contacts, week.open_complaints, week.dropped,
                                   week.rose)] == [size] * 4  # fmt: skip
    # The portfolio 1, contact days 2, the queue 3 (nobody assigned: no names to read), the
    # answers and the levels of the wave before 2, the scored days and their scores 4.
    assert counter.count == 12
