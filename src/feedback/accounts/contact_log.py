"""The contact log: visits, calls and emails with an account, and its contact standard."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Max

from feedback.accounts.contact_entries import CONTACT_KINDS, MAX_NOTES, MAX_PERSON
from feedback.accounts.directory import account_id_for_code
from feedback.accounts.roles import Role
from feedback.accounts.schemas import (
    ContactEntryIn,
    ContactEntryOut,
    ContactStandardOut,
    ContactTimeline,
    RequirementOut,
)
from feedback.accounts.staff import StaffMember
from feedback.accounts.standards import AccountStandard, account_standard, period_of
from feedback.accounts.tables import Contact, ContactLog
from feedback.config import ContactStandards
from feedback.db import transaction
from feedback.errors import InvalidInput

__all__ = [
    "contact_days",
    "contact_timeline",
    "record_contact",
    "standard_out",
    "standards_of",
]

TIMELINE_LENGTH = 50
# The longest period a standard counts in (a quarter) starts at most this many months back.
LONGEST_PERIOD_MONTHS = 3

# {which}: one entry (l.id = ...) or an account's latest (l.account = ... ORDER BY ... LIMIT ...).
ENTRY_SQL = """
SELECT l.id, l.kind, l.happened_on, l.person_met, l.notes, l.recorded_at,
  c.email AS contact_email, s.name AS done_by
FROM contact_log l
LEFT JOIN contact c ON c.id = l.contact
LEFT JOIN staff_user s ON s.id = l.done_by
WHERE {which}
"""
LATEST_SQL = ENTRY_SQL.format(
    which="l.account = {} ORDER BY l.happened_on DESC, l.id DESC LIMIT {}"
)
ONE_SQL = ENTRY_SQL.format(which="l.id = {}")


def _checked(entry: ContactEntryIn, today: dt.date) -> ContactEntryIn:
    kinds = ", ".join(CONTACT_KINDS)
    if entry.kind not in CONTACT_KINDS:
        raise InvalidInput(f"the kind of contact must be one of {kinds}, got {entry.kind!r}")
    if entry.happened_on > today:
        raise InvalidInput(
            f"{entry.happened_on.isoformat()} is after today; record a contact once it happened"
        )
    if len(entry.notes) > MAX_NOTES:
        raise InvalidInput(
            f"the notes are {len(entry.notes)} characters long; at most {MAX_NOTES} are kept"
        )
    if len(entry.person_met.strip()) > MAX_PERSON:
        raise InvalidInput(f"the person met is at most {MAX_PERSON} characters")
    return entry


async def _contact_met(account_id: int, email: str) -> tuple[int | None, str]:
    """The id and name of the account's contact with ``email``; none when no email is given."""
    if not email.strip():
        return None, ""
    row = await (
        Contact.select(Contact.id, Contact.name)
        .where(Contact.account == account_id)
        .where(WhereRaw("lower(email) = {}", email.strip().lower()))
        .first()
    )
    if row is None:
        raise InvalidInput(f"{email.strip()} is not a contact of this account")
    return int(row["id"]), str(row["name"])


async def record_contact(
    code: str, entry: ContactEntryIn, recorder: StaffMember, now: dt.datetime
) -> ContactEntryOut:
    """Record a visit, call or email with the account ``code``, done by ``recorder``.

    Account managers record contacts with their own accounts only; others are not found.
    """
    entry = _checked(entry, now.date())
    managed_by = recorder.id if recorder.role is Role.account_manager else None
    account_id = await account_id_for_code(code, managed_by=managed_by)
    contact_id, contact_name = await _contact_met(account_id, entry.contact_email)
    async with transaction():
        rows = await ContactLog.insert(
            ContactLog(
                account=account_id,
                kind=entry.kind,
                happened_on=entry.happened_on,
                contact=contact_id,
                person_met=entry.person_met.strip() or contact_name,
                done_by=recorder.id,
                notes=entry.notes.strip(),
                external_ref=f"entry-{uuid.uuid4().hex}",
                recorded_at=now,
            )
        )
    (entry_row,) = await ContactLog.raw(ONE_SQL, int(rows[0]["id"]))
    return msgspec.convert(entry_row, ContactEntryOut, strict=False)


async def _entries(account_id: int, limit: int) -> list[ContactEntryOut]:
    rows = await ContactLog.raw(LATEST_SQL, account_id, limit)
    return msgspec.convert(rows, list[ContactEntryOut], strict=False)


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def contact_days(
    account_ids: Collection[int], today: dt.date
) -> dict[int, dict[str, list[dt.date]]]:
    """Per account and kind, the contact days a standard counts on ``today``: those since the
    start of the longest period, and the last one before it."""
    if not account_ids:
        return {}
    since, _ = period_of(today, LONGEST_PERIOD_MONTHS)
    ids = sorted(account_ids)
    recent = await (
        ContactLog.select(ContactLog.account, ContactLog.kind, ContactLog.happened_on)
        .where(ContactLog.account.is_in(ids))
        .where(ContactLog.happened_on >= since)
        .where(ContactLog.happened_on <= today)
    )
    earlier = await (
        ContactLog.select(
            ContactLog.account, ContactLog.kind, Max(ContactLog.happened_on, alias="last")
        )
        .where(ContactLog.account.is_in(ids))
        .where(ContactLog.happened_on < since)
        .group_by(ContactLog.account, ContactLog.kind)
    )
    days: dict[int, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for row in recent:
        days[int(row["account"])][str(row["kind"])].append(_day(row["happened_on"]))
    for row in earlier:
        days[int(row["account"])][str(row["kind"])].append(_day(row["last"]))
    return {account: dict(kinds) for account, kinds in days.items()}


def standards_of(
    tiers: Mapping[int, str],
    days: Mapping[int, Mapping[str, list[dt.date]]],
    standards: ContactStandards,
    today: dt.date,
) -> dict[int, AccountStandard]:
    """Each account's standard on ``today``, from its tier and contact days."""
    return {
        account: account_standard(standards.of(tier), days.get(account, {}), today)
        for account, tier in tiers.items()
    }


def standard_out(standard: AccountStandard) -> ContactStandardOut:
    return ContactStandardOut(
        state=standard.state.value,
        last_visit=standard.last_visit,
        last_call=standard.last_call,
        requirements=[
            RequirementOut(
                kind=status.requirement.kind,
                count=status.requirement.count,
                period=status.requirement.period,
                period_start=status.period_start,
                period_end=status.period_end,
                done=status.done,
                last=status.last,
                state=status.state.value,
            )
            for status in standard.requirements
        ],
    )


async def contact_timeline(
    account_id: int, tier: str, standards: ContactStandards, today: dt.date
) -> ContactTimeline:
    """The account's latest contacts, newest first, and its standard on ``today``."""
    days = await contact_days([account_id], today)
    standard = standards_of({account_id: tier}, days, standards, today)[account_id]
    entries = await _entries(account_id, TIMELINE_LENGTH)
    return ContactTimeline(standard=standard_out(standard), entries=entries)
