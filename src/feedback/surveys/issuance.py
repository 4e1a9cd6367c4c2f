"""Issuing a wave's invitations in bulk, and reminding non-responders."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from feedback.db import bound, transaction
from feedback.errors import Conflict
from feedback.mail.services import Mail, queue_many
from feedback.surveys.messages import Recipient, render_survey_mail
from feedback.surveys.services import WaveInfo, wave_info
from feedback.surveys.tables import Invitation, WaveStatus
from feedback.surveys.tokens import new_token, survey_link, token_hash
from feedback.surveys.waves import (
    InvitationProgress,
    ReminderRule,
    closing_instant,
    reminder_due,
)

__all__ = ["IssuedLink", "MailContext", "issue_wave", "send_reminders", "write_links_csv"]

CHUNK = 5_000
RECIPIENTS_SQL = (
    "SELECT c.id AS contact, c.account AS account, c.email AS email, c.name AS name, "
    "c.language AS language, a.code AS code, a.name AS account_name "
    "FROM contact c JOIN account a ON a.id = c.account "
    "WHERE a.status = 'active' AND c.survey_opt_in = {} AND c.email <> '' "
    "AND NOT EXISTS (SELECT 1 FROM invitation i WHERE i.wave = {} AND i.contact = c.id) "
    "ORDER BY a.code, c.email"
)
INVITATION_SQL = (
    "INSERT INTO invitation (wave, account, contact, token_hash, created_at, expires_at, "
    "sent_at, reminders_sent, last_reminded_at, responded_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL)"
)
REMINDER_CANDIDATES_SQL = (
    "SELECT i.id AS id, i.sent_at AS sent_at, i.reminders_sent AS reminders_sent, "
    "i.last_reminded_at AS last_reminded_at, c.email AS email, c.name AS name, "
    "c.language AS language, a.name AS account_name "
    "FROM invitation i JOIN contact c ON c.id = i.contact JOIN account a ON a.id = i.account "
    "WHERE i.wave = {} AND i.responded_at IS NULL AND i.reminders_sent < {} "
    "AND i.expires_at > {} AND c.survey_opt_in = {} AND a.status = 'active' ORDER BY i.id"
)


@dataclass(frozen=True)
class IssuedLink:
    account_code: str
    email: str
    link: str


@dataclass(frozen=True)
class MailContext:
    """What the survey mails need from the settings."""

    base_url: str
    company: str = "Customer Service"


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _mail(
    kind: str,
    key: str,
    row: dict[str, Any],
    link: str,
    wave: WaveInfo,
    context: MailContext,
    due_at: dt.datetime,
) -> Mail:
    recipient = Recipient(row["name"], row["account_name"], link, row["language"])
    text = render_survey_mail(kind, recipient, wave.period, context.company, wave.closes_on)
    return Mail(key, row["email"], text.subject, text.text, text.html, due_at)


async def _issue_chunk(
    rows: list[dict[str, Any]], wave: WaveInfo, context: MailContext, now: dt.datetime
) -> list[IssuedLink]:
    expires_at = closing_instant(wave.closes_on)
    due_at = max(now, dt.datetime.combine(wave.opens_on, dt.time(0), tzinfo=dt.UTC))
    tokens = [new_token() for _ in rows]
    await bound().executemany(
        INVITATION_SQL,
        (
            (wave.id, row["account"], row["contact"], token_hash(token), now, expires_at, due_at)
            for row, token in zip(rows, tokens, strict=True)
        ),
    )
    links = [survey_link(context.base_url, token) for token in tokens]
    await queue_many(
        (
            _mail(
                "invitation",
                f"survey-invitation:{wave.id}:{row['contact']}",
                row,
                link,
                wave,
                context,
                due_at,
            )
            for row, link in zip(rows, links, strict=True)
        ),
        now,
    )
    return [
        IssuedLink(row["code"], row["email"], link) for row, link in zip(rows, links, strict=True)
    ]


async def issue_wave(
    period: str,
    now: dt.datetime,
    context: MailContext,
    links_csv: Path | None = None,
    skip_accounts: Collection[int] = (),
) -> list[IssuedLink]:
    """Invite every opted-in contact of every active account not yet invited to this wave.

    ``skip_accounts`` holds accounts that must not be surveyed now (an open complaint).
    Invitations and their queued mail commit together, in chunks of one transaction.
    """
    wave = await wave_info(period)
    if wave.status == WaveStatus.closed:
        raise Conflict(f"the wave {wave.period} is closed; no more invitations")
    skipped = set(skip_accounts)
    issued: list[IssuedLink] = []
    async with transaction():
        rows = await Invitation.raw(RECIPIENTS_SQL, True, wave.id)
        rows = [row for row in rows if row["account"] not in skipped]
        for chunk in _chunks(rows):
            issued.extend(await _issue_chunk(chunk, wave, context, now))
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


async def send_reminders(
    period: str, now: dt.datetime, context: MailContext, rule: ReminderRule | None = None
) -> int:
    """Queue a reminder, with a fresh link, to every non-responder the rule says is due."""
    rule = rule or ReminderRule()
    wave = await wave_info(period)
    if wave.status != WaveStatus.open:
        raise Conflict(f"the wave {wave.period} is {wave.status}; reminders go out only while open")
    closes_at = closing_instant(wave.closes_on)
    async with transaction():
        rows = await Invitation.raw(REMINDER_CANDIDATES_SQL, wave.id, rule.max_reminders, now, True)
        due = [row for row in rows if _due(row, now, closes_at, rule)]
        tokens = [new_token() for _ in due]
        await bound().executemany(
            "INSERT INTO reminder_link (invitation, token_hash, created_at) VALUES (?, ?, ?)",
            ((row["id"], token_hash(token), now) for row, token in zip(due, tokens, strict=True)),
        )
        await bound().executemany(
            "UPDATE invitation SET reminders_sent = reminders_sent + 1, last_reminded_at = ? "
            "WHERE id = ?",
            ((now, row["id"]) for row in due),
        )
        await queue_many(
            (
                _mail(
                    "reminder",
                    f"survey-reminder:{wave.id}:{row['id']}:{row['reminders_sent'] + 1}",
                    row,
                    survey_link(context.base_url, token),
                    wave,
                    context,
                    now,
                )
                for row, token in zip(due, tokens, strict=True)
            ),
            now,
        )
    return len(due)
