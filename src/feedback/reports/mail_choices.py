"""Staff members' choices about mailed reports: on or off, and the language (use cases; the
only code touching report_mail_choice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from feedback.accounts.staff import StaffMember
from feedback.db import transaction
from feedback.errors import InvalidInput
from feedback.languages import DEFAULT_LANGUAGE, LANGUAGES
from feedback.reports.schemas import ReportMailIn, ReportMailOut
from feedback.reports.tables import ReportMailChoice
from feedback.web.logs import security_log

__all__ = ["DEFAULT_CHOICE", "mail_choice", "mail_choices", "set_mail_choice"]

# Without a choice of their own, a member's reports are mailed in English.
DEFAULT_CHOICE = ReportMailOut(mailed=True, language=DEFAULT_LANGUAGE)
CHOOSE_SQL = (
    "INSERT INTO report_mail_choice (member, mailed, language, changed_at) "
    "VALUES ({}, {}, {}, {}) ON CONFLICT (member) DO UPDATE SET mailed = excluded.mailed, "
    "language = excluded.language, changed_at = excluded.changed_at"
)


async def mail_choices(member_ids: Collection[int]) -> dict[int, ReportMailOut]:
    """The choices of these members, by id; a member who chose nothing gets DEFAULT_CHOICE."""
    if not member_ids:
        return {}
    rows = await ReportMailChoice.select().where(
        ReportMailChoice.member.is_in(sorted(set(member_ids)))
    )
    chosen = {int(row["member"]): ReportMailOut(row["mailed"], row["language"]) for row in rows}
    return {member: chosen.get(member, DEFAULT_CHOICE) for member in member_ids}


async def mail_choice(member: StaffMember) -> ReportMailOut:
    return (await mail_choices([member.id]))[member.id]


async def set_mail_choice(
    member: StaffMember, choice: ReportMailIn, now: dt.datetime
) -> ReportMailOut:
    """Record the member's own choice; it holds from the next report due on."""
    if choice.language not in LANGUAGES:
        raise InvalidInput(
            f"reports are mailed in {' or '.join(LANGUAGES)}, not {choice.language!r}"
        )
    async with transaction():
        await ReportMailChoice.raw(CHOOSE_SQL, member.id, choice.mailed, choice.language, now)
    security_log.info(
        "mailed reports turned %s by %s (%s)",
        "on" if choice.mailed else "off", member.email, choice.language,
    )  # fmt: skip
    return ReportMailOut(choice.mailed, choice.language)
