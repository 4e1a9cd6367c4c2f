"""Recording answers: a customer's through their link (once), or staff's from a call or visit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from feedback import links
from feedback.accounts.directory import (
    account_dimensions,
    account_id_for_code,
    contact_details,
    contact_ids_of_account,
    contact_language,
)
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.complaints.deadlines import DEFAULT_POLICY, SlaPolicy
from feedback.db import transaction
from feedback.errors import Conflict, InvalidInput, NotFound
from feedback.languages import DEFAULT_LANGUAGE
from feedback.links import claim_sql, token_hash
from feedback.surveys.complaint_intake import AnswerSource, open_if_called_for
from feedback.surveys.questionnaire import Answer, validate_answer
from feedback.surveys.services import WaveInfo, items_of, open_waves, wave_info
from feedback.surveys.tables import Channel, Invitation, Response, WaveStatus

__all__ = [
    "LinkNotUsable",
    "OpenInvitation",
    "RecordedAnswer",
    "StaffAnswer",
    "StaffAnswerChoices",
    "checked_answer",
    "open_invitation",
    "record_response",
    "record_staff_response",
    "staff_answer_choices",
    "wave_items",
]

LOOKUP_COLUMNS = (
    "i.id AS id, i.wave AS wave, i.account AS account, i.expires_at AS expires_at, "
    "i.responded_at AS responded_at, w.status AS status, w.period AS period, "
    "w.closes_on AS closes_on, q.version AS version, q.items AS items, i.contact AS contact"
)
LOOKUP_JOINS = "JOIN wave w ON w.id = i.wave JOIN questionnaire q ON q.id = w.questionnaire"
LOOKUP_SQL = (  # constant fragments only
    f"SELECT {LOOKUP_COLUMNS} FROM invitation i {LOOKUP_JOINS} WHERE i.token_hash = {{}} "  # noqa: S608
    f"UNION ALL SELECT {LOOKUP_COLUMNS} FROM reminder_link r "
    f"JOIN invitation i ON i.id = r.invitation {LOOKUP_JOINS} WHERE r.token_hash = {{}}"
)
CLAIM_SQL = claim_sql("invitation", "responded_at")


class LinkNotUsable(links.LinkNotUsable):
    link = "survey link"


@dataclass(frozen=True)
class OpenInvitation:
    """What the questionnaire page needs for a usable link."""

    invitation_id: int
    wave_id: int
    account_id: int
    contact_id: int
    period: str
    closes_on: dt.date
    language: str
    questionnaire_version: int
    items: list[dict[str, str]]


@dataclass(frozen=True)
class StaffAnswer:
    """An answer a customer gave staff by phone or on a visit, and whom it is from.

    ``contact_email`` names the contact who answered, whose invitation it uses up.
    """

    period: str
    account_code: str
    answer: Answer
    channel: Channel | str
    contact_email: str | None = None


@dataclass(frozen=True)
class RecordedAnswer:
    """A stored answer, and the complaint it opened (if any)."""

    response_id: int
    period: str
    account_code: str
    channel: Channel
    complaint_id: int | None


@dataclass(frozen=True)
class StaffAnswerChoices:
    """What the form for recording an answer offers: the account, its contacts, open waves."""

    account_code: str
    account_name: str
    tier: str
    contact_emails: list[str]
    periods: list[str]


async def _usable_invitation(token: str, now: dt.datetime) -> dict[str, Any]:
    rows = await Invitation.raw(LOOKUP_SQL, token_hash(token), token_hash(token))
    if not rows:
        raise LinkNotUsable
    row = rows[0]
    if row["responded_at"] is not None or row["expires_at"] <= now:
        raise LinkNotUsable
    if row["status"] != WaveStatus.open.value:
        raise LinkNotUsable
    return row


async def _language(contact_id: int) -> str:
    return await contact_language(contact_id) or DEFAULT_LANGUAGE


def _open(row: dict[str, Any], language: str) -> OpenInvitation:
    return OpenInvitation(
        invitation_id=row["id"],
        wave_id=row["wave"],
        account_id=row["account"],
        contact_id=row["contact"],
        period=row["period"],
        closes_on=row["closes_on"],
        language=language,
        questionnaire_version=row["version"],
        items=items_of(row),
    )


async def open_invitation(
    token: str, now: dt.datetime, language: str | None = None
) -> OpenInvitation:
    """The invitation a link names, if it may still be answered; reading records nothing.

    ``language`` is the page's language when the link already names one; otherwise the
    contact's is read.
    """
    row = await _usable_invitation(token, now)
    return _open(row, language or await _language(int(row["contact"])))


def checked_answer(answer: Answer, items: list[dict[str, str]]) -> Answer:
    """The answer cleaned for storing, or InvalidInput if it does not fit the questionnaire."""
    try:
        return validate_answer(answer, items)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def _response(answer: Answer, **fields: Any) -> Response:
    return Response(
        level=answer.level,
        quality=answer.aspects.get("quality"),
        delivery=answer.aspects.get("delivery"),
        service_attitude=answer.aspects.get("service_attitude"),
        value=answer.aspects.get("value"),
        comment=answer.comment,
        may_contact=answer.may_contact,
        **fields,
    )


async def record_response(
    token: str,
    answer: Answer,
    now: dt.datetime,
    policy: SlaPolicy = DEFAULT_POLICY,
    opened: OpenInvitation | None = None,
) -> int:
    """Store the customer's answer; exactly one answer per invitation, even under races.

    An answer that calls for it opens a complaint (``policy`` sets its deadlines) in the
    same transaction: both are stored, or neither. ``opened`` is the invitation the caller
    has just opened with this token, so that it is not looked up twice; the claim below
    still refuses a used or expired link.
    """
    # The contact's language only matters to the page, not to storing the answer.
    invitation = opened or _open(await _usable_invitation(token, now), DEFAULT_LANGUAGE)
    checked = checked_answer(answer, invitation.items)
    async with transaction():
        claimed = await Invitation.raw(CLAIM_SQL, now, invitation.invitation_id, now)
        if not claimed:
            raise LinkNotUsable
        rows = await Response.insert(
            _response(
                checked,
                invitation=invitation.invitation_id,
                wave=invitation.wave_id,
                account=invitation.account_id,
                questionnaire_version=invitation.questionnaire_version,
                channel=Channel.web,
                created_at=now,
            )
        )
        response_id = int(rows[0]["id"])
        source = AnswerSource(
            response_id, invitation.account_id, invitation.contact_id, invitation.period
        )
        await open_if_called_for(checked, source, now, policy)
    return response_id


async def _contacts_named(account_id: int, email: str) -> list[int]:
    contacts = await contact_ids_of_account(account_id, email=email)
    if not contacts:
        raise NotFound(f"{email} is not a contact of this account")
    return contacts


async def wave_items(wave: WaveInfo) -> list[dict[str, str]]:
    """The items of the questionnaire version a wave asks."""
    rows = await Invitation.raw(
        "SELECT items FROM questionnaire WHERE version = {}", wave.questionnaire_version
    )
    return items_of(rows[0])


async def _claim_contact_invitation(
    wave_id: int, account_id: int, contacts: list[int], now: dt.datetime
) -> int | None:
    rows = await (
        Invitation.update({Invitation.responded_at: now})
        .where(
            (Invitation.wave == wave_id)
            & (Invitation.account == account_id)
            & Invitation.responded_at.is_null()
            & Invitation.contact.is_in(contacts)
        )
        .returning(Invitation.id)
    )
    return int(rows[0]["id"]) if rows else None


async def _staff_answerable_wave(period: str) -> WaveInfo:
    wave = await wave_info(period)
    if wave.status == WaveStatus.planned:
        raise Conflict(f"the wave {wave.period} has not opened yet")
    if wave.status == WaveStatus.closed:
        raise Conflict(f"the wave {wave.period} is closed; its results are final")
    return wave


def _staff_channel(channel: str) -> Channel:
    if channel not in (Channel.phone.value, Channel.visit.value):
        raise InvalidInput("staff record answers given by phone or on a visit")
    return Channel(channel)


async def record_staff_response(
    given: StaffAnswer,
    recorder: StaffMember,
    now: dt.datetime,
    policy: SlaPolicy = DEFAULT_POLICY,
) -> RecordedAnswer:
    """Store an answer taken by phone or on a visit; it uses up the contact's link if given.

    Account managers record answers for their own accounts only.
    """
    account_code, contact_email = given.account_code, given.contact_email
    channel = _staff_channel(given.channel)
    wave = await _staff_answerable_wave(given.period)
    account_id = await account_id_for_code(account_code, managed_by=_manager_filter(recorder))
    checked = checked_answer(given.answer, await wave_items(wave))
    contacts = await _contacts_named(account_id, contact_email) if contact_email else []
    async with transaction():
        invitation = None
        if contact_email:
            invitation = await _claim_contact_invitation(wave.id, account_id, contacts, now)
            if invitation is None:
                raise Conflict(f"{contact_email} has no unanswered invitation in {wave.period}")
        rows = await Response.insert(
            _response(
                checked,
                invitation=invitation,
                wave=wave.id,
                account=account_id,
                questionnaire_version=wave.questionnaire_version,
                channel=channel,
                recorded_by=recorder.id,
                created_at=now,
            )
        )
        response_id = int(rows[0]["id"])
        source = AnswerSource(
            response_id, account_id, contacts[0] if contacts else None, wave.period
        )
        complaint_id = await open_if_called_for(checked, source, now, policy)
    return RecordedAnswer(response_id, wave.period, account_code, channel, complaint_id)


def _manager_filter(staff: StaffMember) -> int | None:
    return staff.id if staff.role is Role.account_manager else None


async def staff_answer_choices(account_code: str, viewer: StaffMember) -> StaffAnswerChoices:
    """The account (if the viewer may record for it), its contacts' emails and the open waves."""
    account_id = await account_id_for_code(account_code, managed_by=_manager_filter(viewer))
    account = (await account_dimensions([account_id]))[account_id]
    contacts = await contact_details(await contact_ids_of_account(account_id))
    return StaffAnswerChoices(
        account_code=account.code,
        account_name=account.name,
        tier=account.tier,
        contact_emails=sorted(c.email for c in contacts.values() if c.email),
        periods=[wave.period for wave in await open_waves()],
    )
