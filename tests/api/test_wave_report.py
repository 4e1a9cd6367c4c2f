"""The wave report PDF: a known wave's figures in every section in both languages, an open
wave marked provisional, who may print it, escaping, full pages and its bounded queries.

Read through poppler as a person would (pdftotext), on both databases. The expected figures
are counted by hand from the rows made here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from feedback.accounts.display_names import set_display_names
from feedback.accounts.schemas import DisplayNameIn
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import Severity
from feedback.db import Database
from feedback.errors import AccessDenied
from feedback.reports.rendering import wave_html
from feedback.reports.wave import WaveChoice, wave_report
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave, create_wave
from feedback.surveys.waves import Period, SurveyCalendar, closing_instant
from tests.conftest import NOW, TODAY, log_in
from tests.support.databases import queries_of
from tests.support.factories import (
    PERIOD,
    PREVIOUS,
    answer_all,
    make_account,
    make_purchases,
    make_scores,
    make_wave,
    raise_complaint,
    reopened_complaint,
)
from tests.support.pdf import in_order, page_fill, pdf_reading, pdf_text, poppler, save_pages
from tests.support.web import HOSTILE, refusals, report_pdf

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

HOUR = dt.timedelta(hours=1)
# A page but the last is filled this far down its text area (as for the account report).
FULL_ENOUGH = 0.75
# code, name, tier, industry, region, manages it (the manager or nobody).
ACCOUNTS = (
    ("W-1", "Osprey Haulage", "A", "logistics", "east", True),
    ("W-2", "Plover Foods", "B", "dairy", "west", True),
    ("W-3", "Quail Tools", "C", "logistics", "east", False),
    ("W-4", "Rook Print", "D", "print", "west", True),
)


@dataclass(frozen=True)
class KnownWave:
    ids: dict[str, int]
    names: dict[str, str]


async def _accounts(manager: StaffMember, user_text: str) -> tuple[dict[str, int], dict[str, str]]:
    ids, names = {}, {}
    for code, name, tier, industry, region, managed in ACCOUNTS:
        ids[code] = await make_account(
            code, tier=tier, industry=industry + user_text, region=region,
            manager=manager.id if managed else None,
        )  # fmt: skip
        names[code] = name + user_text
        await Account.update({Account.name: names[code]}).where(Account.id == ids[code])
    return ids, names


async def _purchases(ids: dict[str, int]) -> None:
    """W-1 buys in the half year before the wave opened and in the year before (loyal); W-2
    only recently (no normal yet: not loyal); W-3 last bought 400 days ago (silent since:
    churned); W-4 buys, but closed a month ago (churned)."""
    opens = TODAY - dt.timedelta(days=6)
    await make_purchases(ids["W-1"], (opens - dt.timedelta(days=30), "1000.00"),
                         (opens - dt.timedelta(days=300), "1000.00"))  # fmt: skip
    await make_purchases(ids["W-2"], (opens - dt.timedelta(days=20), "500.00"))
    await make_purchases(ids["W-3"], (TODAY - dt.timedelta(days=400), "800.00"))
    await make_purchases(ids["W-4"], (TODAY - dt.timedelta(days=40), "300.00"))
    closed = {Account.status: "closed", Account.closed_on: TODAY - dt.timedelta(days=30)}
    await Account.update(closed).where(Account.id == ids["W-4"])


async def _waves(clock: FrozenClock) -> None:
    """PREVIOUS, closed: W-1 3, W-2 2, W-3 1, W-4 silent. PERIOD, open since six days ago:
    W-1 1 (down), W-2 3 (up), W-3 silent; W-4, closed, is not asked."""
    opens, closes = SurveyCalendar().dates(Period.parse(PREVIOUS))
    await create_wave(PREVIOUS, clock.now(), opens, closes)
    clock.at = dt.datetime.combine(opens + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)
    levels = {"w-1@x.com": 3, "w-2@x.com": 2, "w-3@x.com": 1}
    await answer_all(PREVIOUS, clock, {email: Answer(level=n) for email, n in levels.items()})
    await close_wave(PREVIOUS, closing_instant(closes))
    clock.at = NOW
    await make_wave(clock)
    await answer_all(PERIOD, clock, {"w-1@x.com": Answer(level=1), "w-2@x.com": Answer(level=3)})


async def _complaints(clock: FrozenClock, people: dict[str, StaffMember], ids: dict[str, int]):
    """W-1 (tier A): apologised in 1 h, investigated at 2 h (product quality), resolved at 5 h,
    reopened by the follow-up at 29 h. W-2: a severe complaint 30 h old, untouched."""
    clock.at = NOW - dt.timedelta(days=3)
    await reopened_complaint(clock, ids["W-1"], people["agent"])
    clock.at = NOW - 30 * HOUR
    await raise_complaint(clock, ids["W-2"], Severity.severe)
    clock.at = NOW


async def known_wave(
    clock: FrozenClock, people: dict[str, StaffMember], user_text: str = ""
) -> KnownWave:
    ids, names = await _accounts(people["account_manager"], user_text)
    await _purchases(ids)
    await _waves(clock)
    await _complaints(clock, people, ids)
    await make_scores(TODAY, {ids["W-1"]: (0.40, 10_000.0), ids["W-2"]: (0.60, 5_000.0),
                              ids["W-3"]: (0.05, 20_000.0)})  # fmt: skip
    names_of = [
        DisplayNameIn("industry", "logistics" + user_text,
                      {"en": "Logistics & freight", "zh": "物流"}),
        DisplayNameIn("region", "east", {"en": "East China", "zh": "华东"}),
    ]  # fmt: skip
    await set_display_names(names_of, people["admin"], NOW)
    return KnownWave(ids, names)


@pytest.fixture
async def wave(db: Database, clock: FrozenClock, people: dict[str, StaffMember]) -> KnownWave:
    return await known_wave(clock, people)


async def wave_pdf(client: httpx.AsyncClient, query: str = "") -> bytes:
    return await report_pdf(client, "/reports/wave.pdf" + (f"?{query}" if query else ""))


async def test_each_section_shows_the_waves_own_figures(
    client: httpx.AsyncClient, wave: KnownWave, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["supervisor"])
    pdf = await wave_pdf(client, "lang=en")
    text = pdf_text(pdf)
    assert f"Wave report: {PERIOD}" in text
    # Three contacts asked (W-4 closed), two answered: levels 1 and 3.
    assert (
        "Provisional: this wave is still open. The figures are the answers so far: 2 of 3 "
        "contacts asked have answered."
    ) in text
    cards = pdf_reading(pdf)
    for card in ("Response rate 67% 2 of 3 asked", "Satisfaction rate 100% level 1 or more",
                 "Loyalty rate 50%", "Advocacy rate 50% will recommend"):  # fmt: skip
        assert card in cards
    for row in ("0 · not satisfied 0 0%", "1 · satisfied 1 50%", "2 · will buy again 0 0%",
                "3 · will recommend 1 50%"):  # fmt: skip
        assert row in text
    assert "up 1 · same 0 · down 1 · first answer 0 · no answer 1" in text
    # The trend: PREVIOUS asked four (W-4 was open then), three answered 3, 2 and 1.
    assert f"{PREVIOUS} 4 3 75% 3 100% 67% 33%" in text
    assert f"{PERIOD} (open) 3 2 67% 2 100% 50% 50%" in text
    # By tier, industry (its display name), region and manager.
    for row in ("A · VIP 1 1 100% 1 100% 0% 0%", "C · ordinary 1 0 0% 0 — — —",
                "Logistics & freight 2 1 50% 1 100% 0% 0%", "dairy 1 1 100% 1 100% 100% 100%",
                "East China 2 1 50% 1", "Account_Manager 2 2 100% 2 100% 50% 50%",
                "no account manager 1 0 0% 0"):  # fmt: skip
        assert row in text, row
    # W-1 loyal and satisfied, W-2 satisfied without a normal to be loyal to.
    for row in ("Apostle 1", "Mercenary 1", "Hostage 0", "Saboteur 0"):
        assert row in text
    half_year = Period.parse(PERIOD).first_day
    complaints = text.split(f"Complaints from {half_year} to {TODAY}")[1]
    for row in ("received 1 1.0", "apologised 1 1.0", "investigating 1 3.0", "resolved 1 24.0",
                "apology 1 1 1 50%", "follow-up 1 1 0 100%", "resolution 1 1 1 50%",
                "1 1 100%", "product quality 1"):  # fmt: skip
        assert row in complaints, row
    since = TODAY - dt.timedelta(days=180)
    churn = text.split(f"Churn from {since} to {TODAY}")[1]
    assert f"Of 4 accounts active on {since}, 2 churned (50%)" in churn
    for row in ("A · VIP 1 0 0%", "B · major 1 0 0%", "C · ordinary 1 1 100%",
                "D · small 1 1 100%", "Logistics & freight 2 1 50%", "dairy 1 0 0%",
                "print 1 1 100%"):  # fmt: skip
        assert row in churn, row
    risky = text.split("The accounts most at risk")[1]
    expected = [
        "1 Osprey Haulage (W-1) A · VIP Account_Manager 40.0% high 4,000.00",
        "2 Plover Foods (W-2) B · major Account_Manager 60.0% critical 3,000.00",
        "3 Quail Tools (W-3) C · ordinary — 5.0% low 1,000.00",
    ]
    assert in_order(risky, expected), risky


async def test_the_chinese_report_says_the_same_in_chinese(
    client: httpx.AsyncClient, wave: KnownWave, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["admin"])
    text = pdf_text(await wave_pdf(client, "lang=zh"))
    for words in (
        f"调查报告: {PERIOD}",
        "暂定：本轮调查仍在进行。以下为目前的回答：已邀请的 3 位联系人中有 2 位作答。",
        f"{PREVIOUS} 4 3 75% 3 100% 67% 33%",
        "A · 贵宾 1 1 100% 1 100% 0% 0%",
        "物流 2 1 50% 1 100% 0% 0%",
        "华东 2 1 50% 1",
        "未分配客户经理 1 0 0% 0",
        "传道者 1",
        "产品质量 1",
        "C · 普通 1 1 100%",
        "1 Osprey Haulage (W-1) A · 贵宾 Account_Manager 40.0% 高 4,000.00",
    ):
        assert words in text, words


async def test_a_closed_wave_is_final_and_its_own_figures_are_shown(
    client: httpx.AsyncClient, wave: KnownWave, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["supervisor"])
    text = pdf_text(await wave_pdf(client, f"wave={PREVIOUS.lower()}&lang=en"))
    assert f"Wave report: {PREVIOUS}" in text
    assert "Provisional" not in text
    assert "Response rate 75%" in pdf_reading(await wave_pdf(client, f"wave={PREVIOUS}"))
    # The trend stops at the chosen wave; the complaints and churn are of its half year.
    assert f"{PERIOD} (open)" not in text
    assert f"{PREVIOUS} 4 3 75% 3 100% 67% 33%" in text
    assert "No complaint moved on in this period." in text
    assert "No account was asked." not in text
    cases = (
        ("wave=2031-H1", 404, "there is no wave for 2031-H1"),
        ("wave=soon", 400, "a wave period looks like 2026-H1"),
        ("lang=fr", 400, "unknown language &#39;fr&#39;: one of en, zh"),
    )
    assert await refusals(client, "/reports/wave.pdf", cases) == []


async def test_only_supervisors_and_admins_print_it_and_each_export_is_logged(
    client: httpx.AsyncClient, wave: KnownWave, people: dict[str, StaffMember],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    path = "/reports/wave.pdf"
    anonymous = await client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == f"/login?next={path}"
    for role in ("agent", "account_manager"):
        await log_in(client, people[role])
        assert (await client.get(path)).status_code == 403, role
        with pytest.raises(AccessDenied, match="for supervisors and admins"):
            await wave_report(people[role], WaveChoice(), NOW)
    for role in ("supervisor", "admin"):
        await log_in(client, people[role])
        with caplog.at_level("INFO", logger="feedback.security"):
            reply = await client.get(path)
        assert reply.status_code == 200
        name = f'inline; filename="wave-{PERIOD}-{TODAY}.pdf"'
        assert reply.headers["content-disposition"] == name
        assert reply.headers["cache-control"] == "no-store"
        member = people[role]
        line = f"report: {member.email} ({role}) exported the wave report of {PERIOD}"
        assert line in [r.getMessage() for r in caplog.records if r.name == "feedback.security"]


async def test_without_a_wave_it_says_how_to_start_one_and_an_unanswered_wave_says_so(
    client: httpx.AsyncClient, db: Database, clock: FrozenClock, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["supervisor"])
    none = await client.get("/reports/wave.pdf")
    assert none.status_code == 404
    assert "there is no wave yet; create one with `feedback waves create`" in none.text
    await make_account("N-1")
    await make_wave(clock)
    text = pdf_text(await wave_pdf(client))
    assert "The figures are the answers so far: 0 of 0 contacts asked have answered." in text
    assert "No answer yet." in text
    assert "No account has been scored yet." in text


async def test_user_text_is_escaped_and_nothing_is_fetched(
    client: httpx.AsyncClient, db: Database, clock: FrozenClock,
    people: dict[str, StaffMember], listener: str, tmp_path: Path,
) -> None:  # fmt: skip
    # Short enough for an admin to give the industry a display name (100 characters).
    hostile = f'{HOSTILE}<img src="{listener}/pixel.png">'
    await known_wave(clock, people, user_text=hostile)
    html = wave_html(await wave_report(people["admin"], WaveChoice(language="en"), NOW))
    assert "<script" not in html
    assert "<img" not in html
    # The names of the accounts most at risk (3); the industries without a display name in
    # the answers' breakdown (dairy) and in the churn's (dairy, print).
    assert html.count("&lt;script&gt;") == 3 + 1 + 2
    await log_in(client, people["admin"])
    pdf = await wave_pdf(client, "lang=en")
    # Printed as typed (narrow columns wrap it: the words are compared without spaces).
    words = "".join(pdf_reading(pdf).split())
    for typed in (f"OspreyHaulage{HOSTILE}", f'dairy{HOSTILE}<imgsrc="{listener}/pixel.png">'):
        assert "".join(typed.split()) in words, typed
    assert poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:] == []


async def test_pages_are_filled_and_the_first_ones_are_saved_for_people_to_look_at(
    client: httpx.AsyncClient, wave: KnownWave, people: dict[str, StaffMember],
    tmp_path: Path, output_dir: Path,
) -> None:  # fmt: skip
    await log_in(client, people["supervisor"])
    for language in ("en", "zh"):
        pdf = await wave_pdf(client, f"lang={language}")
        save_pages(pdf, output_dir, f"wave-report-{language}")
        folder = tmp_path / language
        folder.mkdir()
        # The text area of an A4 page within the report's 20 mm top and 18 mm bottom margins.
        fills = page_fill(pdf, folder, 20 / 297, 18 / 297)
        assert len(fills) >= 2
        assert all(fill >= FULL_ENOUGH for fill in fills[:-1]), fills
        assert fills[-1] > 0


async def test_the_report_costs_the_same_queries_for_thrice_the_accounts(
    db: Database, clock: FrozenClock, wave: KnownWave, people: dict[str, StaffMember],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    choice = WaveChoice(language="en")
    before = await queries_of(wave_report(people["supervisor"], choice, NOW), monkeypatch)
    for n in range(8):
        account = await make_account(f"Q-{n}", tier="C", industry=f"trade-{n % 3}")
        await make_purchases(account, (TODAY - dt.timedelta(days=n + 1), "100.00"))
        await raise_complaint(clock, account, Severity.minor)
    report = await wave_report(people["supervisor"], choice, NOW)
    assert report.churn.overall.active == 4 + 8
    after = await queries_of(wave_report(people["supervisor"], choice, NOW), monkeypatch)
    assert after == before
