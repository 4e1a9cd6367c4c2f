"""Complaint rows for the services: the view, the guarded update and the history row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from feedback.accounts.staff import StaffMember
from feedback.complaints.deadlines import Clocks, Completion
from feedback.complaints.schemas import ComplaintRecord
from feedback.complaints.states import Action, ComplaintState, allowed_actions
from feedback.complaints.tables import Complaint, ComplaintEvent, EventKind
from feedback.errors import Conflict, NotFound

__all__ = [
    "CLOCK_COLUMNS",
    "ComplaintView",
    "HistoryEntry",
    "NewEvent",
    "check_expected",
    "clocks_of",
    "get_complaint",
    "guarded_update",
    "history",
    "load_row",
    "view_of",
    "write_event",
]

CLOCK_COLUMNS = (
    "apology_due_at",
    "resolution_due_at",
    "follow_up_due_at",
    "apology_breached",
    "resolution_breached",
    "follow_up_breached",
    "next_due_at",
    "next_warn_at",
)


class ComplaintView(ComplaintRecord, frozen=True):
    """A complaint as the queue and the ticket page show it."""

    account_id: int
    state: ComplaintState
    clocks: Clocks
    allowed_actions: tuple[Action, ...]


def clocks_of(row: Mapping[str, Any]) -> Clocks:
    return Clocks(received_at=row["received_at"], **{name: row[name] for name in CLOCK_COLUMNS})


def view_of(row: Mapping[str, Any]) -> ComplaintView:
    """The complaint of a row with every column; its foreign keys are named for what they hold."""
    state = ComplaintState(row["state"])
    named = {
        "account_id": row["account"], "contact_id": row["contact"],
        "assignee_id": row["assignee"], "state": state, "clocks": clocks_of(row),
        "allowed_actions": allowed_actions(state),
    }  # fmt: skip
    return msgspec.convert({**row, **named}, ComplaintView)


async def load_row(complaint_id: int) -> dict[str, Any]:
    row = await Complaint.select().where(Complaint.id == complaint_id).first()
    if row is None:
        raise NotFound(f"no complaint {complaint_id}")
    return row


async def get_complaint(complaint_id: int) -> ComplaintView:
    return view_of(await load_row(complaint_id))


@dataclass(frozen=True)
class NewEvent:
    """A row to add to a complaint's history: what happened and the version it left."""

    complaint_id: int
    kind: EventKind
    from_state: ComplaintState | None
    to_state: ComplaintState
    version: int
    content: Mapping[str, Any]
    seconds_in_state: int | None = None
    completion: Completion | None = None


async def write_event(event: NewEvent, actor: StaffMember | None, now: dt.datetime) -> None:
    completion = event.completion
    await ComplaintEvent.insert(
        ComplaintEvent(
            complaint=event.complaint_id,
            kind=event.kind,
            from_state=event.from_state,
            to_state=event.to_state,
            version=event.version,
            actor=actor.id if actor else None,
            content=dict(event.content),
            seconds_in_state=event.seconds_in_state,
            step=completion.step if completion else None,
            step_due_at=completion.due_at if completion else None,
            late=completion.late if completion else None,
            created_at=now,
        )
    )


async def guarded_update(
    complaint_id: int, state: ComplaintState, version: int, values: dict[str, Any]
) -> None:
    """Write only if nobody changed the complaint since it was read: one concurrent action wins."""
    updated = await (
        Complaint.update({getattr(Complaint, name): value for name, value in values.items()})
        .where(
            (Complaint.id == complaint_id)
            & (Complaint.state == state)
            & (Complaint.version == version)
        )
        .returning(Complaint.id)
    )
    if not updated:
        current = await load_row(complaint_id)
        raise Conflict(
            f"complaint {complaint_id} was changed meanwhile: it is now {current['state']} "
            f"(version {current['version']}); reload it and try again"
        )


def check_expected(row: Mapping[str, Any], state: ComplaintState, version: int) -> None:
    if row["state"] != state.value or row["version"] != version:
        raise Conflict(
            f"complaint {row['id']} is {row['state']} at version {row['version']}, not "
            f"{state.value} at version {version}; reload it and try again"
        )


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a complaint's history, oldest first."""

    kind: str
    from_state: str | None
    to_state: str
    version: int
    actor_id: int | None
    content: dict[str, Any]
    seconds_in_state: int | None
    step: str | None
    step_due_at: dt.datetime | None
    late: bool | None
    created_at: dt.datetime


async def history(complaint_id: int) -> list[HistoryEntry]:
    """Every step, note, assignment and alert of a complaint, in the order they happened."""
    await load_row(complaint_id)
    rows = (
        await ComplaintEvent.select()
        .where(ComplaintEvent.complaint == complaint_id)
        .order_by(ComplaintEvent.id)
        .output(load_json=True)
    )
    entries = [{**row, "actor_id": row["actor"]} for row in rows]
    return msgspec.convert(entries, list[HistoryEntry])
