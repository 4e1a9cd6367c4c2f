"""Deadline warnings and escalations: which complaints are due for one, and recording it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from feedback.complaints.deadlines import STEP_OF_STATE, Step
from feedback.complaints.records import NewEvent, write_event
from feedback.complaints.states import ComplaintState
from feedback.complaints.tables import Complaint, EventKind
from feedback.db import transaction
from feedback.mail.services import Mail, MailContext, post

__all__ = ["AlertKind", "DeadlineAlert", "due_alerts", "record_alert"]

# Warn once before the deadline of the current step; escalate once when it has passed.
DUE_SQL = (
    "SELECT id, account, assignee, state, severity, version, next_due_at, next_warn_at "
    "FROM complaint "
    "WHERE next_due_at IS NOT NULL AND ("
    "(next_due_at <= {} AND escalated_at IS NULL) OR "
    "(next_warn_at <= {} AND next_due_at > {} AND warned_at IS NULL)) "
    "ORDER BY next_due_at, id LIMIT {}"
)


class AlertKind(str, Enum):
    warning = "warning"
    escalation = "escalation"


@dataclass(frozen=True)
class DeadlineAlert:
    complaint_id: int
    account_id: int
    assignee_id: int | None
    state: ComplaintState
    severity: str
    step: Step
    kind: AlertKind
    due_at: dt.datetime


async def due_alerts(now: dt.datetime, limit: int = 1000) -> list[DeadlineAlert]:
    """Complaints whose current step should be warned about or escalated at ``now``."""
    rows = await Complaint.raw(DUE_SQL, now, now, now, limit)
    return [
        DeadlineAlert(
            complaint_id=row["id"],
            account_id=row["account"],
            assignee_id=row["assignee"],
            state=ComplaintState(row["state"]),
            severity=row["severity"],
            step=STEP_OF_STATE[ComplaintState(row["state"])],
            kind=AlertKind.escalation if row["next_due_at"] <= now else AlertKind.warning,
            due_at=row["next_due_at"],
        )
        for row in rows
    ]


async def record_alert(
    alert: DeadlineAlert,
    now: dt.datetime,
    mails: Sequence[Mail] = (),
    context: MailContext = MailContext(),  # noqa: B008
) -> bool:
    """Mark the alert sent (an escalation also flags the breach) and queue its ``mails`` in the
    same transaction; False, and nothing queued, if it was already recorded.

    It leaves state and version alone: an alert must not make a member of staff's action fail.
    """
    column = Complaint.escalated_at if alert.kind == AlertKind.escalation else Complaint.warned_at
    values: dict[object, object] = {column: now}
    if alert.kind == AlertKind.escalation:
        values[getattr(Complaint, f"{alert.step.value}_breached")] = True
    async with transaction():
        updated = await (
            Complaint.update(values)  # type: ignore[arg-type]
            .where(
                (Complaint.id == alert.complaint_id)
                & (Complaint.next_due_at == alert.due_at)
                & column.is_null()
            )
            .returning(Complaint.version)
        )
        if not updated:
            return False
        event = NewEvent(
            alert.complaint_id,
            EventKind(alert.kind.value),
            alert.state,
            alert.state,
            updated[0]["version"],
            {"step": alert.step.value, "due_at": alert.due_at.isoformat()},
        )
        await write_event(event, None, now)
        await post(mails, context, now)
    return True
