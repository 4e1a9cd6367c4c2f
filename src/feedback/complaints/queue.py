"""The staff queue and ticket reads: keyset pages by next deadline, and who may see what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.query import Select

from feedback.accounts.directory import (
    account_dimensions,
    account_id_for_code,
    account_ids_managed_by,
    managed_accounts,
)
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, staff_names
from feedback.complaints.deadlines import TIERS, Severity, Step, time_left
from feedback.complaints.records import ComplaintView, get_complaint, history
from feedback.complaints.schemas import (
    ComplaintOut,
    ComplaintRecord,
    EventOut,
    QueueFilters,
    QueuePage,
    QueueRow,
)
from feedback.complaints.search import search_clause
from feedback.complaints.services import add_note
from feedback.complaints.states import OPEN_STATES, WORKERS, ComplaintState
from feedback.complaints.tables import Category, Complaint
from feedback.errors import InvalidInput, NotFound

__all__ = [
    "DUE_SOON",
    "MAX_PAGE",
    "VIEWS",
    "add_visible_note",
    "check_visible",
    "complaint_detail",
    "complaint_events",
    "default_view",
    "list_queue",
    "open_complaints_of_account",
    "open_complaints_of_portfolio",
    "queue_query",
    "views_for",
]

MAX_PAGE = 200
DUE_SOON = dt.timedelta(hours=24)
VIEWS = ("mine", "unassigned", "team", "breached", "due_soon")
QUEUE_COLUMNS = (
    Complaint.id, Complaint.account, Complaint.category, Complaint.severity, Complaint.tier,
    Complaint.state, Complaint.assignee, Complaint.received_at, Complaint.next_due_at,
    Complaint.next_warn_at, Complaint.escalated_at,
)  # fmt: skip


def default_view(viewer: StaffMember) -> str:
    return "mine" if viewer.role is Role.agent else "team"


def views_for(viewer: StaffMember) -> tuple[str, ...]:
    """The queue's views that serve ``viewer``: "mine" only for those complaints are
    assigned to (agents and supervisors)."""
    return tuple(view for view in VIEWS if view != "mine" or viewer.role in WORKERS)


def _choice(value: str, choices: Any, name: str) -> str:
    if value and value not in choices:
        raise InvalidInput(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def _view_clauses(view: str, viewer: StaffMember, now: dt.datetime) -> list[Any]:
    by_view: dict[str, list[Any]] = {
        "mine": [Complaint.assignee == viewer.id],
        "unassigned": [Complaint.assignee.is_null()],
        "team": [],
        "breached": [Complaint.next_due_at <= now],
        "due_soon": [Complaint.next_due_at > now, Complaint.next_due_at <= now + DUE_SOON],
    }
    return by_view[_choice(view, VIEWS, "view")]


def _newest_first(filters: QueueFilters) -> bool:
    """Closed and cancelled complaints have no deadline, and search results span every
    state: they are listed newest first."""
    return bool(filters.q) or (bool(filters.state) and filters.state not in OPEN_STATES)


async def _account_clauses(filters: QueueFilters, viewer: StaffMember) -> list[Any]:
    """The account asked for by code, and for account managers their own accounts only."""
    manager = viewer.id if viewer.role is Role.account_manager else None
    clauses: list[Any] = []
    if filters.account:
        clauses.append(Complaint.account == await account_id_for_code(filters.account, manager))
    if manager is not None:
        clauses.append(Complaint.account.is_in(await account_ids_managed_by(manager) or [0]))
    return clauses


async def _filter_clauses(
    filters: QueueFilters, viewer: StaffMember, now: dt.datetime
) -> list[Any]:
    state = _choice(filters.state, [s.value for s in ComplaintState], "state")
    # Every open complaint has a next deadline and closed ones have none, so the deadline
    # index alone finds the queue.
    if filters.q:
        # A search looks through every complaint the viewer may see, whatever the view.
        clauses: list[Any] = [await search_clause(filters.q)]
    else:
        clauses = [] if _newest_first(filters) else [Complaint.next_due_at.is_not_null()]
        clauses += _view_clauses(filters.view, viewer, now)
    clauses += [Complaint.state == state] if state else []
    if _choice(filters.severity, [s.value for s in Severity], "severity"):
        clauses.append(Complaint.severity == filters.severity)
    if _choice(filters.category, [c.value for c in Category], "category"):
        clauses.append(Complaint.category == filters.category)
    if _choice(filters.tier, TIERS, "tier"):
        clauses.append(Complaint.tier == filters.tier)
    if filters.assignee_id is not None:
        clauses.append(Complaint.assignee == filters.assignee_id)
    return clauses + await _account_clauses(filters, viewer)


async def _after(cursor: int) -> Any:
    anchor = await Complaint.select(Complaint.next_due_at).where(Complaint.id == cursor).first()
    if anchor is None or anchor["next_due_at"] is None:
        raise InvalidInput("the page cursor does not name a complaint in the queue")
    due = anchor["next_due_at"]
    return (Complaint.next_due_at > due) | (
        (Complaint.next_due_at == due) & (Complaint.id > cursor)
    )


async def queue_query(filters: QueueFilters, viewer: StaffMember, now: dt.datetime) -> Select:
    """The query of one queue page (and one row more, to know whether another page follows):
    open complaints by next deadline, closed or cancelled ones newest first."""
    if not 1 <= filters.limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    clauses = await _filter_clauses(filters, viewer, now)
    finished = _newest_first(filters)
    if filters.after is not None:
        clauses.append(Complaint.id < filters.after if finished else await _after(filters.after))
    order = (Complaint.id,) if finished else (Complaint.next_due_at, Complaint.id)
    return (
        Complaint.select(*QUEUE_COLUMNS)
        .where(*clauses)
        .order_by(*order, ascending=not finished)
        .limit(filters.limit + 1)
    )


async def list_queue(filters: QueueFilters, viewer: StaffMember, now: dt.datetime) -> QueuePage:
    """One page of open complaints, soonest deadline first, continuing after the cursor."""
    rows = await (await queue_query(filters, viewer, now))
    items = await _rows(rows[: filters.limit], now)
    return QueuePage(items=items, next_cursor=items[-1].id if len(rows) > filters.limit else None)


async def _open_rows(clauses: list[Any], now: dt.datetime) -> list[QueueRow]:
    """Every open complaint matching ``clauses``, soonest deadline first (the deadline index)."""
    rows = await (
        Complaint.select(*QUEUE_COLUMNS)
        .where(Complaint.next_due_at.is_not_null(), *clauses)
        .order_by(Complaint.next_due_at, Complaint.id)
    )
    return await _rows(rows, now)


async def open_complaints_of_account(account_id: int, now: dt.datetime) -> list[QueueRow]:
    """One account's open complaints, soonest deadline first (the caller has checked access)."""
    return await _open_rows([Complaint.account == account_id], now)


async def open_complaints_of_portfolio(managed_by: int | None, now: dt.datetime) -> list[QueueRow]:
    """Every open complaint of the accounts a staff member manages (None: of every account),
    soonest deadline first: one query, and one for the accounts' and one for the assignees'
    names, whatever their number (the caller has checked access)."""
    clauses = [] if managed_by is None else [Complaint.account.is_in(managed_accounts(managed_by))]
    return await _open_rows(clauses, now)


async def _rows(rows: list[dict[str, Any]], now: dt.datetime) -> list[QueueRow]:
    """Queue rows with their accounts' and assignees' names (one query each)."""
    accounts = await account_dimensions({row["account"] for row in rows})
    names = await staff_names({row["assignee"] for row in rows if row["assignee"]})
    return [_row(row, accounts, names, now) for row in rows]


def _row(row: dict[str, Any], accounts: Any, names: dict[int, str], now: dt.datetime) -> QueueRow:
    account = accounts.get(row["account"])
    left = time_left(row["next_due_at"], row["next_warn_at"], now)
    return QueueRow(
        id=row["id"],
        account_code=account.code if account else "",
        account_name=account.name if account else "",
        category=row["category"],
        severity=row["severity"],
        tier=row["tier"],
        state=row["state"],
        assignee_id=row["assignee"],
        assignee=names.get(row["assignee"]),
        received_at=row["received_at"],
        next_due_at=row["next_due_at"],
        urgency=left.urgency.value,
        time_left=left.text,
        escalated_at=row["escalated_at"],
    )


async def check_visible(complaint: ComplaintView, viewer: StaffMember) -> None:
    """Account managers see the complaints of their own accounts only (others: not found)."""
    if viewer.role is Role.account_manager and complaint.account_id not in set(
        await account_ids_managed_by(viewer.id)
    ):
        raise NotFound(f"no complaint {complaint.id}")


async def complaint_detail(
    complaint_id: int, viewer: StaffMember, now: dt.datetime
) -> ComplaintOut:
    complaint = await get_complaint(complaint_id)
    await check_visible(complaint, viewer)
    account = (await account_dimensions([complaint.account_id]))[complaint.account_id]
    clocks = complaint.clocks
    left = time_left(clocks.next_due_at, clocks.next_warn_at, now)
    recorded = {name: getattr(complaint, name) for name in ComplaintRecord.__struct_fields__}
    return ComplaintOut(
        **recorded, account_code=account.code, account_name=account.name,
        state=complaint.state.value, apology_due_at=clocks.apology_due_at,
        resolution_due_at=clocks.resolution_due_at, follow_up_due_at=clocks.follow_up_due_at,
        next_due_at=clocks.next_due_at, urgency=left.urgency.value, time_left=left.text,
        breached_steps=[step.value for step in Step if clocks.breached(step)],
        allowed_actions=[action.value for action in complaint.allowed_actions],
    )  # fmt: skip


async def complaint_events(complaint_id: int, viewer: StaffMember) -> list[EventOut]:
    """The full history, oldest first, with the names of the staff who acted."""
    await check_visible(await get_complaint(complaint_id), viewer)
    entries = await history(complaint_id)
    names = await staff_names({e.actor_id for e in entries if e.actor_id is not None})
    return [
        EventOut(
            kind=e.kind, from_state=e.from_state, to_state=e.to_state, version=e.version,
            actor_id=e.actor_id, actor=names.get(e.actor_id) if e.actor_id else None,
            content=e.content, step=e.step, step_due_at=e.step_due_at, late=e.late,
            created_at=e.created_at,
        )
        for e in entries
    ]  # fmt: skip


async def add_visible_note(
    complaint_id: int, text: str, viewer: StaffMember, now: dt.datetime
) -> None:
    """An internal note; account managers may note only their own accounts' complaints."""
    await check_visible(await get_complaint(complaint_id), viewer)
    await add_note(complaint_id, text, viewer, now)
