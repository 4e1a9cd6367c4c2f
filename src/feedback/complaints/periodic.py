"""The complaints' periodic work: warn before a step's deadline, escalate when it is breached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from feedback.accounts import staff
from feedback.accounts.directory import AccountDimensions, account_dimensions
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.complaints.alerts import AlertKind, DeadlineAlert, due_alerts, record_alert
from feedback.complaints.messages import DeadlineNotice, deadline_mail
from feedback.mail.services import Mail, MailContext

__all__ = ["ALERT_BATCH", "ComplaintWork", "run_complaint_work"]

ALERT_BATCH = 500
ASSIGNABLE = (Role.agent, Role.supervisor)


@dataclass(frozen=True)
class ComplaintWork:
    """What one run recorded: warnings and escalations, each with its mail queued."""

    warned: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class _Staff:
    supervisors: list[StaffMember]
    assignable: Mapping[int, StaffMember]

    def recipients(self, alert: DeadlineAlert) -> list[StaffMember]:
        """A warning goes to whoever works the complaint; an escalation to every supervisor."""
        assignee = self.assignable.get(alert.assignee_id) if alert.assignee_id else None
        if alert.kind is AlertKind.warning and assignee is not None:
            return [assignee]
        return self.supervisors


def _mails(
    alert: DeadlineAlert,
    recipients: Sequence[StaffMember],
    account: AccountDimensions | None,
    assignee: str,
    context: MailContext,
) -> list[Mail]:
    notice = DeadlineNotice(
        complaint_id=alert.complaint_id,
        kind=alert.kind.value,
        step=alert.step.value,
        due_at=alert.due_at,
        account=f"{account.name} ({account.code})" if account else f"#{alert.account_id}",
        severity=alert.severity,
        tier=account.tier if account else "",
        assignee=assignee,
    )
    return [deadline_mail(notice, m.id, m.email, m.name, context) for m in recipients]


async def _alert_batch(
    alerts: Sequence[DeadlineAlert], team: _Staff, now: dt.datetime, context: MailContext
) -> ComplaintWork:
    accounts = await account_dimensions({alert.account_id for alert in alerts})
    names = await staff.staff_names({a.assignee_id for a in alerts if a.assignee_id})
    counts = {AlertKind.warning: 0, AlertKind.escalation: 0}
    for alert in alerts:
        assignee = names.get(alert.assignee_id, "unassigned") if alert.assignee_id else "unassigned"
        mails = _mails(
            alert, team.recipients(alert), accounts.get(alert.account_id), assignee, context
        )
        # Another run (or a staff action) may have got there first: then nothing is queued.
        if await record_alert(alert, now, mails, context):
            counts[alert.kind] += 1
    return ComplaintWork(counts[AlertKind.warning], counts[AlertKind.escalation])


async def run_complaint_work(now: dt.datetime, context: MailContext) -> ComplaintWork:
    """Record every warning and escalation due at ``now`` and queue its staff mail with it.

    Each alert is recorded once per step deadline, so running this again at once, or two
    runs at the same time, queue nothing more.
    """
    warned = escalated = 0
    team: _Staff | None = None
    while alerts := await due_alerts(now, ALERT_BATCH):
        if team is None:
            supervisors = await staff.active_members([Role.supervisor])
            team = _Staff(supervisors, {m.id: m for m in await staff.active_members(ASSIGNABLE)})
        done = await _alert_batch(alerts, team, now, context)
        warned, escalated = warned + done.warned, escalated + done.escalated
        if len(alerts) < ALERT_BATCH or not done.warned + done.escalated:
            break
    return ComplaintWork(warned, escalated)
