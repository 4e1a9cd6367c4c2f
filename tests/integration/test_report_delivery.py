"""Reports mailed on a schedule: each manager's portfolio report once per period, with the
PDF attached, across an SMTP outage, a restart and a run stopped half-way; opted-out
managers get nothing; holidays move the month's day. A frozen clock, a real SMTP server,
real WeasyPrint, on both databases."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from email.header import decode_header, make_header
from email.message import Message

import pikepdf
import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.config import ReportSchedule, Settings
from feedback.db import Database
from feedback.jobs import run_due_work
from feedback.mail.tables import OutboxMessage
from feedback.reports import delivery
from feedback.reports.delivery import DeliveryRun, deliver_reports
from feedback.reports.mail_choices import set_mail_choice
from feedback.reports.schemas import ReportMailIn
from feedback.reports.tables import ReportDelivery
from feedback.surveys.issuance import issue_wave
from feedback.surveys.services import close_wave, create_wave
from tests.conftest import TODAY
from tests.support.factories import (
    BASE,
    CLOSES,
    MAIL,
    OPENS,
    PERIOD,
    make_account,
    make_purchases,
    make_staff_user,
)
from tests.support.mail import SmtpServerFixture
from tests.support.pdf import pdf_text

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

ONE_DAY = dt.timedelta(days=1)


def _first_weekday_from(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


# The month after the suite's today, and its first working day with no holidays kept.
NEXT_MONTH = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
FIRST_WORKING_DAY = _first_weekday_from(NEXT_MONTH)


def _at(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def job_settings(db: Database, smtp: SmtpServerFixture) -> Settings:
    return Settings(environment="test", database_url=db.url, base_url=BASE, smtp_url=smtp.url)


async def _manager(clock: FrozenClock, name: str, *accounts: str) -> StaffMember:
    """An account manager holding active accounts named "<code> Holdings", each with a sale."""
    member = await make_staff_user(Role.account_manager, clock.now(), f"{name.lower()}@x.com")
    for code in accounts:
        account = await make_account(code, manager=member.id)
        await make_purchases(account, (TODAY - dt.timedelta(days=20), "1200.00"))
    return member


def _mails_to(smtp: SmtpServerFixture, member: StaffMember) -> list[Message]:
    return [message for message in smtp.inbox.messages if message["To"] == member.email]


def _subject(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def _pdf_of(message: Message) -> bytes:
    (part,) = [part for part in message.walk() if part.get_filename()]
    assert part.get_content_type() == "application/pdf"
    pdf = part.get_payload(decode=True)
    assert isinstance(pdf, bytes)
    return pdf


def _text_of(message: Message) -> str:
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    body = part.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


async def test_each_manager_gets_the_month_s_portfolio_once_across_an_outage_and_a_restart(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    ada = await _manager(clock, "Ada", "AD-1", "AD-2")
    bo = await _manager(clock, "Bo", "BO-1")
    cy = await _manager(clock, "Cy", "CY-1")
    await _manager(clock, "Dee")  # holds no account: nothing to report
    await set_mail_choice(bo, ReportMailIn(mailed=True, language="zh"), clock.now())
    await set_mail_choice(cy, ReportMailIn(mailed=False), clock.now())
    # The day before the month's first working day: nothing is due.
    before = await run_due_work(job_settings, _at(FIRST_WORKING_DAY - ONE_DAY))
    assert (before.reports.queued, before.sent) == ([], 0)
    smtp.stop()
    period = f"{FIRST_WORKING_DAY:%Y-%m}"
    outage = await run_due_work(job_settings, _at(FIRST_WORKING_DAY))
    assert sorted(outage.reports.queued) == sorted(
        f"portfolio:{period}:{member.id}" for member in (ada, bo)
    )
    assert (outage.sent, outage.failed) == (0, 2)
    smtp.start()
    # A restart: a new run, in a new process as far as the service can tell.
    restart = await run_due_work(job_settings, _at(FIRST_WORKING_DAY) + dt.timedelta(minutes=2))
    assert (restart.reports.queued, restart.sent, restart.failed) == ([], 2, 0)
    again = await run_due_work(job_settings, _at(FIRST_WORKING_DAY + ONE_DAY))
    assert (again.reports.queued, again.sent) == ([], 0)
    assert [len(_mails_to(smtp, member)) for member in (ada, bo, cy)] == [1, 1, 0]
    assert len(set(smtp.inbox.message_ids())) == 2
    (to_ada,) = _mails_to(smtp, ada)
    pdf = _pdf_of(to_ada)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "en"
    words = pdf_text(pdf)
    assert "Account AD-1" in words
    assert "Account AD-2" in words
    assert "Account BO-1" not in words
    assert _subject(to_ada) == f"Your portfolio report for {FIRST_WORKING_DAY:%B %Y}"
    assert f"{BASE}/my-settings" in _text_of(to_ada)
    assert f"portfolio-{period}.pdf" in _text_of(to_ada)
    (to_bo,) = _mails_to(smtp, bo)
    assert (
        _subject(to_bo)
        == f"您的客户组合报告：{FIRST_WORKING_DAY.year}年{FIRST_WORKING_DAY.month}月"
    )
    assert "Account BO-1" in pdf_text(_pdf_of(to_bo))
    assert "客户组合报告" in pdf_text(_pdf_of(to_bo))
    # Opting back in within the month's days brings this month's report, once.
    await set_mail_choice(cy, ReportMailIn(mailed=True), clock.now())
    back = await run_due_work(job_settings, _at(FIRST_WORKING_DAY + ONE_DAY, 9))
    assert (back.reports.queued, back.sent) == ([f"portfolio:{period}:{cy.id}"], 1)
    # Ten days on, the month's days are over.
    late = await run_due_work(job_settings, _at(FIRST_WORKING_DAY + 10 * ONE_DAY))
    assert (late.reports.queued, late.sent) == ([], 0)
    assert await ReportDelivery.count() == 3


def _holiday_new_year() -> dt.date:
    """The first New Year's Day after the suite's today that falls on a weekday."""
    day = dt.date(TODAY.year + 1, 1, 1)
    while day.weekday() >= 5:
        day = day.replace(year=day.year + 1)
    return day


async def test_a_public_holiday_on_the_first_moves_the_month_s_report(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    ada = await _manager(clock, "Ada", "AD-1")
    new_year = _holiday_new_year()
    german = replace(job_settings, report_schedule=ReportSchedule(holiday_country="DE"))
    # Without holidays New Year's Day is a working day and the report is due then.
    plain = await deliver_reports(DeliveryRun.of(job_settings, _at(new_year)))
    assert plain.queued == [f"portfolio:{new_year:%Y-%m}:{ada.id}"]
    await ReportDelivery.delete(force=True)
    await OutboxMessage.delete(force=True)
    on_the_holiday = await deliver_reports(DeliveryRun.of(german, _at(new_year)))
    assert on_the_holiday.queued == []
    next_working = _first_weekday_from(new_year + ONE_DAY)
    moved = await deliver_reports(DeliveryRun.of(german, _at(next_working)))
    assert moved.queued == [f"portfolio:{new_year:%Y-%m}:{ada.id}"]


async def test_a_run_stopped_after_rendering_queues_the_report_on_the_next_run(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, job_settings: Settings
) -> None:
    ada = await _manager(clock, "Ada", "AD-1")
    key = f"portfolio:{FIRST_WORKING_DAY:%Y-%m}:{ada.id}"

    async def stopped(*_: object) -> None:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(delivery, "post", stopped)
    cut = await deliver_reports(DeliveryRun.of(job_settings, _at(FIRST_WORKING_DAY)))
    assert (cut.queued, cut.failed) == ([], [key])
    assert (await ReportDelivery.count(), await OutboxMessage.count()) == (0, 0)
    monkeypatch.undo()
    done = await deliver_reports(DeliveryRun.of(job_settings, _at(FIRST_WORKING_DAY, 8)))
    assert (done.queued, done.failed) == ([key], [])
    assert await OutboxMessage.count() == 1


async def test_managers_get_their_portfolio_a_week_before_an_open_wave_closes(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    ada = await _manager(clock, "Ada", "AD-1")
    await create_wave(PERIOD, clock.now(), opens_on=OPENS, closes_on=CLOSES)
    await issue_wave(PERIOD, clock.now(), MAIL)
    waves_only = replace(job_settings, report_schedule=ReportSchedule(monthly=False))
    week_before = CLOSES - 7 * ONE_DAY
    while week_before.weekday() >= 5:
        week_before -= ONE_DAY
    early = await deliver_reports(DeliveryRun.of(waves_only, _at(week_before - ONE_DAY)))
    assert early.queued == []
    due = await run_due_work(waves_only, _at(week_before))
    assert due.reports.queued == [f"portfolio:wave-{PERIOD}-closing:{ada.id}"]
    (mail,) = _mails_to(smtp, ada)
    assert _subject(mail) == f"Your portfolio report before wave {PERIOD} closes on {CLOSES}"
    assert (await deliver_reports(DeliveryRun.of(waves_only, _at(CLOSES)))).queued == []


async def test_supervisors_get_the_wave_report_once_when_a_wave_closes(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    ada = await _manager(clock, "Ada", "AD-1")
    lead = await make_staff_user(Role.supervisor, clock.now(), "lead@x.com")
    await create_wave(PERIOD, clock.now(), opens_on=OPENS, closes_on=CLOSES)
    await issue_wave(PERIOD, clock.now(), MAIL)
    waves_only = replace(
        job_settings, report_schedule=ReportSchedule(monthly=False, days_before_closing=0)
    )
    open_still = await deliver_reports(DeliveryRun.of(waves_only, _at(CLOSES)))
    assert open_still.queued == []  # nothing while the wave takes answers
    closed_at = _at(CLOSES + ONE_DAY, hour=0)
    await close_wave(PERIOD, closed_at)
    due = await run_due_work(waves_only, closed_at + dt.timedelta(hours=8))
    assert due.reports.queued == [f"wave:wave-{PERIOD}-closed:{lead.id}"]
    (mail,) = _mails_to(smtp, lead)
    assert _subject(mail) == f"Your wave report of wave {PERIOD}, closed on {CLOSES + ONE_DAY}"
    text = pdf_text(_pdf_of(mail))
    assert PERIOD in text
    assert "provisional" not in text.lower()  # a closed wave's figures are final
    assert _mails_to(smtp, ada) == []  # managers get their portfolio, not the wave report
    again = await run_due_work(waves_only, closed_at + dt.timedelta(days=2))
    assert again.reports.queued == []
    assert len(_mails_to(smtp, lead)) == 1
