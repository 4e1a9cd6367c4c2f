"""Recording many answers to one wave at once (answers gathered earlier), all or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from feedback.db import bound, transaction
from feedback.errors import Conflict, InvalidInput
from feedback.links import token_hash
from feedback.surveys.answers import LinkNotUsable, checked_answer, wave_items
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import WaveInfo, wave_info
from feedback.surveys.tables import Channel, Invitation, WaveStatus

__all__ = ["BatchAnswer", "record_answers"]

# Hashes per IN (...) list: well under SQLite's and asyncpg's parameter limits.
HASHES_PER_QUERY = 1_000
INVITATIONS_SQL = (
    "SELECT i.token_hash AS token_hash, i.id AS id, i.account AS account, "
    "i.expires_at AS expires_at, i.responded_at AS responded_at FROM invitation i "
    "WHERE i.wave = {} AND i.token_hash IN "
)
REMINDER_LINKS_SQL = (
    "SELECT r.token_hash AS token_hash, i.id AS id, i.account AS account, "
    "i.expires_at AS expires_at, i.responded_at AS responded_at FROM reminder_link r "
    "JOIN invitation i ON i.id = r.invitation WHERE i.wave = {} AND r.token_hash IN "
)
# PostgreSQL: hold the invitations until commit, so no concurrent answer can use them too.
# SQLite: the write transaction is IMMEDIATE, so no other writer runs meanwhile.
ROW_LOCK = {"postgres": " FOR UPDATE OF i", "sqlite": ""}
CLAIM_SQL = "UPDATE invitation SET responded_at = ? WHERE id = ? AND responded_at IS NULL"
INSERT_SQL = (
    "INSERT INTO response (invitation, wave, account, questionnaire_version, level, quality, "
    "delivery, service_attitude, value, comment, may_contact, channel, recorded_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class BatchAnswer:
    """One answer given through a link at ``answered_at``; by phone or on a visit, staff's."""

    token: str
    answer: Answer
    answered_at: dt.datetime
    channel: str = Channel.web.value  # web, phone or visit
    recorded_by: int | None = None


def _checked(number: int, entry: BatchAnswer, items: list[dict[str, str]]) -> Answer:
    if entry.channel not in Channel.__members__:
        raise InvalidInput(f"answer {number}: the channel is web, phone or visit")
    if (entry.channel == Channel.web.value) != (entry.recorded_by is None):
        raise InvalidInput(
            f"answer {number}: phone and visit answers name the staff member who recorded "
            "them, web answers name none"
        )
    try:
        return checked_answer(entry.answer, items)
    except InvalidInput as exc:
        raise InvalidInput(f"answer {number}: {exc}") from exc


def _chunks(hashes: Sequence[str]) -> Iterator[list[str]]:
    iterator = iter(hashes)
    while chunk := list(islice(iterator, HASHES_PER_QUERY)):
        yield chunk


async def _invitations(wave_id: int, hashes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The invitations the hashed links name (invitation or reminder links), locked."""
    found: dict[str, dict[str, Any]] = {}
    lock = ROW_LOCK[bound().kind]
    for chunk in _chunks(hashes):
        values = "(" + ", ".join("{}" for _ in chunk) + ")"
        for sql in (INVITATIONS_SQL, REMINDER_LINKS_SQL):
            rows = await Invitation.raw(sql + values + lock, wave_id, *chunk)
            found.update((row["token_hash"], row) for row in rows)
    return found


def _claimable(
    batch: Sequence[BatchAnswer], hashes: Sequence[str], found: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each entry's invitation, if every link is usable at its answer's time and used once."""
    invitations = [found.get(hashed) for hashed in hashes]
    claimed: set[int] = set()
    for entry, invitation in zip(batch, invitations, strict=True):
        if (
            invitation is None
            or invitation["responded_at"] is not None
            or invitation["expires_at"] <= entry.answered_at
            or invitation["id"] in claimed
        ):
            raise LinkNotUsable
        claimed.add(invitation["id"])
    return invitations  # type: ignore[return-value]


def _response_row(
    entry: BatchAnswer, answer: Answer, invitation: dict[str, Any], wave: WaveInfo
) -> tuple[Any, ...]:
    aspects = answer.aspects
    return (invitation["id"], wave.id, invitation["account"], wave.questionnaire_version,
            answer.level, aspects.get("quality"), aspects.get("delivery"),
            aspects.get("service_attitude"), aspects.get("value"), answer.comment,
            answer.may_contact, entry.channel, entry.recorded_by,
            entry.answered_at)  # fmt: skip


async def record_answers(period: str, batch: Sequence[BatchAnswer]) -> int:
    """Store a batch of answers to one open wave in one transaction: every one, or none.

    The same rules as one answer at a time: each answer must fit the wave's questionnaire,
    and each link is used once (a link unknown, already used, expired at the time of its
    answer or named twice fails the whole batch with LinkNotUsable).
    Answers gathered earlier are history, not news: they open no complaints (a complaint's
    deadlines run from when it is received, so one opened now for an old answer would be
    breached at birth); staff raise one by hand where an old answer still calls for it.
    """
    wave = await wave_info(period)
    if wave.status != WaveStatus.open:
        raise Conflict(f"the wave {wave.period} is {wave.status}; answers are taken while open")
    items = await wave_items(wave)
    answers = [_checked(n, entry, items) for n, entry in enumerate(batch, start=1)]
    hashes = [token_hash(entry.token) for entry in batch]
    async with transaction():
        invitations = _claimable(batch, hashes, await _invitations(wave.id, hashes))
        await bound().executemany(
            CLAIM_SQL,
            ((entry.answered_at, row["id"]) for entry, row in zip(batch, invitations, strict=True)),
        )
        await bound().executemany(
            INSERT_SQL,
            (
                _response_row(entry, answer, row, wave)
                for entry, answer, row in zip(batch, answers, invitations, strict=True)
            ),
        )
    return len(batch)
