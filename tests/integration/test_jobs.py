"""`feedback jobs run`'s work on both databases with a frozen clock and a real SMTP server."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from feedback.clock import FrozenClock
from feedback.config import Settings
from feedback.db import Database
from feedback.jobs import run_due_work
from feedback.mail.services import MailContext
from feedback.mail.tables import OutboxMessage
from feedback.surveys.answers import record_response
from feedback.surveys.issuance import issue_wave
from feedback.surveys.periodic import run_survey_work
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import create_wave, wave_info
from feedback.surveys.tables import Invitation, ReminderLink
from tests.conftest import TODAY
from tests.support.factories import BASE, CLOSES, OPENS, PERIOD, PREVIOUS, make_account, token_of
from tests.support.mail import SmtpServerFixture

CONTEXT = MailContext(base_url=BASE)


@pytest.fixture
def job_settings(db: Database, smtp: SmtpServerFixture) -> Settings:
    return Settings(environment="test", database_url=db.url, base_url=BASE, smtp_url=smtp.url)


async def _issued_wave(clock: FrozenClock, closes_on: dt.date, codes: int = 1) -> dict[str, str]:
    """Accounts A00, A01, ... with a contact each, invited to PERIOD's wave (opened on OPENS,
    six days before today)."""
    for n in range(codes):
        await make_account(f"A{n:02}")
    await create_wave(PERIOD, clock.now(), opens_on=OPENS, closes_on=closes_on)
    return {link.email: link.link for link in await issue_wave(PERIOD, clock.now(), CONTEXT)}


def _subjects(smtp: SmtpServerFixture) -> list[tuple[str, str]]:
    return sorted((str(m["To"]), "reminder" if "reminder" in str(m["Subject"]).lower()
                   else "invitation") for m in smtp.inbox.messages)  # fmt: skip


async def test_reminders_go_out_days_apart_and_the_wave_closes_after_its_last_day(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    links = await _issued_wave(clock, CLOSES, codes=2)
    first = await run_due_work(job_settings, clock.now())
    assert (first.survey.closed, first.survey.reminded, first.sent) == ([], {PERIOD: 0}, 2)
    await record_response(token_of(links["a00@x.com"]), Answer(level=2), clock.now())
    reports = []
    for days in (7, 0, 7, 0, 7, 5):  # today + 7, twice; + 14, twice; + 21; + 26
        clock.advance(dt.timedelta(days=days))
        reports.append(await run_due_work(job_settings, clock.now()))
    assert [(r.survey.closed, r.survey.reminded, r.sent, r.failed) for r in reports] == [
        ([], {PERIOD: 1}, 1, 0),
        ([], {PERIOD: 0}, 0, 0),
        ([], {PERIOD: 1}, 1, 0),
        ([], {PERIOD: 0}, 0, 0),
        ([PERIOD], {}, 0, 0),
        ([], {}, 0, 0),
    ]
    assert _subjects(smtp) == [
        ("a00@x.com", "invitation"),
        ("a01@x.com", "invitation"),
        ("a01@x.com", "reminder"),
        ("a01@x.com", "reminder"),
    ]
    assert len(set(smtp.inbox.message_ids())) == 4
    closed = await wave_info(PERIOD)
    assert (closed.status, await ReminderLink.count()) == ("closed", 2)
    assert await Invitation.count().where(Invitation.expires_at > clock.now()) == 0


async def test_a_wave_is_closed_only_after_the_whole_closing_day(
    db: Database, clock: FrozenClock, job_settings: Settings
) -> None:
    await _issued_wave(clock, TODAY)
    clock.at = dt.datetime.combine(TODAY, dt.time(23, 59, 59), tzinfo=dt.UTC)
    assert (await run_survey_work(clock.now(), CONTEXT)).closed == []
    clock.at = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(0, 0), tzinfo=dt.UTC)
    assert (await run_survey_work(clock.now(), CONTEXT)).closed == [PERIOD]
    assert (await run_survey_work(clock.now(), CONTEXT)).closed == []


async def test_nothing_is_opened_or_issued_that_an_admin_did_not_ask_for(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    await make_account("A1")
    # This half year's wave would be open today, the last one's closing day has passed.
    await create_wave(PERIOD, clock.now(), opens_on=TODAY - dt.timedelta(days=25),
                      closes_on=CLOSES)  # fmt: skip
    await create_wave(PREVIOUS, clock.now(), opens_on=TODAY - dt.timedelta(days=270),
                      closes_on=TODAY - dt.timedelta(days=225))  # fmt: skip
    report = await run_due_work(job_settings, clock.now())
    assert (report.survey.closed, report.survey.reminded, report.sent) == ([], {}, 0)
    assert report.scoring is None, "no churn model has been trained"
    assert [(await wave_info(p)).status for p in (PREVIOUS, PERIOD)] == ["planned", "planned"]
    assert (await Invitation.count(), await OutboxMessage.count()) == (0, 0)
    assert smtp.inbox.messages == []


async def test_closing_withdraws_mail_not_yet_sent(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings
) -> None:
    await _issued_wave(clock, TODAY + dt.timedelta(days=4))
    clock.advance(dt.timedelta(days=5))  # the invitation was never delivered
    report = await run_due_work(job_settings, clock.now())
    assert (report.survey.closed, report.sent) == ([PERIOD], 0)
    assert await OutboxMessage.count() == 0
    assert smtp.inbox.messages == []


async def test_two_runs_at_once_remind_each_non_responder_once(
    db: Database, clock: FrozenClock
) -> None:
    await _issued_wave(clock, CLOSES, codes=30)
    clock.advance(dt.timedelta(days=7))
    runs = await asyncio.gather(*(run_survey_work(clock.now(), CONTEXT) for _ in range(3)))
    assert sorted(run.reminded[PERIOD] for run in runs) == [0, 0, 30]
    assert await ReminderLink.count() == 30
    reminders = OutboxMessage.count().where(OutboxMessage.dedupe_key.like("survey-reminder%"))
    assert await reminders == 30
    assert {
        row["reminders_sent"] for row in await Invitation.select(Invitation.reminders_sent)
    } == {1}
