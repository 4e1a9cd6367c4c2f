"""The account feedback report PDF: the account's own figures, both languages, escaping, access.

Every test reads the PDF the way a person would, through poppler: pdftotext for the words,
pdffonts for the embedded fonts, pdfimages for pictures, pdftoppm for a look at a page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import multiprocessing
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pikepdf
import pytest
from babel.messages.extract import extract_from_dir
from litestar.testing import AsyncTestClient
from weasyprint import HTML

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, AttributeDefinition, Contact, ContactLog
from feedback.accounts.tiers import trailing_window
from feedback.app import create_app
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import DEFAULT_POLICY, Severity
from feedback.complaints.services import NewComplaint, open_complaint
from feedback.complaints.states import Action
from feedback.complaints.tables import Complaint
from feedback.config import Settings
from feedback.db import Database
from feedback.reports.account import account_report
from feedback.reports.pdf import ARCHIVAL, render_pdf, render_pdf_off_the_loop, stop_renderers
from feedback.reports.rendering import report_html
from feedback.scoring.tables import ScoringScore
from feedback.surveys.questionnaire import Answer
from feedback.surveys.results import wave_results
from feedback.surveys.services import close_wave, create_wave
from tests.conftest import NOW, TODAY, log_in
from tests.support.catalogues import chinese_translations, template_messages
from tests.support.factories import (
    APOLOGY,
    PERIOD,
    PREVIOUS,
    RESOLUTION,
    act,
    answer_all,
    make_purchases,
)
from tests.support.pdf import page_fill, pdf_text, poppler, save_pages
from tests.support.web import api_session

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

CODE = "R-1"
STANDARDS = Settings().contact_standards
# A page but the last is filled this far down its text area: a section moved whole to the
# next page leaves at most this much blank.
FULL_ENOUGH = 0.75
NAME = "Harbour & Sons"
# A 1x1 PNG: what a fetch would have put into the PDF.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
REASONS = [
    {"group": "recency", "weight": 0.15, "code": "purchase_overdue",
     "figures": {"days": 164, "usual_gap": 90}},
    {"group": "complaints", "weight": 0.05, "code": "complaints",
     "figures": {"recent": 1, "past_deadline": 1, "last_year": 2}},
]  # fmt: skip
# The stored reasons in words, in each language.
WORDED = {
    "en": ["no purchase for 164 days; usually every 90",
           "1 complaint in 90 days, 1 past its deadline, 2 in the last year"],
    "zh": ["已 164 天没有采购；通常每 90 天采购一次",
           "90 天内投诉 1 次，1 次超过处理期限，近一年共 2 次"],
}  # fmt: skip


# The story is told as of 2026-11-26 and moved with the suite's today, whole days at a time.
SHIFT = TODAY - dt.date(2026, 11, 26)


def at(text: str) -> dt.datetime:
    """An instant of the story (UTC), moved to the suite's today."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) + SHIFT


def day(text: str) -> dt.date:
    """A day of the story, moved to the suite's today."""
    return dt.date.fromisoformat(text) + SHIFT


async def _account(code: str, name: str, manager: int, tier: str = "B") -> int:
    row = Account(code=code, name=name, manager=manager, tier=tier, industry="logistics",
                  region="north", opened_on=dt.date(2021, 3, 1),
                  attributes={"plan": "gold"})  # fmt: skip
    await row.save()
    return int(row.id)


async def _purchases(account_id: int) -> None:
    sales = [("2025-02-01", "3000.00"), ("2025-08-01", "1000.00"), ("2025-10-01", "500.00"),
             ("2026-01-10", "1200.00"), ("2026-06-15", "800.50")]  # fmt: skip
    await make_purchases(account_id, *((day(when), amount) for when, amount in sales))


async def _answers(clock: FrozenClock, comment: str) -> None:
    """PREVIOUS (closed): level 2; PERIOD (open until 19 days after today): level 1."""
    await create_wave(PREVIOUS, clock.now(), day("2026-04-01"), day("2026-06-30"))
    clock.at = at("2026-04-05 10:00")
    await answer_all(PREVIOUS, clock, {"li@harbour.example": Answer(level=2, comment=comment)})
    await close_wave(PREVIOUS, at("2026-07-01 00:00"))
    await create_wave(PERIOD, clock.now(), day("2026-11-01"), day("2026-12-15"))
    clock.at = at("2026-11-12 10:00")
    late = Answer(level=1, comment="Deliveries slipped twice this autumn.")
    await answer_all(PERIOD, clock, {"li@harbour.example": late})


async def _complaint(clock: FrozenClock, account_id: int, when: str, description: str,
                     severity: Severity = Severity.minor):  # type: ignore[no-untyped-def]  # fmt: skip
    clock.at = at(when)
    new = NewComplaint(account_id, "phone", "billing", severity, description)
    return await open_complaint(new, None, clock.now(), DEFAULT_POLICY)


async def _complaints(clock: FrozenClock, account_id: int, agent: StaffMember, text: str) -> None:
    """One handled on time, one late and still open, one older than 12 months."""
    done = await _complaint(clock, account_id, "2026-03-02 09:00", text)
    findings = {"findings": "Charged twice.", "root_cause": "billing"}
    steps = ((2, Action.apologise, APOLOGY), (3, Action.investigate, findings),
             (20, Action.resolve, RESOLUTION), (72, Action.follow_up_satisfied, {}))  # fmt: skip
    for hours, action, content in steps:
        clock.at = at("2026-03-02 09:00") + dt.timedelta(hours=hours)
        done = await act(done, action, content, agent, clock)
    late = await _complaint(clock, account_id, "2026-11-20 09:00", "The pallet came a week late.",
                            Severity.major)  # fmt: skip
    clock.at = at("2026-11-21 15:00")  # 30 h after receipt; the apology was due in 12
    late = await act(late, Action.apologise, APOLOGY, agent, clock)
    await act(late, Action.investigate, findings, agent, clock)
    await _complaint(clock, account_id, "2025-10-01 09:00", "Too old to be in the report.")


async def _scores(account_id: int) -> None:
    await ScoringScore.insert(
        *(ScoringScore(account=account_id, as_of=day, scored_at=NOW, model_version=1,
                       probability=p, revenue_12m=2000.5, band=band,
                       reasons=json.dumps(REASONS if band == "high" else REASONS[:1]))
          for day, p, band in ((TODAY - dt.timedelta(days=28), 0.12, "medium"),
                               (TODAY, 0.34, "high")))
    )  # fmt: skip


async def harbour(clock: FrozenClock, manager: StaffMember, agent: StaffMember,
                  user_text: str = "") -> int:  # fmt: skip
    """The account R-1 with known figures in every section; ``user_text`` goes everywhere
    customers and staff write (its first tag where names are short: account and contact)."""
    short = user_text[: user_text.find(">") + 1]
    account_id = await _account(CODE, NAME + short, manager.id)
    if user_text:
        await Account.update({Account.attributes: {"plan": user_text}}).where(
            Account.id == account_id
        )
    await Contact.insert(
        Contact(account=account_id, email="ann@harbour.example", name="Ann" + short,
                language="en", survey_opt_in=False),
        Contact(account=account_id, email="li@harbour.example", name="李雷", language="zh"),
    )  # fmt: skip
    await _purchases(account_id)
    await _answers(clock, "Good service, but invoices arrive late." + user_text)
    await _complaints(clock, account_id, agent, "Invoice 7 was charged twice." + user_text)
    await _scores(account_id)
    await ContactLog(account=account_id, kind="visit", happened_on=TODAY, person_met="李雷",
                     done_by=manager.id, notes="Promised a new price list." + user_text,
                     external_ref="visit-1", recorded_at=NOW).save()  # fmt: skip
    clock.at = NOW
    return account_id


@pytest.fixture
async def people(make_staff) -> dict[str, StaffMember]:  # type: ignore[no-untyped-def]
    roles = {role.value: await make_staff(role) for role in Role}
    roles["other_manager"] = await make_staff(Role.account_manager)
    return roles


@pytest.fixture
async def reported(db: Database, clock: FrozenClock, people: dict[str, StaffMember]) -> int:
    account_id = await harbour(clock, people["account_manager"], people["agent"])
    await _account("S-1", "Someone Else's Customer", people["other_manager"].id)
    return account_id


async def report_pdf(client: httpx.AsyncClient, code: str = CODE, lang: str = "") -> bytes:
    response = await client.get(f"/accounts/{code}/report.pdf" + (f"?lang={lang}" if lang else ""))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


async def test_the_report_shows_the_accounts_own_figures_and_the_apis_churn_reasons(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember], tmp_path: Path
) -> None:
    await log_in(client, people["account_manager"])
    pdf = await report_pdf(client, lang="en")
    text = pdf_text(pdf)
    assert f"Account feedback report: {NAME} ({CODE})" in text
    assert f"Prepared on {TODAY} for Account_Manager" in text
    assert "Tier B · major" in text
    # Purchases: 2 for 2,000.50 in the last 12 months against 3 for 4,500.00 before.
    assert "Purchases 2 3 -1" in text
    assert "Revenue 2,000.50 4,500.00 -56%" in text
    # Levels per wave, newest first, with the movement the wave results count.
    assert f"{PERIOD} {day('2026-12-15')} 1 · satisfied down" in text
    assert f"{PREVIOUS} {day('2026-06-30')} 2 · will buy again first answer" in text
    assert "Deliveries slipped twice this autumn." in text
    assert "Good service, but invoices arrive late." in text
    assert (
        f"2 complaint(s) received since {trailing_window(TODAY)[0]}; 1 still open; 1 missed at "
        "least one deadline." in text
    )
    assert "Invoice 7 was charged twice." in text
    assert "Too old to be in the report." not in text
    assert "investigating missed missed — —" in text  # apology and resolution, follow-up
    assert f"due {day('2026-11-20')}" in text  # the apology, 12 h after receipt
    # Churn: what the scores API says, in the same words.
    history = (await client.get(f"/api/v1/accounts/{CODE}/scores")).json()
    latest = history["items"][-1]
    assert f"Probability of churn {latest['probability']:.1%} high" in text
    assert f"+22.0 points since {TODAY - dt.timedelta(days=28)} (was medium)" in text
    assert [r["text"] for r in latest["reasons"]] == WORDED["en"]
    for reason in latest["reasons"]:
        assert reason["text"] in text
    pages = int(poppler("pdfinfo", pdf, tmp_path).split("Pages:")[1].split()[0])
    assert pages >= 2
    assert f"Page 1 of {pages}" in text
    assert text.count(f"{NAME} ({CODE})") >= pages  # the running header, on every page


async def test_the_main_contacts_language_is_the_default_and_chinese_embeds_noto_sans_cjk(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember], tmp_path: Path
) -> None:
    await log_in(client, people["supervisor"])
    # Ann writes English but takes no surveys: the main contact is 李雷, who writes Chinese.
    chinese = await report_pdf(client)
    text = pdf_text(chinese)
    assert f"客户反馈报告: {NAME} ({CODE})" in text
    assert f"{PERIOD} {day('2026-12-15')} 1 · 满意 下降" in text
    assert "第 1 页，共" in text
    # The stored codes worded in Chinese, as the scores API words them when asked.
    history = (await client.get(f"/api/v1/accounts/{CODE}/scores?lang=zh")).json()
    assert [r["text"] for r in history["items"][-1]["reasons"]] == WORDED["zh"]
    for reason in WORDED["zh"]:
        assert reason in text
    assert WORDED["en"][0] not in text
    fonts = poppler("pdffonts", chinese, tmp_path).splitlines()[2:]
    assert fonts, "the PDF names its fonts"
    assert all("Noto-Sans-CJK-SC" in line for line in fonts), fonts
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)  # emb sub uni
    assert pdf_text(await report_pdf(client, lang="en")).startswith(NAME)
    unknown = await client.get(f"/accounts/{CODE}/report.pdf?lang=fr")
    assert unknown.status_code == 400
    assert "unknown language &#39;fr&#39;: one of en, zh" in unknown.text


async def test_the_report_says_whether_the_contact_standard_is_met_in_both_languages(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    # Tier B: a visit a quarter (today's visit) and a call a month (none on record).
    await log_in(client, people["account_manager"])
    english = pdf_text(await report_pdf(client, lang="en"))
    assert "Contact standard this period: overdue." in english
    assert f"Last visit: {TODAY}; last call: none recorded." in english
    assert "1 of 1 visits this quarter" in english
    assert "0 of 1 calls this month" in english
    assert f"{TODAY} visit 李雷 Account_Manager Promised a new price list." in english
    chinese = pdf_text(await report_pdf(client, lang="zh"))
    assert "本期联络标准：已逾期。" in chinese
    assert f"最近一次拜访：{TODAY}；最近一次电话：无记录。" in chinese
    assert f"{TODAY} 拜访 李雷" in chinese


async def test_the_next_visit_lists_what_most_needs_it_in_both_languages(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    still_open = await Complaint.select(Complaint.id).where(
        Complaint.description == "The pallet came a week late."
    ).first()  # fmt: skip
    assert still_open is not None
    number = still_open["id"]
    await log_in(client, people["account_manager"])
    english = pdf_text(await report_pdf(client, lang="en"))
    actions = english.split("For the next visit")[1].split("Account Code")[0]
    expected = [
        f"Close complaint #{number} (billing), open since {day('2026-11-20')}.",
        "Make the overdue contact: 0 of 1 calls this month.",
        f"Ask what changed: satisfaction fell from level 2 to level 1 in {PERIOD}.",
        f"Talk about what raises the churn risk (high): {WORDED['en'][0]}",
        f"Talk about what raises the churn risk (high): {WORDED['en'][1]}",
    ]
    positions = [actions.find(line) for line in expected]
    assert -1 not in positions, actions
    assert positions == sorted(positions)
    chinese = pdf_text(await report_pdf(client, lang="zh"))
    assert "下次拜访要做的事" in chinese
    assert f"处理并关闭投诉 #{number}（账单），自 {day('2026-11-20')} 起未结。" in chinese
    assert "补上逾期的联络：本月应有电话 1 次，已完成 0 次。" in chinese
    for reason in WORDED["zh"]:
        assert f"谈谈推高流失风险（高）的原因：{reason}" in chinese


async def test_the_reports_matrix_place_is_the_one_the_wave_results_give(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    placed = {item.code: item.quadrant for item in (await wave_results(PERIOD)).quadrants}
    quadrant = placed[CODE]
    await log_in(client, people["account_manager"])
    english = pdf_text(await report_pdf(client, lang="en"))
    assert (
        f"In the satisfaction / loyalty matrix ({PERIOD}): {quadrant.label}: {quadrant.action}."
        in english
    )


async def test_the_pdf_is_tagged_in_its_language_and_the_same_data_gives_the_same_bytes(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    await log_in(client, people["account_manager"])
    for language, tag in (("en", "en"), ("zh", "zh-Hans")):
        first = await report_pdf(client, lang=language)
        with pikepdf.open(io.BytesIO(first)) as pdf:
            assert pdf.Root.MarkInfo.Marked is True
            assert "/StructTreeRoot" in pdf.Root
            assert len(pdf.Root.StructTreeRoot.K) > 0
            assert str(pdf.Root.Lang) == tag
            assert pdf.open_metadata().get("pdfuaid:part") == "1"
        assert await report_pdf(client, lang=language) == first


async def test_the_archival_variant_is_pdf_a_3b(
    db: Database, reported: int, people: dict[str, StaffMember]
) -> None:
    html = report_html(await account_report(CODE, people["admin"], NOW, STANDARDS, "en"))
    with pikepdf.open(io.BytesIO(render_pdf(html, ARCHIVAL))) as pdf:
        metadata = pdf.open_metadata()
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "B")


async def test_no_page_but_the_last_is_left_half_empty(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember], tmp_path: Path
) -> None:
    await log_in(client, people["account_manager"])
    for language in ("en", "zh"):
        folder = tmp_path / language
        folder.mkdir()
        # The text area of an A4 page within the report's 20 mm top and 18 mm bottom margins.
        fills = page_fill(await report_pdf(client, lang=language), folder, 20 / 297, 18 / 297)
        assert len(fills) >= 2
        assert all(fill >= FULL_ENOUGH for fill in fills[:-1]), fills
        assert fills[-1] > 0


async def test_industries_regions_and_attributes_show_their_names_in_the_reports_language(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    await Account.update({Account.industry: "logistics", Account.region: "east",
                          Account.attributes: {"contract_type": "annual"}}).where(
        Account.code == CODE
    )  # fmt: skip
    await AttributeDefinition(name="contract_type", kind="categorical").save()
    names = [
        {"kind": "industry", "value": "logistics", "names": {"zh": "物流"}},
        {"kind": "region", "value": "east", "names": {"en": "East China", "zh": "华东"}},
        {"kind": "attribute", "value": "contract_type", "names": {"zh": "合同类型"}},
    ]
    headers = await api_session(client, people["admin"])
    assert (
        await client.put("/api/v1/display-names", json=names, headers=headers)
    ).status_code == 200
    chinese = pdf_text(await report_pdf(client, lang="zh"))
    assert "物流" in chinese
    assert "华东" in chinese
    assert "合同类型 annual" in chinese
    english = pdf_text(await report_pdf(client, lang="en"))
    assert "Industry logistics" in english
    assert "Region East China" in english
    assert "contract_type annual" in english


async def test_a_page_of_each_language_is_saved_for_people_to_look_at(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember], output_dir: Path
) -> None:
    await log_in(client, people["admin"])
    for lang in ("en", "zh"):
        first, second = save_pages(await report_pdf(client, lang=lang), output_dir,
                                   f"account-report-{lang}")  # fmt: skip
        for page in (first, second):
            image = page.read_bytes()
            assert image.startswith(b"\x89PNG")
            assert len(image) > 20_000  # a page with text and charts, not a blank one


class Fetches:
    """A web server that counts the requests a renderer would make."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(PIXEL)

            def log_message(self, *args: object) -> None:
                return

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fetches() -> Iterator[Fetches]:
    server = Fetches()
    yield server
    server.server.shutdown()
    server.server.server_close()


def hostile(fetches: Fetches, tmp_path: Path) -> str:
    picture = tmp_path / "secret.png"
    picture.write_bytes(PIXEL)
    return (f'<img src="{fetches.url}/pixel.png"><link rel="stylesheet" '
            f'href="{fetches.url}/style.css"><img src="file://{picture}">')  # fmt: skip


def images_in(pdf: bytes, tmp_path: Path) -> list[str]:
    """The pictures pdfimages finds (their transparency masks are not counted)."""
    rows = poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    return [row for row in rows if row.split()[2] == "image"]


def test_the_renderer_itself_fetches_nothing_where_weasyprint_would(
    fetches: Fetches, tmp_path: Path
) -> None:
    page = f"<html><body><p>Hello</p>{hostile(fetches, tmp_path)}</body></html>"
    fetched = HTML(string=page).write_pdf()  # WeasyPrint's own fetcher, for comparison
    assert sorted(fetches.seen) == ["/pixel.png", "/style.css"]
    assert len(images_in(fetched, tmp_path)) == 2  # the web pixel and the file
    fetches.seen.clear()
    refused = render_pdf(page)
    assert fetches.seen == []
    assert images_in(refused, tmp_path) == []
    assert "Hello" in pdf_text(refused)


async def test_user_text_is_escaped_in_the_report_and_nothing_is_fetched(
    client: httpx.AsyncClient, db: Database, clock: FrozenClock,
    people: dict[str, StaffMember], fetches: Fetches, tmp_path: Path,
) -> None:  # fmt: skip
    text = hostile(fetches, tmp_path)
    await harbour(clock, people["account_manager"], people["agent"], user_text=text)
    html = report_html(await account_report(CODE, people["admin"], NOW, STANDARDS, "en"))
    assert "<img" not in html
    assert "<link" not in html
    assert html.count("&lt;img src=&#34;") >= 7  # name (twice), contact, plan, comment, complaint,
    # the visit's notes
    await log_in(client, people["admin"])
    pdf = await report_pdf(client, lang="en")
    assert fetches.seen == []
    assert images_in(pdf, tmp_path) == []
    words = pdf_text(pdf)
    assert f'Invoice 7 was charged twice.<img src="{fetches.url}/pixel.png">' in words
    assert f'<link rel="stylesheet" href="{fetches.url}/style.css">' in words


async def test_who_may_print_which_report(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    anonymous = await client.get(f"/accounts/{CODE}/report.pdf")
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == f"/login?next=/accounts/{CODE}/report.pdf"
    await log_in(client, people["agent"])  # agents work complaints, not accounts' risk
    assert (await client.get(f"/accounts/{CODE}/report.pdf")).status_code == 403
    await log_in(client, people["account_manager"])
    assert (await client.get("/accounts/S-1/report.pdf")).status_code == 404  # not theirs
    await log_in(client, people["other_manager"])
    elsewhere = await report_pdf(client, "S-1", "en")
    assert "Someone Else's Customer" in pdf_text(elsewhere)
    assert (await client.get(f"/accounts/{CODE}/report.pdf")).status_code == 404
    await log_in(client, people["supervisor"])
    missing = await client.get("/accounts/NOPE/report.pdf")
    assert missing.status_code == 404
    assert "no account with code NOPE" in missing.text
    reply = await client.get(f"/accounts/{CODE}/report.pdf?lang=en")
    assert reply.headers["content-disposition"] == f'inline; filename="report-R-1-{TODAY}.pdf"'
    assert reply.headers["cache-control"] == "no-store"


async def test_an_account_page_links_its_report_for_those_who_may_print_it(
    client: httpx.AsyncClient, reported: int, people: dict[str, StaffMember]
) -> None:
    link = f'href="/accounts/{CODE}/report.pdf"'
    for role, shown in (("account_manager", True), ("admin", True), ("agent", False)):
        await log_in(client, people[role])
        page = await client.get(f"/accounts/{CODE}")
        assert (link in page.text) is shown, role


async def test_the_server_starts_a_renderer_with_it_and_ends_it_at_shutdown(
    db: Database, settings: Settings, clock: FrozenClock
) -> None:
    stop_renderers()
    assert multiprocessing.active_children() == []
    async with AsyncTestClient(create_app(settings, database=db, clock=clock)):
        started = multiprocessing.active_children()
        assert len(started) == 1  # loading WeasyPrint and the fonts before the first report
    assert multiprocessing.active_children() == []
    assert not started[0].is_alive()


async def test_rendering_leaves_the_event_loop_free(reported: int) -> None:
    html = report_html(
        await account_report(CODE, StaffMember(0, "", "", Role.admin), NOW, STANDARDS, "zh")
    )
    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            await asyncio.sleep(0.005)
            beats += 1

    beating = asyncio.create_task(heartbeat())
    await render_pdf_off_the_loop(html)  # a worker may have to start first: warm it
    beats = 0
    pdf = await render_pdf_off_the_loop(html)
    beating.cancel()
    assert pdf.startswith(b"%PDF-")
    # A render takes a tenth of a second or more; rendering on the loop would allow no beat.
    assert beats >= 5


def test_every_message_of_the_report_is_translated_to_chinese() -> None:
    used = template_messages("reports/**.html")
    python = Path(__file__).resolve().parents[2] / "src" / "feedback"
    for folder in ("reports", "scoring"):
        used |= {m[2] for m in extract_from_dir(python / folder, [("**.py", "python")])}
    assert len(used) >= 100
    assert "Page {page} of {pages}" in used
    assert "Churn probability of {code} by scored day" in used
    assert used - chinese_translations() == set()
