"""Reports mailed on a schedule, through the outbox, once per recipient and period.

A report kind is who receives it, when it is due and how its page is made. A run asks each
kind for the periods due today and for its recipients, leaves out those who opted out and
the reports already queued, then for each report left: renders its PDF (outside any
transaction), and in one transaction marks it queued (``report_delivery``, unique on
``kind:period:recipient``) and queues its mail with the PDF attached. A run stopped between
the two leaves nothing behind, and the next run makes the report again; two runs at once
both render, one queues. An SMTP outage only delays the mail: the outbox retries.

The kinds: the portfolio report (each account manager's own, monthly and before each open
wave closes) and the wave report (to every supervisor, when a wave closes).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from babel.dates import format_skeleton

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, active_members
from feedback.config import Settings
from feedback.db import transaction
from feedback.mail.services import Attachment, Mail, MailContext, post
from feedback.reports.mail_choices import mail_choices
from feedback.reports.pdf import render_pdf
from feedback.reports.portfolio import PortfolioChoice, portfolio_report
from feedback.reports.rendering import portfolio_html, wave_html
from feedback.reports.schedule import (
    DuePeriod,
    WaveClosing,
    WorkingDays,
    before_closing,
    monthly_period,
)
from feedback.reports.tables import ReportDelivery
from feedback.reports.wave import WaveChoice, wave_report
from feedback.surveys.services import open_waves, waves_closed_since
from feedback.web.i18n import render, translations
from feedback.web.logs import security_log

__all__ = [
    "KINDS",
    "PORTFOLIO",
    "SETTINGS_PATH",
    "WAVE",
    "DeliveryRun",
    "DeliveryWork",
    "DueReport",
    "ReportKind",
    "deliver_reports",
    "due_reports",
]

log = logging.getLogger("feedback.reports")
# Where a member turns mailed reports off or chooses their language; every mail links to it.
SETTINGS_PATH = "/my-settings"
MARK_SQL = (
    "INSERT INTO report_delivery (dedupe_key, kind, period, recipient, queued_at) "
    "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
)
Translate = Callable[[str], str]


@dataclass(frozen=True)
class DeliveryRun:
    """One run's time, settings and working days (read once from the settings)."""

    now: dt.datetime
    settings: Settings
    days: WorkingDays

    @classmethod
    def of(cls, settings: Settings, now: dt.datetime) -> DeliveryRun:
        return cls(now, settings, WorkingDays.of(settings.report_schedule))


@dataclass(frozen=True)
class DueReport:
    """One report of a kind due to one recipient for one period, in their language."""

    kind: ReportKind
    due: DuePeriod
    recipient: StaffMember
    language: str

    @property
    def key(self) -> str:
        return f"{self.kind.name}:{self.due.period}:{self.recipient.id}"


@dataclass(frozen=True)
class ReportKind:
    """A report that is mailed.

    ``name`` starts its dedupe keys; ``title`` words it in a mail (given gettext);
    ``recipients`` are who receive it; ``periods`` the periods due in a run; ``page`` makes
    a recipient's finished HTML page (None: nothing to report to them now; nothing is sent,
    and a later run in the period asks again).
    """

    name: str
    title: Callable[[Translate], str]
    recipients: Callable[[], Awaitable[list[StaffMember]]]
    periods: Callable[[DeliveryRun], Awaitable[list[DuePeriod]]]
    page: Callable[[DueReport, DeliveryRun], Awaitable[str | None]]


@dataclass(frozen=True)
class DeliveryWork:
    """What a run did: the dedupe keys of the reports it queued, and of those it could not
    make (logged; tried again by the next run)."""

    queued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


async def _account_managers() -> list[StaffMember]:
    return await active_members([Role.account_manager])


async def _portfolio_periods(run: DeliveryRun) -> list[DuePeriod]:
    """The month on its first working day; each open wave a week (by default) before it
    closes."""
    schedule = run.settings.report_schedule
    today = run.now.date()
    due = [monthly_period(today, run.days, schedule.catch_up_days)] if schedule.monthly else []
    for wave in await open_waves():
        due.append(before_closing(today, WaveClosing(wave.period, wave.closes_on), schedule,
                                  run.days))  # fmt: skip
    return [period for period in due if period is not None]


async def _portfolio_page(report: DueReport, run: DeliveryRun) -> str | None:
    """The manager's own portfolio, read as they would print it; None when they hold no
    active account."""
    manager = report.recipient
    choice = PortfolioChoice(manager, report.language)
    portfolio = await portfolio_report(manager, choice, run.now, run.settings.contact_standards)
    return portfolio_html(portfolio) if portfolio.accounts else None


PORTFOLIO = ReportKind(
    name="portfolio",
    title=lambda _: _("portfolio report"),
    recipients=_account_managers,
    periods=_portfolio_periods,
    page=_portfolio_page,
)


async def _supervisors() -> list[StaffMember]:
    return await active_members([Role.supervisor])


async def _closed_wave_periods(run: DeliveryRun) -> list[DuePeriod]:
    """Each wave that closed today or within the catch-up days before."""
    today = run.now.date()
    since = today - dt.timedelta(days=run.settings.report_schedule.catch_up_days)
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    return [
        DuePeriod(f"wave-{period}-closed", closed_on, closed_wave=period)
        for period, closed_on in await waves_closed_since(start)
    ]


async def _wave_page(report: DueReport, run: DeliveryRun) -> str | None:
    """The closed wave's report, read as the supervisor would print it."""
    choice = WaveChoice(report.due.closed_wave, report.language)
    return wave_html(await wave_report(report.recipient, choice, run.now))


WAVE = ReportKind(
    name="wave",
    title=lambda _: _("wave report"),
    recipients=_supervisors,
    periods=_closed_wave_periods,
    page=_wave_page,
)
KINDS: tuple[ReportKind, ...] = (PORTFOLIO, WAVE)


async def _queued_before(keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    rows = await ReportDelivery.select(ReportDelivery.dedupe_key).where(
        ReportDelivery.dedupe_key.is_in(list(keys))
    )
    return {row["dedupe_key"] for row in rows}


async def _due_of_kind(kind: ReportKind, run: DeliveryRun) -> list[DueReport]:
    periods = await kind.periods(run)
    if not periods:
        return []
    members = await kind.recipients()
    choices = await mail_choices([member.id for member in members])
    return [
        DueReport(kind, period, member, choices[member.id].language)
        for period in periods
        for member in members
        if choices[member.id].mailed
    ]


async def due_reports(run: DeliveryRun, kinds: Sequence[ReportKind] = KINDS) -> list[DueReport]:
    """The reports due at the run's time that were not queued before."""
    due = [report for kind in kinds for report in await _due_of_kind(kind, run)]
    queued = await _queued_before([report.key for report in due])
    return [report for report in due if report.key not in queued]


def _occasion(due: DuePeriod, _: Translate, language: str) -> str:
    if due.closed_wave:
        return _("of wave {period}, closed on {day}").format(
            period=due.closed_wave, day=due.due_on.isoformat()
        )
    if due.wave is not None:
        return _("before wave {period} closes on {day}").format(
            period=due.wave.period, day=due.wave.closes_on.isoformat()
        )
    return _("for {month}").format(month=format_skeleton("yMMMM", due.due_on, locale=language))


def _mail(report: DueReport, pdf: bytes, run: DeliveryRun) -> Mail:
    _ = translations(report.language).gettext
    context = MailContext.from_settings(run.settings)
    words = {
        "name": report.recipient.name,
        "report": report.kind.title(_),
        "occasion": _occasion(report.due, _, report.language),
        "prepared_on": run.now.date().isoformat(),
        "file_name": f"{report.kind.name}-{report.due.period}.pdf",
        "settings_url": f"{context.base_url}{SETTINGS_PATH}",
        "company": context.company,
    }
    return Mail(
        dedupe_key=report.key,
        to=report.recipient.email,
        subject=_("Your {report} {occasion}").format(**words),
        text_body=render("email/report.txt", report.language, words),
        html_body=render("email/report.html", report.language, words),
        attachments=(Attachment(words["file_name"], pdf),),
    )


async def _deliver(report: DueReport, run: DeliveryRun) -> bool:
    """Make the report and queue it with its mark; False when there was nothing to send or
    another run queued it meanwhile."""
    page = await report.kind.page(report, run)
    if page is None:
        return False
    # The job runner awaits each report in turn: a thread keeps the render off its event
    # loop without starting renderer processes for a few reports a month.
    pdf = await asyncio.to_thread(render_pdf, page)
    mail = _mail(report, pdf, run)
    async with transaction():
        marked = await ReportDelivery.raw(
            MARK_SQL, report.key, report.kind.name, report.due.period, report.recipient.id,
            run.now,
        )  # fmt: skip
        if marked:
            await post([mail], MailContext.from_settings(run.settings), run.now)
    if marked:
        security_log.info("report: %s queued to %s", report.key, report.recipient.email)
    return bool(marked)


async def deliver_reports(run: DeliveryRun, kinds: Sequence[ReportKind] = KINDS) -> DeliveryWork:
    """Queue every report due at the run's time, once; a report that cannot be made is
    logged and left for the next run, and the others still go."""
    work = DeliveryWork()
    for report in await due_reports(run, kinds):
        try:
            if await _deliver(report, run):
                work.queued.append(report.key)
        except Exception:
            log.exception("the report %s could not be made; the next run tries again", report.key)
            work.failed.append(report.key)
    return work
