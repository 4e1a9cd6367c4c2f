"""The outbox: queue mail inside the caller's transaction; deliver due mail over SMTP, once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib

from feedback.config import Settings
from feedback.db import bound, transaction
from feedback.errors import ConfigurationError
from feedback.mail.tables import OutboxAttachment, OutboxMessage

__all__ = [
    "Attachment",
    "DeliveryReport",
    "Mail",
    "MailContext",
    "MailState",
    "SmtpServer",
    "cancel_unsent",
    "deliver_due",
    "mail_states",
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

INSERT_INTO = (
    'INSERT INTO outbox_message (dedupe_key, "to", subject, text_body, html_body, created_at, '
    "due_at, attempts, last_error, claimed_by, claimed_until, sent_at) "
)
INSERT_SQL = (
    INSERT_INTO
    + "VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', '', NULL, NULL) ON CONFLICT (dedupe_key) DO NOTHING"
)
# One message with attachments: its id (no row when the event was queued before).
INSERT_RETURNING_SQL = INSERT_SQL.replace("?", "{}") + " RETURNING id"
ATTACHMENT_SQL = (
    "INSERT INTO outbox_attachment (message, filename, content_type, content) VALUES (?, ?, ?, ?)"
)
DELIVERED_SQL = (
    INSERT_INTO
    + "VALUES (?, ?, ?, '', '', ?, ?, 1, '', '', NULL, ?) ON CONFLICT (dedupe_key) DO NOTHING"
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
class Attachment:
    """A file sent with a mail: its name as the recipient sees it, its type and its bytes."""

    filename: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class Mail:
    """One message to queue; ``dedupe_key`` names the event, so it is queued only once."""

    dedupe_key: str
    to: str
    subject: str
    text_body: str
    html_body: str = ""
    due_at: dt.datetime | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class MailState:
    """Where a queued message is: when it was queued, sent (None: not yet), and the attempts
    and error of its delivery so far."""

    queued_at: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    last_error: str


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


def _row(mail: Mail, now: dt.datetime) -> tuple[object, ...]:
    return (mail.dedupe_key, mail.to, mail.subject, mail.text_body, mail.html_body, now,
            mail.due_at or now)  # fmt: skip


async def _queue_with_attachments(mail: Mail, now: dt.datetime) -> None:
    """One message and its attachments, in the current transaction; nothing when the event
    was queued before."""
    queued = await OutboxMessage.raw(INSERT_RETURNING_SQL, *_row(mail, now))
    if queued:
        message = queued[0]["id"]
        files = [(message, a.filename, a.content_type, a.content) for a in mail.attachments]
        await bound().executemany(ATTACHMENT_SQL, files)


async def queue_many(mails: Iterable[Mail], now: dt.datetime) -> None:
    """Write messages (and their attachments) to the outbox in the current transaction (one
    is opened if none is)."""
    mails = list(mails)
    async with transaction():
        plain = (_row(mail, now) for mail in mails if not mail.attachments)
        await bound().executemany(INSERT_SQL, plain)
        for mail in mails:
            if mail.attachments:
                await _queue_with_attachments(mail, now)


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


async def _attachments(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The attachments of the claimed messages, by message id, in the order they were queued."""
    if not rows:
        return {}
    found = (
        await OutboxAttachment.select()
        .where(OutboxAttachment.message.is_in([row["id"] for row in rows]))
        .order_by(OutboxAttachment.id)
    )
    by_message: dict[int, list[dict[str, Any]]] = {}
    for attachment in found:
        by_message.setdefault(int(attachment["message"]), []).append(attachment)
    return by_message


def _email(row: dict[str, Any], sender: str, attachments: list[dict[str, Any]]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["to"]
    message["Subject"] = row["subject"]
    digest = hashlib.sha256(row["dedupe_key"].encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@{sender.rpartition('@')[2] or 'feedback'}>"
    message.set_content(row["text_body"])
    if row["html_body"]:
        message.add_alternative(row["html_body"], subtype="html")
    for attachment in attachments:
        maintype, _, subtype = str(attachment["content_type"]).partition("/")
        message.add_attachment(
            bytes(attachment["content"]),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    return message


async def _mark_sent(row: dict[str, Any], claimant: str, now: dt.datetime) -> None:
    # Bodies carry survey links, attachments reports; once delivered they are not kept.
    async with transaction():
        await OutboxMessage.raw(
            "UPDATE outbox_message SET sent_at = {}, attempts = attempts + 1, claimed_by = '', "
            "claimed_until = NULL, text_body = '', html_body = '' "
            "WHERE id = {} AND claimed_by = {}",
            now,
            row["id"],
            claimant,
        )
        await OutboxAttachment.delete().where(OutboxAttachment.message == row["id"])


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
    attachments = await _attachments(rows)
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
                await client.send_message(_email(row, sender, attachments.get(row["id"], [])))
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


async def mail_states(keys: Collection[str]) -> dict[str, MailState]:
    """Where the messages of these dedupe keys are, by key (keys never queued left out)."""
    if not keys:
        return {}
    rows = await OutboxMessage.select(
        OutboxMessage.dedupe_key,
        OutboxMessage.created_at,
        OutboxMessage.sent_at,
        OutboxMessage.attempts,
        OutboxMessage.last_error,
    ).where(OutboxMessage.dedupe_key.is_in(sorted(set(keys))))
    return {
        row["dedupe_key"]: MailState(
            row["created_at"], row["sent_at"], int(row["attempts"]), row["last_error"]
        )
        for row in rows
    }
