"""The outbox against a real SMTP server: nothing lost, nothing sent twice."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from feedback.db import Database, transaction
from feedback.mail.services import (
    Attachment,
    Mail,
    SmtpServer,
    deliver_due,
    mail_states,
    queue,
    queue_many,
    record_delivered,
    retry_delay,
)
from feedback.mail.tables import OutboxAttachment, OutboxMessage
from tests.conftest import NOW
from tests.support.mail import SmtpServerFixture


def _mail(n: int) -> Mail:
    return Mail(f"test:{n}", f"c{n}@example.com", f"Subject {n}", f"text {n}", f"<p>html {n}</p>")


async def test_queued_mail_is_delivered_once_with_text_and_html(
    db: Database, smtp: SmtpServerFixture
) -> None:
    async with transaction():
        await queue_many([_mail(n) for n in range(5)], NOW)
    report = await deliver_due(smtp.url, NOW, batch=100)
    assert (report.claimed, report.sent, report.failed) == (5, 5, 0)
    assert sorted(m["To"] for m in smtp.inbox.messages) == [f"c{n}@example.com" for n in range(5)]
    first = next(m for m in smtp.inbox.messages if m["To"] == "c0@example.com")
    parts = {part.get_content_type(): part.get_payload(decode=True) for part in first.walk()}
    assert parts["text/plain"].strip() == b"text 0"
    assert parts["text/html"].strip() == b"<p>html 0</p>"
    again = await deliver_due(smtp.url, NOW + dt.timedelta(hours=1))
    assert again.claimed == 0
    assert len(smtp.inbox.messages) == 5
    rows = await OutboxMessage.select().where(OutboxMessage.sent_at.is_null())
    assert rows == []
    sent = await OutboxMessage.select(OutboxMessage.text_body, OutboxMessage.attempts)
    assert {(row["text_body"], row["attempts"]) for row in sent} == {("", 1)}


async def test_attachments_are_stored_with_their_mail_sent_once_then_dropped(
    db: Database, smtp: SmtpServerFixture
) -> None:
    pdf = b"%PDF-1.7\n\x00\xff binary bytes"
    files = (Attachment("report-1.pdf", pdf), Attachment("b.txt", b"b", "text/plain"))
    with_file = Mail("file:1", "f@x.com", "A file", "See it.", "<p>See it.</p>", attachments=files)
    async with transaction():
        await queue_many([_mail(1), with_file], NOW)
        await queue(with_file, NOW)  # the same event: neither the mail nor its files twice
    assert (await OutboxMessage.count(), await OutboxAttachment.count()) == (2, 2)
    smtp.stop()
    await deliver_due(smtp.url, NOW)
    assert await OutboxAttachment.count() == 2  # kept until the mail is delivered
    states = await mail_states(["file:1", "unknown"])
    assert list(states) == ["file:1"]
    assert (states["file:1"].sent_at, states["file:1"].attempts) == (None, 1)
    assert states["file:1"].last_error
    smtp.start()
    assert (await deliver_due(smtp.url, NOW + dt.timedelta(minutes=1))).sent == 2
    message = next(m for m in smtp.inbox.messages if m["To"] == "f@x.com")
    files = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert list(files) == ["report-1.pdf", "b.txt"]
    assert files["report-1.pdf"].get_content_type() == "application/pdf"
    assert files["report-1.pdf"].get_payload(decode=True) == pdf
    parts = [part.get_content_type() for part in message.walk()]
    assert parts[:4] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html"]
    assert await OutboxAttachment.count() == 0
    assert (await mail_states(["file:1"]))["file:1"].sent_at == NOW + dt.timedelta(minutes=1)


async def test_mail_queued_in_a_failed_transaction_is_never_sent(db: Database) -> None:
    async def queue_then_fail() -> None:
        async with transaction():
            await queue(_mail(1), NOW)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await queue_then_fail()
    assert await OutboxMessage.count() == 0


async def test_the_same_event_is_queued_only_once(db: Database) -> None:
    await queue(_mail(1), NOW)
    await queue(_mail(1), NOW)
    assert await OutboxMessage.count() == 1


async def test_mail_not_yet_due_waits(db: Database, smtp: SmtpServerFixture) -> None:
    later = Mail("later", "x@example.com", "s", "t", due_at=NOW + dt.timedelta(days=1))
    await queue(later, NOW)
    assert (await deliver_due(smtp.url, NOW)).claimed == 0
    assert (await deliver_due(smtp.url, NOW + dt.timedelta(days=1))).sent == 1


async def test_an_smtp_outage_delays_mail_but_loses_and_doubles_none(
    db: Database, smtp: SmtpServerFixture
) -> None:
    await queue_many([_mail(n) for n in range(6)], NOW)
    assert (await deliver_due(smtp.url, NOW, batch=2)).sent == 2
    smtp.stop()
    outage = await deliver_due(smtp.url, NOW, batch=100)
    assert (outage.claimed, outage.sent, outage.failed) == (4, 0, 4)
    failed = await OutboxMessage.select().where(OutboxMessage.sent_at.is_null())
    assert {row["attempts"] for row in failed} == {1}
    assert {row["due_at"] for row in failed} == {NOW + dt.timedelta(minutes=1)}
    assert all(row["last_error"] for row in failed)
    assert (await deliver_due(smtp.url, NOW + dt.timedelta(seconds=30))).claimed == 0
    smtp.start()
    retry = await deliver_due(smtp.url, NOW + dt.timedelta(minutes=1), batch=100)
    assert (retry.claimed, retry.sent) == (4, 4)
    ids = smtp.inbox.message_ids()
    assert len(ids) == 6
    assert len(set(ids)) == 6
    assert await OutboxMessage.count().where(OutboxMessage.sent_at.is_null()) == 0


async def test_concurrent_deliverers_never_send_a_message_twice(
    db: Database, smtp: SmtpServerFixture
) -> None:
    await queue_many([_mail(n) for n in range(40)], NOW)
    reports = await asyncio.gather(*(deliver_due(smtp.url, NOW, batch=15) for _ in range(4)))
    assert sum(report.sent for report in reports) == 40
    while (await deliver_due(smtp.url, NOW, batch=15)).claimed:
        pass
    ids = smtp.inbox.message_ids()
    assert len(ids) == 40
    assert len(set(ids)) == 40


async def test_mail_delivered_elsewhere_is_recorded_sent_and_never_sent_again(
    db: Database, smtp: SmtpServerFixture
) -> None:
    past = [Mail(f"past:{n}", f"p{n}@x.com", "s", "t", "<p>h</p>", NOW - dt.timedelta(days=n))
            for n in (1, 2)]  # fmt: skip
    async with transaction():
        await record_delivered(past, NOW)
        await queue(Mail("due", "d@x.com", "s", "t", due_at=NOW), NOW)
    await record_delivered(past, NOW)  # once per event, as queued mail
    rows = {row["dedupe_key"]: row for row in await OutboxMessage.select()}
    assert set(rows) == {"past:1", "past:2", "due"}
    for mail in past:
        row = rows[mail.dedupe_key]
        assert (row["sent_at"], row["due_at"], row["attempts"]) == (mail.due_at, mail.due_at, 1)
        assert (row["to"], row["subject"], row["text_body"], row["html_body"]) == (
            mail.to,
            "s",
            "",
            "",
        )
    report = await deliver_due(smtp.url, NOW + dt.timedelta(days=1))
    assert (report.claimed, report.sent) == (1, 1)
    assert [m["To"] for m in smtp.inbox.messages] == ["d@x.com"]


def test_retry_delays_double_up_to_six_hours() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(30) == dt.timedelta(hours=6)


def test_smtp_urls_are_read_with_defaults() -> None:
    plain = SmtpServer.from_url("smtp://mail.example.com")
    assert (plain.hostname, plain.port, plain.use_tls, plain.username) == (
        "mail.example.com",
        25,
        False,
        None,
    )
    secure = SmtpServer.from_url("smtps://u%40x:p%2Fw@mail.example.com")
    assert (secure.port, secure.use_tls, secure.username, secure.password) == (
        465,
        True,
        "u@x",
        "p/w",
    )
