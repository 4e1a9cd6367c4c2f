"""`feedback jobs run` warns before complaint deadlines and escalates breaches, once each."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.complaints.alerts import AlertKind, due_alerts, record_alert
from feedback.complaints.deadlines import BusinessHours, Severity, SlaPolicy
from feedback.complaints.periodic import ComplaintWork, run_complaint_work
from feedback.complaints.queue import complaint_detail, list_queue
from feedback.complaints.schemas import QueueFilters
from feedback.complaints.services import (
    ComplaintView,
    NewComplaint,
    assign,
    history,
    open_complaint,
)
from feedback.complaints.tables import Category, Channel, Complaint, ComplaintEvent
from feedback.config import Settings
from feedback.db import Database
from feedback.jobs import run_due_work
from feedback.mail.services import Mail, MailContext
from feedback.mail.tables import OutboxMessage
from tests.conftest import log_in
from tests.support.factories import contact_of, make_account
from tests.support.mail import SmtpServerFixture

BASE = "https://feedback.example"
UTC = dt.UTC
# Working hours Monday to Friday, 9:00-17:00 UTC.
OFFICE = SlaPolicy(business_hours=BusinessHours())
FRIDAY_3PM = dt.datetime(2026, 11, 27, 15, tzinfo=UTC)
# Tier A, major: apology within 8 working hours. From Friday 15:00 that is 2 h on Friday and
# 6 h on Monday: due Monday 15:00; the warning at 75% (6 h) comes on Monday at 13:00.
MONDAY = dt.date(2026, 11, 30)
WARN_AT = dt.datetime.combine(MONDAY, dt.time(13), UTC)
DUE_AT = dt.datetime.combine(MONDAY, dt.time(15), UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def job_settings(db: Database, smtp: SmtpServerFixture) -> Settings:
    return Settings(environment="test", database_url=db.url, base_url=BASE, smtp_url=smtp.url)


async def _complaint(code: str, clock: FrozenClock) -> ComplaintView:
    account_id = await make_account(code, tier="A")
    new = NewComplaint(
        account_id=account_id,
        channel=Channel.phone,
        category=Category.delivery,
        severity=Severity.major,
        description="The pallet arrived broken.",
        contact_id=await contact_of(account_id),
    )
    return await open_complaint(new, None, clock.now(), OFFICE)


async def _team(make_staff: Any) -> dict[str, StaffMember]:
    team = {
        name: await make_staff(role, f"{name}@staff.example")
        for name, role in (
            ("agent", Role.agent),
            ("boss", Role.supervisor),
            ("deputy", Role.supervisor),
            ("retired", Role.supervisor),
            ("manager", Role.account_manager),
        )
    }
    await staff.set_active("retired@staff.example", False)
    return team


def _staff_mail(smtp: SmtpServerFixture) -> list[tuple[str, str]]:
    """(recipient, subject) of each mail delivered to staff, in a stable order."""
    return sorted(
        (str(m["To"]).split("@")[0], str(m["Subject"]))
        for m in smtp.inbox.messages
        if str(m["To"]).endswith("@staff.example")
    )


async def test_a_warning_at_75_percent_and_an_escalation_at_the_breach_across_a_weekend(
    db: Database, clock: FrozenClock, smtp: SmtpServerFixture, job_settings: Settings,
    make_staff: Any,
) -> None:  # fmt: skip
    team = await _team(make_staff)
    clock.at = FRIDAY_3PM
    assigned = await _complaint("A1", clock)
    await assign(assigned.id, team["agent"].id, team["boss"], assigned.version, clock.now())
    unassigned = await _complaint("A2", clock)
    assert (assigned.clocks.next_warn_at, assigned.clocks.next_due_at) == (WARN_AT, DUE_AT)

    quiet = [FRIDAY_3PM + 2 * dt.timedelta(hours=1), WARN_AT - 2 * dt.timedelta(days=1),
             WARN_AT - MINUTE]  # fmt: skip
    for moment in quiet:  # Friday after closing, Saturday, Monday just before the warning
        report = await run_due_work(job_settings, moment)
        assert report.complaints == ComplaintWork(0, 0)
    assert _staff_mail(smtp) == []

    warned = await run_due_work(job_settings, WARN_AT)
    assert warned.complaints == ComplaintWork(warned=2, escalated=0)
    warnings = [
        ("agent", f"Due soon: the apology of complaint #{assigned.id} is due by 2026-11-30 "
                  "15:00 UTC"),
        ("boss", f"Due soon: the apology of complaint #{unassigned.id} is due by 2026-11-30 "
                 "15:00 UTC"),
        ("deputy", f"Due soon: the apology of complaint #{unassigned.id} is due by 2026-11-30 "
                   "15:00 UTC"),
    ]  # fmt: skip
    assert _staff_mail(smtp) == sorted(warnings)
    assert (await run_due_work(job_settings, DUE_AT - MINUTE)).complaints == ComplaintWork()

    escalated = await run_due_work(job_settings, DUE_AT)
    assert (escalated.complaints, escalated.failed) == (ComplaintWork(0, 2), 0)
    escalations = [
        (who, f"Escalated: complaint #{c.id} missed its apology deadline")
        for who in ("boss", "deputy")
        for c in (assigned, unassigned)
    ]
    assert _staff_mail(smtp) == sorted(warnings + escalations)
    again = await run_due_work(job_settings, DUE_AT + dt.timedelta(hours=5))
    assert (again.complaints, again.sent) == (ComplaintWork(), 0)
    assert len(smtp.inbox.messages) == len(set(smtp.inbox.message_ids()))

    body = next(m for m in smtp.inbox.messages if "Escalated" in str(m["Subject"]))
    text = body.get_payload(0).get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"{BASE}/complaints/{assigned.id}" in text
    assert "Account A1 (A1) (tier A)" in text
    assert "Assignee: Agent" in text


async def test_the_escalation_is_recorded_where_the_queue_and_the_ticket_show_it(
    db: Database, clock: FrozenClock, make_staff: Any, client: httpx.AsyncClient
) -> None:
    team = await _team(make_staff)
    clock.at = FRIDAY_3PM
    complaint = await _complaint("A1", clock)
    await run_complaint_work(DUE_AT, MailContext(base_url=BASE))
    events = [(e.kind, e.content) for e in await history(complaint.id)]
    assert events[-1] == ("escalation", {"step": "apology", "due_at": DUE_AT.isoformat()})
    page = await list_queue(QueueFilters(view="breached"), team["boss"], DUE_AT)
    assert [(row.id, row.escalated_at) for row in page.items] == [(complaint.id, DUE_AT)]
    detail = await complaint_detail(complaint.id, team["boss"], DUE_AT)
    assert (detail.escalated_at, detail.breached_steps) == (DUE_AT, ["apology"])
    clock.at = DUE_AT + dt.timedelta(hours=1)
    await log_in(client, team["boss"])
    queue_page = (await client.get("/complaints?view=breached")).text
    assert "escalated 2026-11-30 15:00" in queue_page
    ticket = (await client.get(f"/complaints/{complaint.id}")).text
    assert "escalated 2026-11-30 15:00" in ticket
    assert "<dt>Deadlines missed</dt><dd>apology</dd>" in ticket


async def test_two_runs_at_once_record_and_queue_each_alert_once(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    await _team(make_staff)
    clock.at = FRIDAY_3PM
    for code in ("A1", "A2", "A3"):
        await _complaint(code, clock)
    before = await OutboxMessage.count()
    context = MailContext(base_url=BASE)
    runs = await asyncio.gather(*(run_complaint_work(DUE_AT, context) for _ in range(3)))
    assert sum(run.escalated for run in runs) == 3
    assert sum(run.warned for run in runs) == 0, "past the deadline only the escalation is due"
    assert await OutboxMessage.count() == before + 3 * 2  # two active supervisors each
    assert await ComplaintEvent.count().where(ComplaintEvent.kind == "escalation") == 3
    assert await run_complaint_work(DUE_AT, context) == ComplaintWork()


async def test_the_alert_and_its_mail_commit_together_or_not_at_all(
    db: Database, clock: FrozenClock
) -> None:
    clock.at = FRIDAY_3PM
    complaint = await _complaint("A1", clock)
    before = await OutboxMessage.count()
    [alert] = await due_alerts(WARN_AT)
    unsendable = Mail(dedupe_key="broken", to=None, subject="x", text_body="x")  # type: ignore[arg-type]
    with pytest.raises(Exception, match=r"(?i)null"):
        await record_alert(alert, WARN_AT, [unsendable])
    assert await OutboxMessage.count() == before
    row = await Complaint.select(Complaint.warned_at).where(Complaint.id == complaint.id).first()
    assert row == {"warned_at": None}
    assert [e.kind for e in await history(complaint.id)] == ["opened"]
    [again] = await due_alerts(WARN_AT)
    assert again.kind is AlertKind.warning
