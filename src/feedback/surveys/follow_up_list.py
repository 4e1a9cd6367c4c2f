"""The follow-up list: answers someone must act on, kept until handled (who, when, a note)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Where

from feedback.accounts.directory import account_dimensions, account_ids_managed_by, contact_details
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember, staff_names
from feedback.db import transaction
from feedback.errors import Conflict, InvalidInput, NotFound
from feedback.surveys.follow_ups import FollowUpStatus, follow_up_reason
from feedback.surveys.questionnaire import Answer
from feedback.surveys.schemas import MAX_NOTE, FollowUpOut, FollowUpPage
from feedback.surveys.tables import FollowUp

__all__ = ["MAX_PAGE", "FollowUpQuery", "list_follow_ups", "mark_handled", "open_if_needed"]

MAX_PAGE = 200
HANDLE_SQL = (
    "UPDATE follow_up SET status = {}, handled_at = {}, handled_by = {}, note = {} "
    "WHERE id = {} AND status = {} RETURNING id"
)


@dataclass(frozen=True)
class FollowUpQuery:
    """Which items to list: by status, optionally only the viewer's own accounts, paged."""

    status: FollowUpStatus = FollowUpStatus.open
    mine: bool = False
    after: int | None = None
    limit: int = 50


async def open_if_needed(
    answer: Answer, response_id: int, account_id: int, now: dt.datetime
) -> int | None:
    """Put the answer on the list if the rule says so; call inside the answer's transaction."""
    reason = follow_up_reason(answer)
    if reason is None:
        return None
    rows = await FollowUp.insert(
        FollowUp(response=response_id, account=account_id, reason=reason, created_at=now)
    )
    return int(rows[0]["id"])


async def _portfolio(viewer: StaffMember, mine: bool) -> list[int] | None:
    """The accounts the viewer may (or asked to) see; None means all of them."""
    if viewer.role is Role.account_manager or mine:
        return await account_ids_managed_by(viewer.id)
    return None


def _columns() -> list[Any]:
    response = FollowUp.response
    return [
        *FollowUp.all_columns(exclude=[FollowUp.response]),
        response.level.as_alias("level"),
        response.comment.as_alias("comment"),
        response.may_contact.as_alias("may_contact"),
        response.channel.as_alias("channel"),
        response.recorded_by.as_alias("recorded_by"),
        response._.wave._.period.as_alias("period"),
        response._.invitation._.contact.as_alias("contact"),
    ]


async def _anchor(after: int) -> Where | Any:
    anchor = await FollowUp.select(FollowUp.created_at).where(FollowUp.id == after).first()
    if anchor is None:
        raise InvalidInput("the page cursor does not name a follow-up")
    return (FollowUp.created_at > anchor["created_at"]) | (
        (FollowUp.created_at == anchor["created_at"]) & (FollowUp.id > after)
    )


async def _items(rows: Sequence[dict[str, Any]]) -> list[FollowUpOut]:
    accounts = await account_dimensions({int(row["account"]) for row in rows})
    contacts = await contact_details({int(row["contact"]) for row in rows if row["contact"]})
    names = await staff_names(
        {int(row[key]) for row in rows for key in ("handled_by", "recorded_by") if row[key]}
    )
    items = []
    for row in rows:
        account = accounts[int(row["account"])]
        contact = contacts.get(int(row["contact"])) if row["contact"] else None
        items.append(
            FollowUpOut(
                id=int(row["id"]),
                account_code=account.code,
                account_name=account.name,
                contact_email=contact.email if contact else None,
                contact_name=contact.name if contact else None,
                period=row["period"],
                level=int(row["level"]),
                comment=row["comment"],
                may_contact=bool(row["may_contact"]),
                channel=row["channel"],
                recorded_by=names.get(row["recorded_by"]) if row["recorded_by"] else None,
                reason=row["reason"],
                status=row["status"],
                created_at=row["created_at"],
                handled_at=row["handled_at"],
                handled_by=names.get(row["handled_by"]) if row["handled_by"] else None,
                note=row["note"],
            )
        )
    return items


async def list_follow_ups(query: FollowUpQuery, viewer: StaffMember) -> FollowUpPage:
    """Items oldest first; account managers see only their own accounts' items."""
    if not 1 <= query.limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    clauses: list[Any] = [FollowUp.status == query.status.value]
    portfolio = await _portfolio(viewer, query.mine)
    if portfolio is not None:
        if not portfolio:
            return FollowUpPage(items=[], next_cursor=None)
        clauses.append(FollowUp.account.is_in(portfolio))
    if query.after is not None:
        clauses.append(await _anchor(query.after))
    rows = await (
        FollowUp.select(*_columns())
        .where(*clauses)
        .order_by(FollowUp.created_at, FollowUp.id)
        .limit(query.limit + 1)
    )
    items = await _items(rows[: query.limit])
    return FollowUpPage(items=items, next_cursor=items[-1].id if len(rows) > query.limit else None)


async def _visible(follow_up_id: int, viewer: StaffMember) -> dict[str, Any]:
    row = await FollowUp.select(*_columns()).where(FollowUp.id == follow_up_id).first()
    portfolio = await _portfolio(viewer, mine=False)
    if row is None or (portfolio is not None and int(row["account"]) not in portfolio):
        raise NotFound(f"no follow-up {follow_up_id}")
    return row


async def mark_handled(
    follow_up_id: int, note: str, viewer: StaffMember, now: dt.datetime
) -> FollowUpOut:
    """Close an open item with a note; of two staff handling it at once, one wins."""
    note = note.replace("\r\n", "\n").strip()
    if not note:
        raise InvalidInput("write a note saying what was done")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"the note is longer than {MAX_NOTE} characters")
    await _visible(follow_up_id, viewer)
    async with transaction():
        won = await FollowUp.raw(
            HANDLE_SQL,
            FollowUpStatus.handled.value,
            now,
            viewer.id,
            note,
            follow_up_id,
            FollowUpStatus.open.value,
        )
    if not won:
        raise Conflict(f"follow-up {follow_up_id} has already been handled")
    return (await _items([await _visible(follow_up_id, viewer)]))[0]
