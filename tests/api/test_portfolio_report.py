"""The portfolio report PDF: a known portfolio's figures in every section in both languages,
the sort by value at risk, a chosen subset, who may print which portfolio, escaping.

Read through poppler as a person would (pdftotext), on both databases.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from feedback.accounts.staff import StaffMember
from feedback.accounts.standards import period_of
from feedback.accounts.tables import Account, ContactLog
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import Severity
from feedback.complaints.services import assign
from feedback.config import Settings
from feedback.db import Database
from feedback.errors import InvalidInput, NotFound
from feedback.reports import portfolio as reports_portfolio
from feedback.reports import report_set as report_set_module
from feedback.reports.portfolio import PortfolioChoice, portfolio_report
from feedback.reports.rendering import portfolio_html
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave, create_wave
from feedback.surveys.waves import Period, SurveyCalendar, closing_instant
from tests.conftest import NOW, TODAY, log_in
from tests.support.databases import queries_of
from tests.support.factories import (
    EARLIER,
    PREVIOUS,
    answer_all,
    make_account,
    make_purchases,
    make_scores,
    raise_complaint,
)
from tests.support.pdf import in_order, pdf_reading, pdf_text, poppler, run_poppler, save_pages
from tests.support.web import HOSTILE, refusals, report_pdf

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

STANDARDS = Settings().contact_standards
# The portfolio: code, name, tier, revenue of the last 12 months, (probability, 12-month
# revenue) of today's score. Value at risk: 4,000, 3,000, 1,000, none: not the order of
# revenue (P-3 first) nor of probability (P-2 first).
PORTFOLIO = (
    ("P-1", "Kestrel Freight", "A", "10000.00", (0.40, 10_000.0)),
    ("P-2", "Lark Dairy", "B", "5000.00", (0.60, 5_000.0)),
    ("P-3", "Marten Tools", "C", "20000.00", (0.05, 20_000.0)),
    ("P-4", "Newt Labs", "D", "", None),
)
OTHERS = "S-1"


@dataclass(frozen=True)
class Portfolio:
    ids: dict[str, int]
    names: dict[str, str]
    complaints: dict[str, int]


async def _waves(clock: FrozenClock, levels: dict[str, dict[str, int]]) -> None:
    """EARLIER and PREVIOUS, each issued, answered by the contacts named and closed."""
    for period in (EARLIER, PREVIOUS):
        opens, closes = SurveyCalendar().dates(Period.parse(period))
        await create_wave(period, clock.now(), opens, closes)
        clock.at = dt.datetime.combine(opens + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)
        answers = {email: Answer(level=level) for email, level in levels[period].items()}
        await answer_all(period, clock, answers)
        await close_wave(period, closing_instant(closes))


async def _contacts(ids: dict[str, int], manager: StaffMember, notes: str) -> None:
    """P-1 (A) meets its standard: two visits this quarter and a call this month; P-2 (B)
    has none; P-3 (C) its call this quarter; P-4 (D) has no standard."""
    quarter = period_of(TODAY, 3)[0]
    entries = [("P-1", "visit", quarter), ("P-1", "visit", TODAY), ("P-1", "call", TODAY),
               ("P-3", "call", TODAY)]  # fmt: skip
    await ContactLog.insert(
        *(ContactLog(account=ids[code], kind=kind, happened_on=day, done_by=manager.id,
                     notes=notes, external_ref=f"log-{n}", recorded_at=NOW)
          for n, (code, kind, day) in enumerate(entries))
    )  # fmt: skip


async def known_portfolio(
    clock: FrozenClock, people: dict[str, StaffMember], user_text: str = ""
) -> Portfolio:
    """The manager's four active accounts (and a closed one), another manager's account, two
    closed waves, today's scores, open complaints and the contact log."""
    manager, other = people["account_manager"], people["other_manager"]
    ids, names = {}, {}
    for code, name, tier, revenue, _ in PORTFOLIO:
        contacts = None if code != "P-4" else []
        ids[code] = await make_account(code, contacts, tier=tier, manager=manager.id)
        names[code] = name + user_text
        await Account.update({Account.name: names[code]}).where(Account.id == ids[code])
        if revenue:
            await make_purchases(ids[code], (TODAY - dt.timedelta(days=30), revenue))
    await make_account("P-9", status="closed", tier="D", manager=manager.id)
    ids[OTHERS] = await make_account(OTHERS, tier="A", manager=other.id)
    await make_purchases(ids[OTHERS], (TODAY - dt.timedelta(days=40), "50000.00"))
    # Movement in PREVIOUS: P-1 fell from 3 to 1, P-2 went silent (2 before), P-3 rose;
    # someone else's account fell to 0.
    await _waves(clock, {
        EARLIER: {"p-1@x.com": 3, "p-2@x.com": 2, "p-3@x.com": 1, "s-1@x.com": 2},
        PREVIOUS: {"p-1@x.com": 1, "p-3@x.com": 2, "s-1@x.com": 1},
    })  # fmt: skip
    scores = {ids[code]: score for code, *_, score in PORTFOLIO if score}
    await make_scores(TODAY, {**scores, ids[OTHERS]: (0.9, 50_000.0)})
    # P-2's complaint is three days old, past its apology deadline; P-1's is an hour old.
    complaints = {}
    for code, age, severity in (("P-2", 72, Severity.major), ("P-1", 1, Severity.minor),
                                (OTHERS, 5, Severity.minor)):  # fmt: skip
        clock.at = NOW - dt.timedelta(hours=age)
        complaint = await raise_complaint(clock, ids[code], severity)
        complaints[code] = complaint.id
        if code == "P-1":
            await assign(complaint.id, people["agent"].id, people["supervisor"], 1, clock.now())
    clock.at = NOW
    await _contacts(ids, manager, "Promised a new price list." + user_text)
    return Portfolio(ids, names, complaints)


@pytest.fixture
async def portfolio(db: Database, clock: FrozenClock, people: dict[str, StaffMember]) -> Portfolio:
    return await known_portfolio(clock, people)


async def portfolio_pdf(client: httpx.AsyncClient, query: str = "") -> bytes:
    return await report_pdf(client, "/reports/portfolio.pdf" + (f"?{query}" if query else ""))


async def printed(client: httpx.AsyncClient, member: StaffMember, query: str) -> bytes:
    """The portfolio report as ``member`` prints it with the query."""
    await log_in(client, member)
    return await portfolio_pdf(client, query)


def pages_of(pdf: bytes) -> list[str]:
    """Each page's words, spaces folded."""
    text = run_poppler("pdftotext", "-layout", "-", "-", stdin=pdf)
    return [" ".join(page.split()) for page in text.split("\f")]


async def test_each_section_shows_the_portfolios_own_figures(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    manager = people["account_manager"]
    pdf = await printed(client, manager, "lang=en")
    text = pdf_text(pdf)
    assert f"Portfolio report: {manager.name}" in text
    assert f"Prepared on {TODAY} for {manager.name}" in text
    # At a glance: 4 active accounts (the closed one and another manager's left out),
    # 35,000.00 of revenue, PREVIOUS's answers 1 and 2: all satisfied, half loyal; P-1 high
    # and P-2 critical: 4,000 + 3,000 at risk; two complaints open, one overdue; P-2 behind
    # its standard; P-1 dropped a level, P-2 gave no answer.
    cards = pdf_reading(pdf)
    for card in (
        "Active accounts 4",
        "Revenue, last 12 months 35,000.00",
        f"Satisfaction rate 100% {PREVIOUS}, 2 answers",
        "Loyalty rate 50% will buy again or recommend",
        "High or critical churn risk 2 value at risk 7,000.00",
        "Open complaints 2 1 past their deadline",
        "Overdue contacts 1 accounts behind their tier's contact standard",
        f"Dropped a level 1 in {PREVIOUS}; 1 gave no answer",
    ):
        assert card in cards
    for row in ("A · VIP 1 10,000.00", "B · major 1 5,000.00", "C · ordinary 1 20,000.00",
                "D · small 1 0.00"):  # fmt: skip
        assert row in text
    # The accounts by value at risk, with it shown; the unscored one last.
    ranked = text.split("Accounts by value at risk")[1].split("Changes in the latest")[0]
    expected = [
        "1 P-1 Kestrel Freight A · VIP 10,000.00 40.0% high 4,000.00",
        "2 P-2 Lark Dairy B · major 5,000.00 60.0% critical 3,000.00",
        "3 P-3 Marten Tools C · ordinary 20,000.00 5.0% low 1,000.00",
        "4 P-4 Newt Labs D · small 0.00 — not scored yet —",
    ]
    assert in_order(ranked, expected), ranked
    assert "Someone" not in ranked
    assert OTHERS not in ranked
    changes = text.split(f"Changes in the latest closed wave, {PREVIOUS}")[1]
    assert "Dropped a level Account Level before Level now" in changes
    assert "Kestrel Freight (P-1) 3 · will recommend 1 · satisfied" in changes
    assert "Went silent: no answer in this wave Account Level before" in changes
    assert "Lark Dairy (P-2) 2 · will buy again" in changes
    assert "Marten Tools" not in changes.split("Open complaints")[0]  # it rose
    complaints = text.split("Open complaints")[-1].split("Overdue contacts")[0]
    late, fresh = portfolio.complaints["P-2"], portfolio.complaints["P-1"]
    assert complaints.find(f"{late} Lark Dairy (P-2)") < complaints.find(f"{fresh} Kestrel")
    received = (NOW - dt.timedelta(hours=72)).date()
    assert f"{late} Lark Dairy (P-2) {received} delivery (major) received" in complaints
    assert "not assigned yet" in complaints
    assert "overdue" in complaints
    assert f"{fresh} Kestrel Freight (P-1)" in complaints
    assert "Agent" in complaints
    assert f"Account {OTHERS}" not in complaints
    overdue = text.split("Overdue contacts")[-1].split("The accounts' own reports")[0]
    # Two lines in the cell of what is behind: the second comes after the row's last cells.
    assert (
        "Lark Dairy (P-2) B · major 0 of 1 visits this quarter none recorded none recorded "
        "0 of 1 calls this month"
    ) in overdue
    assert "Kestrel" not in overdue
    assert "Marten" not in overdue
    assert "Each account's own report follows, on pages of its own: 4 in all." in text


async def test_the_chinese_report_says_the_same_in_chinese(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    pdf = await printed(client, people["account_manager"], "lang=zh")
    assert (
        f"活跃客户 4 近 12 个月收入 35,000.00 满意率 100% {PREVIOUS}，2 份回答 忠诚率 50% "
        "会再次购买或推荐 流失风险高或极高 2 风险价值 7,000.00 未结投诉 2 1 件已过期限 逾期的联络 1"
    ) in pdf_reading(pdf)
    text = pdf_text(pdf)
    assert f"客户组合报告: {people['account_manager'].name}" in text
    assert "1 P-1 Kestrel Freight A · 贵宾 10,000.00 40.0% 高 4,000.00" in text
    assert "4 P-4 Newt Labs D · 小型 0.00 — 尚未评分 —" in text
    assert "Kestrel Freight (P-1) 3 · 会推荐 1 · 满意" in text
    assert "Lark Dairy (P-2) B · 重要 本季度应有拜访 1 次，已完成 0 次" in text
    assert "尚未分配" in text
    assert "以下为每个客户的报告，每个客户另起一页，共 4 份。" in text
    assert "客户反馈报告: Marten Tools (P-3)" in text


async def test_each_account_starts_a_page_of_its_own_in_the_order_of_value_at_risk(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    manager = people["account_manager"]
    pages = pages_of(await printed(client, manager, "lang=en"))
    starts = []
    for code in ("P-1", "P-2", "P-3", "P-4"):
        heading = f"{portfolio.names[code]} ({code})"
        top = f"{heading} Prepared on {TODAY} for {manager.name} Account feedback report: {heading}"
        found = [n for n, page in enumerate(pages) if page.startswith(top)]
        assert len(found) == 1, (code, [page[:120] for page in pages])
        starts.append(found[0])
    assert starts == sorted(starts)
    assert starts[0] > 0  # after the summary and the lists
    assert f"Page 1 of {len(pages) - 1}" in pages[0]  # pdftotext ends with a page break


async def test_a_chosen_subset_is_printed_in_full_in_the_order_given(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    text = pdf_text(await printed(client, people["account_manager"], "accounts=P-3,%20P-1,P-3"))
    assert "Each account's own report follows, on pages of its own: 2 in all." in text
    reports = text.split("The accounts' own reports")[1]
    assert reports.find("Account feedback report: Marten Tools (P-3)") < reports.find(
        "Account feedback report: Kestrel Freight (P-1)"
    )
    assert "Account feedback report: Lark Dairy" not in text
    assert "2 P-2 Lark Dairy" in text  # the lists keep every account
    for refused, status, words in (
        ("accounts=P-1,NOPE", 404, "no active account with code NOPE in this portfolio"),
        (f"accounts={OTHERS}", 404, f"no active account with code {OTHERS} in this portfolio"),
        ("accounts=P-9", 404, "no active account with code P-9"),  # closed
        ("accounts=" + ",".join(f"X-{n}" for n in range(201)), 400, "at most 200"),
    ):
        response = await client.get(f"/reports/portfolio.pdf?{refused}")
        assert response.status_code == status, refused
        assert words in response.text


async def test_the_whole_company_holds_every_manager_s_accounts(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    pdf = await printed(client, people["supervisor"], "manager=all&lang=en&accounts=P-4")
    text = pdf_text(pdf)
    assert f"Portfolio report: the whole company Prepared on {TODAY} for the whole company" in text
    # S-1 too: its 50,000.00, its answer (level 1), its critical score (45,000 at risk), its
    # complaint, its contact standard (tier A, nobody visited) and its drop from level 2.
    cards = pdf_reading(pdf)
    assert (
        f"Active accounts 5 Revenue, last 12 months 85,000.00 Satisfaction rate 100% {PREVIOUS}, "
        "3 answers Loyalty rate 33%"
    ) in cards
    assert "High or critical churn risk 3 value at risk 52,000.00 Open complaints 3 1 past" in cards
    assert "Overdue contacts 2 accounts behind their tier's contact standard" in cards
    assert f"Dropped a level 2 in {PREVIOUS}; 1 gave" in cards
    assert text.find(f"1 {OTHERS} Account {OTHERS}") < text.find("2 P-1 Kestrel Freight")
    assert "Account feedback report: Newt Labs (P-4)" in text
    assert "Account feedback report: Kestrel" not in text


async def test_who_may_print_which_portfolio(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    manager, other = people["account_manager"], people["other_manager"]
    path = "/reports/portfolio.pdf"
    anonymous = await client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == f"/login?next={path}"
    await log_in(client, people["agent"])  # agents work complaints, not accounts' risk
    assert (await client.get(f"{path}?manager={manager.id}")).status_code == 403
    await log_in(client, manager)
    for query in ("accounts=P-4", f"manager={manager.id}&accounts=P-4"):
        assert "Account feedback report: Newt Labs (P-4)" in pdf_text(
            await portfolio_pdf(client, query)
        )
    for query in (f"manager={other.id}", "manager=all", f"manager={people['admin'].id}"):
        refused = await client.get(f"{path}?{query}")
        assert refused.status_code == 404, query
        assert "an account manager prints their own portfolio" in refused.text
    await log_in(client, other)
    assert "Someone" not in pdf_text(await portfolio_pdf(client))
    assert (await client.get(f"{path}?accounts=P-1")).status_code == 404  # not theirs
    for role in ("supervisor", "admin"):
        await log_in(client, people[role])
        reply = await client.get(f"{path}?manager={manager.id}&accounts=P-4")
        assert reply.status_code == 200
        assert f"Portfolio report: {manager.name}" in pdf_text(reply.content)
        name = f'inline; filename="portfolio-{manager.id}-{TODAY}.pdf"'
        assert reply.headers["content-disposition"] == name
        assert reply.headers["cache-control"] == "no-store"
        everyone = await client.get(f"{path}?accounts=P-4")  # the whole company by default
        assert "Portfolio report: the whole company" in pdf_text(everyone.content)
        assert everyone.headers["content-disposition"].endswith(f'"portfolio-all-{TODAY}.pdf"')
    cases = (
        (f"manager={people['agent'].id}", 404, f"no account manager with id {people['agent'].id}"),
        ("manager=999999", 404, "no account manager with id 999999"),
        ("manager=emily", 400, "manager= takes an account manager&#39;s id or all"),
        ("lang=fr", 400, "unknown language &#39;fr&#39;: one of en, zh"),
    )
    assert await refusals(client, path, cases) == []


async def test_each_export_is_logged_on_the_security_log(
    db: Database, portfolio: Portfolio, people: dict[str, StaffMember],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    supervisor, manager = people["supervisor"], people["account_manager"]
    with caplog.at_level("INFO", logger="feedback.security"):
        await portfolio_report(supervisor, PortfolioChoice(manager, "en", ("P-2",)), NOW, STANDARDS)
    lines = [r.getMessage() for r in caplog.records if r.name == "feedback.security"]
    assert lines == [
        f"report: {supervisor.email} (supervisor) exported account P-2",
        f"report: {supervisor.email} (supervisor) exported the portfolio of {manager.email}: "
        "4 accounts, 1 in full",
    ]


async def test_the_summary_and_the_lists_cost_the_same_queries_for_thrice_the_accounts(
    db: Database, clock: FrozenClock, portfolio: Portfolio, people: dict[str, StaffMember],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    manager = people["account_manager"]
    choice = PortfolioChoice(manager, "en", ("P-4",))  # one account's report, the same each time
    before = await queries_of(portfolio_report(manager, choice, NOW, STANDARDS), monkeypatch)
    scores = {portfolio.ids[code]: score for code, *_, score in PORTFOLIO if score}
    for n in range(8):
        account = await make_account(f"Q-{n}", tier="C", manager=manager.id)
        await make_purchases(account, (TODAY - dt.timedelta(days=n + 1), "100.00"))
        await raise_complaint(clock, account, Severity.minor)
        scores[account] = (0.3, 100.0)
    await make_scores(TODAY, scores)
    report = await portfolio_report(manager, choice, NOW, STANDARDS)
    assert (report.accounts, report.complaints.total, report.at_risk.accounts) == (12, 10, 10)
    after = await queries_of(portfolio_report(manager, choice, NOW, STANDARDS), monkeypatch)
    assert after == before


async def test_long_lists_and_many_accounts_are_cut_and_say_so(
    db: Database, portfolio: Portfolio, people: dict[str, StaffMember],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(reports_portfolio, "MOST_LISTED", 3)
    monkeypatch.setattr(reports_portfolio, "MOST_SECTIONS", 2)
    choice = PortfolioChoice(people["account_manager"], "en")
    report = await portfolio_report(people["supervisor"], choice, NOW, STANDARDS)
    assert [item.account.code for item in report.ranked.items] == ["P-1", "P-2", "P-3"]
    assert [section.account.code for section in report.sections] == ["P-1", "P-2"]
    html = portfolio_html(report)
    assert "The first 3 of 4 are listed." in html
    assert (
        "The 2 accounts with the most value at risk have their own report on the pages that "
        "follow; the other 2 are in the lists above only."
    ) in html
    three = PortfolioChoice(people["account_manager"], "en", ("P-1", "P-2", "P-3"))
    with pytest.raises(InvalidInput, match=r"3 accounts chosen; .* prints at most 2"):
        await portfolio_report(people["supervisor"], three, NOW, STANDARDS)


async def test_user_text_is_escaped_and_nothing_is_fetched(
    client: httpx.AsyncClient, db: Database, clock: FrozenClock,
    people: dict[str, StaffMember], listener: str, tmp_path: Path,
) -> None:  # fmt: skip
    picture = tmp_path / "secret.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    hostile = f'{HOSTILE}<img src="{listener}/pixel.png"><img src="file://{picture}">'
    await known_portfolio(clock, people, user_text=hostile)
    html = portfolio_html(
        await portfolio_report(
            people["admin"], PortfolioChoice(people["account_manager"], "en"), NOW, STANDARDS
        )
    )
    assert "<script" not in html
    assert "<img" not in html
    # Each name in the ranked list (4), the drop and the silence (2), the complaints (2), the
    # overdue contact (1) and its section's heading (4); the notes of the visits and calls (4).
    assert html.count("&lt;script&gt;") == 4 + 2 + 2 + 1 + 4 + 4
    await log_in(client, people["admin"])
    pdf = await portfolio_pdf(client, f"manager={people['account_manager'].id}&lang=en")
    words = pdf_text(pdf)
    assert f"Kestrel Freight{HOSTILE}" in words
    assert f'<img src="{listener}/pixel.png">' in words
    images = poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    assert images == []


def first_pages(pdf: bytes, folder: Path, lang: str) -> list[bytes]:
    """Save the PDF and its first two pages as portfolio-report-LANG (pdftoppm numbers the
    pages with as many digits as the last one needs); the pictures."""
    name = f"portfolio-report-{lang}"
    for earlier in folder.glob(f"{name}-*.png"):
        earlier.unlink()
    save_pages(pdf, folder, name)
    return [page.read_bytes() for page in sorted(folder.glob(f"{name}-*.png"))]


async def test_the_first_pages_of_each_language_are_saved_for_people_to_look_at(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember],
    output_dir: Path,
) -> None:  # fmt: skip
    await log_in(client, people["supervisor"])
    for lang in ("en", "zh"):
        pages = first_pages(await portfolio_pdf(client, f"lang={lang}"), output_dir, lang)
        assert len(pages) == 2
        assert all(page.startswith(b"\x89PNG") for page in pages)


async def report_set(client: httpx.AsyncClient, query: str) -> dict[str, bytes]:
    """The files of the ZIP download, by name, in the archive's order."""
    response = await client.get(f"/reports/set.zip?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


async def test_a_managers_whole_set_is_one_download_of_every_active_accounts_report(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    manager = people["account_manager"]
    await log_in(client, manager)
    files = await report_set(client, "lang=zh")
    # The portfolio first, then the four active accounts by code: not the closed P-9, not
    # another manager's S-1.
    codes = ["P-1", "P-2", "P-3", "P-4"]
    assert list(files) == [f"portfolio-{TODAY}.pdf"] + [f"report-{c}-{TODAY}.pdf" for c in codes]
    summary = pdf_text(files[f"portfolio-{TODAY}.pdf"])
    assert f"客户组合报告: {manager.name}" in summary
    assert "客户反馈报告" not in summary  # the accounts come apart, not inside the portfolio
    assert "每个客户的报告是本套文件中单独的一个文件" in summary
    for code in codes:
        text = pdf_text(files[f"report-{code}-{TODAY}.pdf"])
        assert f"客户反馈报告: {portfolio.names[code]} ({code})" in text
    english = await report_set(client, f"manager={manager.id}&lang=en")
    assert "Each account's own report is a file of its own in this set" in pdf_text(
        english[f"portfolio-{TODAY}.pdf"]
    )


async def test_who_may_download_which_set(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember]
) -> None:
    manager, other = people["account_manager"], people["other_manager"]
    await log_in(client, people["agent"])
    assert (await client.get(f"/reports/set.zip?manager={manager.id}")).status_code == 403
    await log_in(client, other)  # another manager's set is not found, as their accounts are
    assert (await client.get(f"/reports/set.zip?manager={manager.id}")).status_code == 404
    assert list(await report_set(client, "lang=en")) == [
        f"portfolio-{TODAY}.pdf", f"report-{OTHERS}-{TODAY}.pdf"
    ]  # fmt: skip
    await log_in(client, people["supervisor"])
    refused = await client.get("/reports/set.zip")  # the whole company is a batch, not a set
    assert refused.status_code == 400
    assert "Choose an account manager: a set holds one manager" in refused.text
    reply = await client.get(f"/reports/set.zip?manager={manager.id}")
    assert reply.headers["content-disposition"] == (
        f'attachment; filename="reports-{manager.id}-{TODAY}.zip"'
    )


async def test_an_account_whose_report_cannot_be_made_is_named_and_the_rest_are_there(
    client: httpx.AsyncClient, portfolio: Portfolio, people: dict[str, StaffMember],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    made = report_set_module.account_report

    async def failing_for_p2(code: str, *args: Any) -> Any:
        if code == "P-2":
            raise NotFound("no active account with code P-2")
        return await made(code, *args)

    monkeypatch.setattr(report_set_module, "account_report", failing_for_p2)
    await log_in(client, people["account_manager"])
    files = await report_set(client, "lang=en")
    assert f"report-P-2-{TODAY}.pdf" not in files
    assert [name for name in files if name.startswith("report-")] == [
        f"report-{code}-{TODAY}.pdf" for code in ("P-1", "P-3", "P-4")
    ]
    assert files["not-in-this-set.txt"].decode() == (
        "These accounts' reports could not be made:\nP-2: no active account with code P-2\n"
    )
