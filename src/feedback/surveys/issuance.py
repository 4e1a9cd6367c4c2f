"""Issuing a wave's invitations in bulk, and reminding non-responders."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from feedback.accounts.directory import (
    ContactDetails,
    SurveyRecipient,
    contact_details,
    survey_recipients,
)
from feedback.db import bound, transaction
from feedback.errors import Conflict
from feedback.links import new_token, token_hash
from feedback.mail.services import Mail, MailContext, post
from feedback.progress import Report
from feedback.surveys.complaint_intake import accounts_not_to_survey
from feedback.surveys.messages import Recipient, render_survey_mail, survey_mail_subject
from feedback.surveys.services import WaveInfo, wave_info
from feedback.surveys.tables import Invitation, WaveStatus
from feedback.surveys.tokens import survey_link
from feedback.surveys.waves import (
    InvitationProgress,
    ReminderRule,
    closing_instant,
    reminder_due,
)

__all__ = ["IssuedLink", "issue_wave", "send_reminders", "write_links_csv"]

CHUNK = 5_000
INVITATION_SQL = (
    "INSERT INTO invitation (wave, account, contact, token_hash, created_at, expires_at, "
    "sent_at, reminders_sent, last_reminded_at, responded_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL)"
)
REMINDER_CANDIDATES_SQL = (
    "SELECT id, contact, sent_at, reminders_sent, last_reminded_at FROM invitation "
    "WHERE wave = {} AND responded_at IS NULL AND reminders_sent < {} AND expires_at > {} "
    "ORDER BY id"
)
# On PostgreSQL a second reminder run waits for the first and then sees its updates, so the
# two never remind anyone twice; SQLite's write transactions are serialised already.
LOCK_CANDIDATES = {"postgres": " FOR UPDATE", "sqlite": ""}


@dataclass(frozen=True)
class IssuedLink:
    account_code: str
    email: str
    link: str

    @property
    def token(self) -> str:
        """The link's token, as the survey page receives it."""
        return self.link.rpartition("/s/")[2]


@dataclass(frozen=True)
class Mailing:
    """What every mail of one batch of invitations or reminders shares."""

    kind: str
    wave: WaveInfo
    context: MailContext


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _mail(
    mailing: Mailing,
    key: str,
    contact: SurveyRecipient | ContactDetails,
    link: str,
    due_at: dt.datetime,
) -> Mail:
    wave, company = mailing.wave, mailing.context.company
    if mailing.context.delivered_elsewhere:
        subject = survey_mail_subject(
            mailing.kind, contact.language, wave.period, company, wave.closes_on
        )
        return Mail(key, contact.email, subject, "", "", due_at)
    recipient = Recipient(contact.name, contact.account_name, link, contact.language)
    text = render_survey_mail(mailing.kind, recipient, wave.period, company, wave.closes_on)
    return Mail(key, contact.email, text.subject, text.text, text.html, due_at)


async def _issue_chunk(
    recipients: list[SurveyRecipient], wave: WaveInfo, context: MailContext, now: dt.datetime
) -> list[IssuedLink]:
    expires_at = closing_instant(wave.closes_on)
    due_at = max(now, dt.datetime.combine(wave.opens_on, dt.time(0), tzinfo=dt.UTC))
    tokens = [new_token() for _ in recipients]
    await bound().executemany(
        INVITATION_SQL,
        (
            (wave.id, r.account_id, r.contact_id, token_hash(token), now, expires_at, due_at)
            for r, token in zip(recipients, tokens, strict=True)
        ),
    )
    links = [survey_link(context.base_url, token) for token in tokens]
    mailing = Mailing("invitation", wave, context)
    await post(
        (
            _mail(mailing, f"survey-invitation:{wave.id}:{r.contact_id}", r, link, due_at)
            for r, link in zip(recipients, links, strict=True)
        ),
        context,
        now,
    )
    return [
        IssuedLink(r.account_code, r.email, link) for r, link in zip(recipients, links, strict=True)
    ]


async def _invited_contacts(wave_id: int) -> set[int]:
    rows = await Invitation.raw("SELECT contact FROM invitation WHERE wave = {}", wave_id)
    return {int(row["contact"]) for row in rows}


async def issue_wave(
    period: str,
    now: dt.datetime,
    context: MailContext,
    links_csv: Path | None = None,
    report: Report | None = None,
) -> list[IssuedLink]:
    """Invite every opted-in contact of every account open today not yet invited to this wave.

    Accounts with an open complaint are not surveyed now; issuing the wave again after
    their complaint is closed invites them.
    Invitations and their queued mail commit together, in chunks of one transaction;
    ``report`` hears how many are issued of how many after each chunk.
    """
    wave = await wave_info(period)
    if wave.status == WaveStatus.closed:
        raise Conflict(f"the wave {wave.period} is closed; no more invitations")
    issued: list[IssuedLink] = []
    async with transaction():
        invited = await _invited_contacts(wave.id)
        recipients = [
            recipient
            for recipient in await survey_recipients(now.date(), await accounts_not_to_survey())
            if recipient.contact_id not in invited
        ]
        for chunk in _chunks(recipients):
            issued.extend(await _issue_chunk(chunk, wave, context, now))
            if report is not None:
                report(len(issued), len(recipients))
        await Invitation.raw(
            "UPDATE wave SET status = {}, issued_at = COALESCE(issued_at, {}) WHERE id = {}",
            WaveStatus.open.value,
            now,
            wave.id,
        )
    if links_csv is not None:
        write_links_csv(links_csv, issued)
    return issued


def write_links_csv(path: Path, links: Sequence[IssuedLink]) -> None:
    """``account_code,email,link`` for a mail merge outside the service."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_code", "email", "link"])
        writer.writerows((link.account_code, link.email, link.link) for link in links)


def _due(row: dict[str, Any], now: dt.datetime, closes_at: dt.datetime, rule: ReminderRule) -> bool:
    progress = InvitationProgress(
        sent_at=row["sent_at"],
        reminders_sent=int(row["reminders_sent"]),
        last_reminded_at=row["last_reminded_at"],
        responded=False,
    )
    return reminder_due(progress, now, closes_at, rule)


def _still_reachable(contact: ContactDetails | None, now: dt.datetime, held_back: set[int]) -> bool:
    """Consent withdrawn, the account closed or a complaint opened since: no reminder."""
    return (
        contact is not None
        and contact.survey_opt_in
        and contact.account_open_on(now.date())
        and contact.account_id not in held_back
    )


async def _due_reminders(
    wave: WaveInfo, now: dt.datetime, rule: ReminderRule
) -> list[dict[str, Any]]:
    """The wave's invitations due a reminder now (locked on PostgreSQL until the commit)."""
    rows = await Invitation.raw(
        REMINDER_CANDIDATES_SQL + LOCK_CANDIDATES[bound().kind], wave.id, rule.max_reminders, now
    )
    closes_at = closing_instant(wave.closes_on)
    return [row for row in rows if _due(row, now, closes_at, rule)]


async def _record_reminders(
    due: Sequence[dict[str, Any]], tokens: Sequence[str], now: dt.datetime
) -> None:
    """A fresh link for each reminder, and one more reminder counted on its invitation."""
    await bound().executemany(
        "INSERT INTO reminder_link (invitation, token_hash, created_at) VALUES (?, ?, ?)",
        ((row["id"], token_hash(token), now) for row, token in zip(due, tokens, strict=True)),
    )
    await bound().executemany(
        "UPDATE invitation SET reminders_sent = reminders_sent + 1, last_reminded_at = ? "
        "WHERE id = ?",
        ((now, row["id"]) for row in due),
    )


async def send_reminders(
    period: str, now: dt.datetime, context: MailContext, rule: ReminderRule | None = None
) -> int:
    """Queue a reminder, with a fresh link, to every non-responder the rule says is due."""
    rule = rule or ReminderRule()
    wave = await wave_info(period)
    if wave.status != WaveStatus.open:
        raise Conflict(f"the wave {wave.period} is {wave.status}; reminders go out only while open")
    async with transaction():
        due = await _due_reminders(wave, now, rule)
        contacts = await contact_details({int(row["contact"]) for row in due})
        held_back = await accounts_not_to_survey()
        due = [
            row
            for row in due
            if _still_reachable(contacts.get(int(row["contact"])), now, held_back)
        ]
        tokens = [new_token() for _ in due]
        await _record_reminders(due, tokens, now)
        mailing = Mailing("reminder", wave, context)
        await post(
            (
                _mail(
                    mailing,
                    f"survey-reminder:{wave.id}:{row['id']}:{row['reminders_sent'] + 1}",
                    contacts[int(row["contact"])],
                    survey_link(context.base_url, token),
                    now,
                )
                for row, token in zip(due, tokens, strict=True)
            ),
            context,
            now,
        )
    return len(due)
