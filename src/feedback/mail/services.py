"""The outbox: queue mail inside the caller's transaction; deliver due mail over SMTP, once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib

from feedback.config import Settings
from feedback.db import bound, transaction
from feedback.errors import ConfigurationError
from feedback.mail.tables import OutboxMessage

__all__ = [
    "DeliveryReport",
    "Mail",
    "MailContext",
    "SmtpServer",
    "cancel_unsent",
    "deliver_due",
    "post",
    "queue",
    "queue_many",
    "record_delivered",
    "retry_delay",
]

DEFAULT_SENDER = "feedback@localhost"
CLAIM_LEASE = dt.timedelta(minutes=10)
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=6)

INSERT_SQL = (
    'INSERT INTO outbox_message (dedupe_key, "to", subject, text_body, html_body, created_at, '
    "due_at, attempts, last_error, claimed_by, claimed_until, sent_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', '', NULL, NULL) ON CONFLICT (dedupe_key) DO NOTHING"
)
DELIVERED_SQL = (
    'INSERT INTO outbox_message (dedupe_key, "to", subject, text_body, html_body, created_at, '
    "due_at, attempts, last_error, claimed_by, claimed_until, sent_at) "
    "VALUES (?, ?, ?, '', '', ?, ?, 1, '', '', NULL, ?) ON CONFLICT (dedupe_key) DO NOTHING"
)
DUE_SQL = (
    "SELECT id FROM outbox_message WHERE sent_at IS NULL AND due_at <= {} "
    "AND (claimed_until IS NULL OR claimed_until < {}) ORDER BY due_at, id LIMIT {}"
)
CLAIM_SET = "UPDATE outbox_message SET claimed_by = {}, claimed_until = {} WHERE id IN "
CLAIM_RETURNING = (
    " AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < {}) "
    'RETURNING id, dedupe_key, "to", subject, text_body, html_body, attempts'
)
# PostgreSQL: concurrent deliverers lock disjoint rows (the CTE is evaluated once).
# SQLite: writers are serialised, and the WHERE clause is checked again on update.
CLAIM_SQL = {
    "postgres": "WITH due AS ("  # noqa: S608
    + DUE_SQL
    + " FOR UPDATE SKIP LOCKED) "
    + CLAIM_SET
    + "(SELECT id FROM due)"
    + CLAIM_RETURNING,
    "sqlite": CLAIM_SET + "(" + DUE_SQL + ")" + CLAIM_RETURNING,
}


@dataclass(frozen=True)
class Mail:
    """One message to queue; ``dedupe_key`` names the event, so it is queued only once."""

    dedupe_key: str
    to: str
    subject: str
    text_body: str
    html_body: str = ""
    due_at: dt.datetime | None = None


@dataclass(frozen=True)
class MailContext:
    """What every mail needs besides its own content: who sends it and where links point.

    ``delivered_elsewhere``: the mail went out another way (history loaded from elsewhere,
    such as the demo's past waves and complaints); the outbox records it as sent at its due
    time, without bodies, and never sends it.
    """

    base_url: str = ""
    company: str = "Customer Service"
    delivered_elsewhere: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> MailContext:
        return cls(base_url=settings.base_url)


@dataclass(frozen=True)
class DeliveryReport:
    claimed: int
    sent: int
    failed: int


@dataclass(frozen=True)
class SmtpServer:
    """Where to deliver: ``smtp://[user:password@]host[:port]`` or ``smtps://...``."""

    hostname: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ConfigurationError(
                f"FEEDBACK_SMTP_URL must look like smtp://host:port or smtps://host:port, "
                f"got {parts.scheme or '(no scheme)'}://{parts.hostname or ''}"
            )
        tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if tls else 25),
            use_tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


async def queue_many(mails: Iterable[Mail], now: dt.datetime) -> None:
    """Write messages to the outbox in the current transaction (one is opened if none is)."""
    rows = (
        (m.dedupe_key, m.to, m.subject, m.text_body, m.html_body, now, m.due_at or now)
        for m in mails
    )
    async with transaction():
        await bound().executemany(INSERT_SQL, rows)


async def post(mails: Iterable[Mail], context: MailContext, now: dt.datetime) -> None:
    """Queue the mails in the current transaction, or record them as delivered elsewhere."""
    await (record_delivered if context.delivered_elsewhere else queue_many)(mails, now)


async def queue(mail: Mail, now: dt.datetime) -> None:
    """Write one message to the outbox in the current transaction."""
    await queue_many([mail], now)


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait 1, 2, 4, ... minutes after each failed attempt, at most six hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


async def _claim(now: dt.datetime, batch: int) -> tuple[str, list[dict[str, Any]]]:
    claimant = secrets.token_hex(8)
    async with transaction():
        due = (now, now, batch)
        claim = (claimant, now + CLAIM_LEASE)
        args = (*due, *claim) if bound().kind == "postgres" else (*claim, *due)
        rows = await OutboxMessage.raw(CLAIM_SQL[bound().kind], *args, now)
    return claimant, sorted(rows, key=lambda row: row["id"])


def _email(row: dict[str, Any], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["to"]
    message["Subject"] = row["subject"]
    digest = hashlib.sha256(row["dedupe_key"].encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@{sender.rpartition('@')[2] or 'feedback'}>"
    message.set_content(row["text_body"])
    if row["html_body"]:
        message.add_alternative(row["html_body"], subtype="html")
    return message


async def _mark_sent(row: dict[str, Any], claimant: str, now: dt.datetime) -> None:
    # Bodies carry survey links; once delivered they are not kept.
    await OutboxMessage.raw(
        "UPDATE outbox_message SET sent_at = {}, attempts = attempts + 1, claimed_by = '', "
        "claimed_until = NULL, text_body = '', html_body = '' WHERE id = {} AND claimed_by = {}",
        now,
        row["id"],
        claimant,
    )


async def _mark_failed(row: dict[str, Any], claimant: str, now: dt.datetime, error: str) -> None:
    attempts = int(row["attempts"]) + 1
    await OutboxMessage.raw(
        "UPDATE outbox_message SET attempts = {}, last_error = {}, due_at = {}, claimed_by = '', "
        "claimed_until = NULL WHERE id = {} AND claimed_by = {}",
        attempts,
        error[:2000],
        now + retry_delay(attempts),
        row["id"],
        claimant,
    )


async def deliver_due(
    smtp_url: str, now: dt.datetime, batch: int = 100, sender: str = DEFAULT_SENDER
) -> DeliveryReport:
    """Claim up to ``batch`` due messages, send them, and record each outcome."""
    server = SmtpServer.from_url(smtp_url)
    claimant, rows = await _claim(now, batch)
    if not rows:
        return DeliveryReport(0, 0, 0)
    sent = 0
    client = aiosmtplib.SMTP(
        hostname=server.hostname, port=server.port, use_tls=server.use_tls, timeout=30
    )
    try:
        await client.connect(username=server.username, password=server.password)
    except (aiosmtplib.SMTPException, OSError) as exc:
        for row in rows:
            await _mark_failed(row, claimant, now, f"connect: {exc}")
        return DeliveryReport(len(rows), 0, len(rows))
    try:
        for row in rows:
            try:
                await client.send_message(_email(row, sender))
            except (aiosmtplib.SMTPException, OSError) as exc:
                await _mark_failed(row, claimant, now, str(exc))
                continue
            await _mark_sent(row, claimant, now)
            sent += 1
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
    return DeliveryReport(len(rows), sent, len(rows) - sent)


async def cancel_unsent(key_prefix: str) -> None:
    """Withdraw queued, unsent mail whose dedupe key starts with ``key_prefix``."""
    await OutboxMessage.raw(
        "DELETE FROM outbox_message WHERE sent_at IS NULL AND claimed_by = '' "
        "AND substr(dedupe_key, 1, {}) = {}",
        len(key_prefix),
        key_prefix,
    )


async def record_delivered(mails: Iterable[Mail], now: dt.datetime) -> None:
    """Write messages to the outbox as delivered at their due time, without sending them.

    For mail that went out another way (history loaded from elsewhere, such as the demo's
    past waves): the outbox shows it sent, as a delivery leaves it (no bodies kept), and
    never sends it again. Written in the current transaction, once per dedupe key.
    """
    rows = ((m.dedupe_key, m.to, m.subject, now, m.due_at or now, m.due_at or now) for m in mails)
    async with transaction():
        await bound().executemany(DELIVERED_SQL, rows)
