"""The account page shows what the domains built on accounts add: churn risk, satisfaction by
wave, open complaints; each to the roles that may read it."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, Contact
from feedback.complaints.deadlines import DEFAULT_POLICY, Severity
from feedback.complaints.services import NewComplaint, open_complaint
from feedback.complaints.tables import Category, Channel
from feedback.mail.services import MailContext
from feedback.surveys.answers import record_response
from feedback.surveys.issuance import issue_wave
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave, create_wave
from tests.conftest import NOW, TODAY, log_in
from tests.support.factories import EARLIER as EARLIER_PERIOD
from tests.support.factories import PERIOD, PREVIOUS, make_scores

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

EARLIER, LATEST = TODAY - dt.timedelta(days=25), TODAY - dt.timedelta(days=1)
MAIL = MailContext(base_url="https://survey.example.com")
# Each wave: its period, closing day, and the level the account answers (None: silent).
WAVES = (
    (EARLIER_PERIOD, TODAY - dt.timedelta(days=346), 3),
    (PREVIOUS, TODAY - dt.timedelta(days=164), 1),
    (PERIOD, TODAY + dt.timedelta(days=19), None),  # still open on NOW
)


async def _answer_waves(code: str) -> None:
    """The account's contact answers WAVES; every other account stays silent."""
    for period, closes, level in WAVES:
        now = min(dt.datetime.combine(closes - dt.timedelta(days=5), dt.time(12), dt.UTC), NOW)
        await create_wave(period, now, opens_on=closes - dt.timedelta(days=30), closes_on=closes)
        for link in await issue_wave(period, now, MAIL):
            if level is not None and link.account_code == code:
                await record_response(link.link.rpartition("/")[2], Answer(level=level), now)
        if closes < NOW.date():
            await close_wave(period, now)


@pytest.fixture
async def book(make_staff) -> dict[str, StaffMember]:  # type: ignore[no-untyped-def]
    """A manager's scored account A1 (answers, an open complaint), A2 (no contact: never
    scored, asked or complaining), and B1 of another manager."""
    people = {role.value: await make_staff(role) for role in Role}
    mine, other = people["account_manager"].id, (await make_staff(Role.account_manager)).id
    ids = {}
    for code, manager in (("A1", mine), ("A2", mine), ("B1", other)):
        row = Account(code=code, name=f"Account {code}", tier="B", status="active", manager=manager)
        await row.save()
        ids[code] = int(row.id)
        if code != "A2":
            await Contact(account=row.id, email=f"{code.lower()}@example.com").save()
    await make_scores(EARLIER, {ids["A1"]: (0.05, 1000.0), ids["B1"]: (0.2, 10.0)})
    await make_scores(LATEST, {ids["A1"]: (0.30, 1000.0), ids["B1"]: (0.6, 10.0)})
    await _answer_waves("A1")
    new = NewComplaint(ids["A1"], Channel.phone, Category.delivery, Severity.major, "Late again")
    await open_complaint(new, None, NOW - dt.timedelta(hours=2), DEFAULT_POLICY)
    return people


def section(page: str, title: str) -> str:
    """The text of the page's section with this heading ('' if there is none)."""
    found = re.search(rf'<section class="card" aria-labelledby="[\w-]+">\s*<h2 id="[\w-]+">'
                      rf"{re.escape(title)}.*?</section>", page, re.S)  # fmt: skip
    return found[0] if found else ""


@pytest.mark.parametrize("role", ["account_manager", "supervisor", "admin"])
async def test_the_account_page_shows_the_stored_risk_trend_and_reasons(
    client: httpx.AsyncClient, book: dict[str, StaffMember], role: str
) -> None:
    await log_in(client, book[role])
    page = await client.get("/accounts/A1")
    assert page.status_code == 200
    churn = section(page.text, "Churn risk")
    assert f"Scored on {LATEST}." in churn
    assert "<dd>30.0%</dd>" in churn
    assert '<span class="band band-high">high</span>' in churn
    assert f"<dt>Since {EARLIER}</dt><dd>+25.0 points (was low)</dd>" in churn
    assert "<li>no purchase for" in churn  # the stored reason's own text
    assert "(+20.0 points)" in churn
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in churn
    assert '<a href="/accounts/A1/churn">Full score history</a>' in churn


async def test_an_account_not_scored_yet_says_so(
    client: httpx.AsyncClient, book: dict[str, StaffMember]
) -> None:
    await log_in(client, book["account_manager"])
    churn = section((await client.get("/accounts/A2")).text, "Churn risk")
    assert "Not scored yet" in churn
    assert "Probability of churn" not in churn


async def test_satisfaction_is_shown_wave_by_wave_with_its_movement(
    client: httpx.AsyncClient, book: dict[str, StaffMember]
) -> None:
    await log_in(client, book["account_manager"])
    waves = section((await client.get("/accounts/A1")).text, "Satisfaction by wave")
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r"<tr>\s*<td>(.*?)</tr>", waves, re.S)
    ]
    assert rows == [
        [PERIOD, "(open)", "no", "answer", "yet", "—"],
        [PREVIOUS, "1", "·", "satisfied", "↓", "down"],
        [EARLIER_PERIOD, "3", "·", "will", "recommend", "—"],
    ]
    assert "Not asked in any survey wave yet." in section(
        (await client.get("/accounts/A2")).text, "Satisfaction by wave"
    )


async def test_open_complaints_are_listed_with_their_time_left(
    client: httpx.AsyncClient, book: dict[str, StaffMember]
) -> None:
    await log_in(client, book["agent"])
    complaints = section((await client.get("/accounts/A1")).text, "Open complaints (1)")
    assert re.search(r'<a href="/complaints/\d+">#\d+</a> delivery, major, received', complaints)
    assert "left" in complaints
    assert "No open complaints." in section((await client.get("/accounts/A2")).text,
                                            "Open complaints (0)")  # fmt: skip


async def test_agents_see_complaints_but_neither_churn_risk_nor_satisfaction(
    client: httpx.AsyncClient, book: dict[str, StaffMember]
) -> None:
    await log_in(client, book["agent"])
    page = (await client.get("/accounts/A1")).text
    assert section(page, "Open complaints (1)")
    assert section(page, "Churn risk") == ""
    assert section(page, "Satisfaction by wave") == ""
    assert "/churn" not in page
    assert (await client.get("/accounts/A1/churn")).status_code == 403


async def test_another_managers_account_shows_nothing_of_it(
    client: httpx.AsyncClient, book: dict[str, StaffMember]
) -> None:
    await log_in(client, book["account_manager"])
    hidden = await client.get("/accounts/B1")
    assert hidden.status_code == 404
    assert "60.0%" not in hidden.text
