"""`feedback jobs run`: the periodic work - survey waves' upkeep, complaint deadline alerts,
daily churn scores, the reports mailed on a schedule, then delivering due mail."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import NoReturn

import click

from feedback.clock import Clock
from feedback.complaints.periodic import ComplaintWork, run_complaint_work
from feedback.config import Settings
from feedback.mail.services import MailContext, deliver_due
from feedback.reports.delivery import DeliveryRun, DeliveryWork, deliver_reports
from feedback.reports.schedule import WorkingDays
from feedback.runtime import run_on_database
from feedback.scoring.scores import ScoreRun, score_if_due
from feedback.surveys.periodic import SurveyWork, run_survey_work

__all__ = ["JobsReport", "deliver_backlog", "jobs_group", "run_due_work"]

IDLE_SECONDS = 5.0
# Reminders are days apart and waves close by the day: a few runs an hour are plenty.
SURVEY_WORK_EVERY = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class JobsReport:
    survey: SurveyWork
    complaints: ComplaintWork
    scoring: ScoreRun | None
    reports: DeliveryWork
    sent: int
    failed: int


async def deliver_backlog(smtp_url: str, now: dt.datetime, batch: int) -> tuple[int, int]:
    """Deliver batches until less than a full batch is due: (sent, failed)."""
    sent = failed = 0
    while True:
        report = await deliver_due(smtp_url, now, batch=batch)
        sent, failed = sent + report.sent, failed + report.failed
        if report.claimed < batch:
            return sent, failed


async def run_due_work(settings: Settings, now: dt.datetime, batch: int = 100) -> JobsReport:
    """Everything due at ``now``: survey upkeep, complaint alerts, scores and the reports due
    first, so their mail goes out in this run."""
    survey = await run_survey_work(now, MailContext.from_settings(settings))
    complaints = await _complaint_work(settings, now)
    scoring = await _daily_scores(settings, now)
    reports = await _mailed_reports(settings, now)
    sent, failed = await deliver_backlog(settings.smtp_url, now, batch)
    return JobsReport(survey, complaints, scoring, reports, sent, failed)


async def _mailed_reports(settings: Settings, now: dt.datetime) -> DeliveryWork:
    work = await deliver_reports(DeliveryRun.of(settings, now))
    if work.queued or work.failed:
        click.echo(f"reports: {len(work.queued)} queued to be mailed, {len(work.failed)} "
                   "could not be made (see the log; the next run tries again)")  # fmt: skip
    return work


async def _complaint_work(settings: Settings, now: dt.datetime) -> ComplaintWork:
    work = await run_complaint_work(now, MailContext.from_settings(settings))
    if work.warned or work.escalated:
        click.echo(f"complaints: {work.warned} warning(s), {work.escalated} escalation(s)")
    return work


async def _daily_scores(settings: Settings, now: dt.datetime) -> ScoreRun | None:
    return await score_if_due(now.date(), settings.tier_thresholds, now, settings.contact_standards)


def _show_scoring(run: ScoreRun | None) -> None:
    for line in run.lines() if run else []:
        click.echo(line)


def _show_survey_work(work: SurveyWork) -> None:
    for period in work.closed:
        click.echo(f"wave {period} closed: its closing day is over")
    for period, count in work.reminded.items():
        if count:
            click.echo(f"wave {period}: {count} reminder(s) queued")


def _show_failures(failed: int) -> None:
    if failed:
        click.echo(f"{failed} message(s) failed; they will be retried", err=True)


async def _run_forever(settings: Settings, clock: Clock, batch: int) -> NoReturn:
    survey_due = clock.now()
    while True:
        if clock.now() >= survey_due:
            _show_survey_work(
                await run_survey_work(clock.now(), MailContext.from_settings(settings))
            )
            _show_scoring(await _daily_scores(settings, clock.now()))
            await _mailed_reports(settings, clock.now())
            survey_due = clock.now() + SURVEY_WORK_EVERY
        # Deadlines run by the minute: alerts are looked for on every round.
        await _complaint_work(settings, clock.now())
        sent, failed = await deliver_backlog(settings.smtp_url, clock.now(), batch)
        _show_failures(failed)
        if sent:
            click.echo(f"{sent} message(s) sent")
        await asyncio.sleep(IDLE_SECONDS)


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("run")
@click.option("--once", is_flag=True, help="Do what is due now, then stop.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(min=1))
def run(once: bool, batch: int) -> None:
    """Close waves past their closing day, queue due reminders, warn and escalate complaint
    deadlines, score churn once a day (once a model is trained), queue the reports due to be
    mailed (each once), and deliver due mail over FEEDBACK_SMTP_URL (failures are retried
    with backoff). Without --once it keeps going: complaint alerts and mail every few
    seconds, survey upkeep, the daily scores and the mailed reports checked every ten
    minutes."""

    async def work(settings: Settings) -> int:
        WorkingDays.of(settings.report_schedule)  # a bad holiday setting stops it before any work
        if not once:
            await _run_forever(settings, settings.clock(), batch)
        report = await run_due_work(settings, settings.clock().now(), batch)
        _show_survey_work(report.survey)
        _show_scoring(report.scoring)
        _show_failures(report.failed)
        return report.sent

    click.echo(f"{run_on_database(work)} message(s) sent")
