"""Answers wave by wave: arrays of every account for scoring, one account's for its report,
and the drops a manager's portfolio answered lately."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from feedback.accounts.directory import managed_accounts
from feedback.accounts.history import day_sql
from feedback.db import bound
from feedback.surveys.levels import Movement, movement
from feedback.surveys.tables import Response, Wave, WaveStatus

__all__ = [
    "NO_ANSWER",
    "AccountAnswers",
    "AccountComment",
    "LevelDrop",
    "LevelHistory",
    "WaveLevel",
    "account_answers",
    "account_waves",
    "drops_since",
    "level_history",
    "levels_before",
]

NO_ANSWER = -1
ASKED_SQL = (
    "SELECT DISTINCT {day} AS day, i.wave AS wave, i.account AS account "
    "FROM invitation i JOIN wave w ON w.id = i.wave"
)
ANSWERED_SQL = (
    "SELECT {day} AS day, r.wave AS wave, r.account AS account, MIN(r.level) AS level "
    "FROM response r JOIN wave w ON w.id = r.wave GROUP BY w.closes_on, r.wave, r.account"
)


@dataclass(frozen=True)
class LevelHistory:
    """One row per (wave, account asked in it), sorted by account id, then closing day.

    ``level`` is the account's level in the wave (its lowest answer, as in wave results)
    or NO_ANSWER when it was invited and stayed silent. An interview recorded by staff
    counts as being asked. ``periods`` names each wave id by its period ("2026-H1").
    """

    account_ids: npt.NDArray[np.int64]
    closing_days: npt.NDArray[np.int64]
    wave_ids: npt.NDArray[np.int64]
    levels: npt.NDArray[np.int64]
    periods: dict[int, str]


def _wave_account_keys(rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """One integer per (wave, account) of rows (day, wave, account, ...)."""
    return rows[:, 1] * (1 << 32) + rows[:, 2]


async def level_history() -> LevelHistory:
    """Every wave's invited and answering accounts, with the wave's closing day and period."""
    day = day_sql("w.closes_on")
    asked = (await bound().read_numbers(ASKED_SQL.format(day=day))).reshape(-1, 3)
    answered = (await bound().read_numbers(ANSWERED_SQL.format(day=day))).reshape(-1, 4)
    rows = np.concatenate([asked[:, :3], answered[:, :3]]).astype(np.int64)
    keys, first = np.unique(_wave_account_keys(rows), return_index=True)
    rows = rows[first]
    levels = np.full(len(rows), NO_ANSWER, dtype=np.int64)
    if len(answered):
        at = np.searchsorted(keys, _wave_account_keys(answered.astype(np.int64)))
        levels[at] = answered[:, 3].astype(np.int64)
    order = np.lexsort((rows[:, 1], rows[:, 0], rows[:, 2]))
    periods = await Wave.select(Wave.id, Wave.period)
    return LevelHistory(
        rows[order, 2],
        rows[order, 0],
        rows[order, 1],
        levels[order],
        {int(wave["id"]): str(wave["period"]) for wave in periods},
    )


@dataclass(frozen=True)
class WaveLevel:
    """An account in one wave it was asked in: its level (None: no answer) and its movement
    since the wave before it was asked in, as the wave's results count it."""

    period: str
    closes_on: dt.date
    still_open: bool
    level: int | None
    movement: Movement


# Each (account, wave) the account was asked in: invited, or answering without an invitation
# (staff record interviews), with its lowest answer there, as in wave results. {where} picks
# one account or the waves before one.
ASKED_LEVELS_SQL = (
    "SELECT a.account AS account, w.period AS period, w.closes_on AS closes_on, "
    "w.status AS status, "
    "(SELECT MIN(r.level) FROM response r WHERE r.wave = a.wave AND r.account = a.account) "
    "AS level "
    "FROM (SELECT account, wave FROM invitation UNION SELECT account, wave FROM response) a "
    "JOIN wave w ON w.id = a.wave WHERE {where} ORDER BY a.account, w.period"
)


async def _asked_levels(where: str, value: int | str) -> list[dict[str, Any]]:
    return await Wave.raw(ASKED_LEVELS_SQL.format(where=where), value)


def _level(row: dict[str, Any]) -> int | None:
    return None if row["level"] is None else int(row["level"])


async def account_waves(account_id: int) -> list[WaveLevel]:
    """Every wave the account was asked in, oldest first; a wave it was left out of (an open
    complaint held it back) is skipped, so the movement compares with the wave before that."""
    rows = await _asked_levels("a.account = {}", account_id)
    levels = [_level(row) for row in rows]
    return [
        WaveLevel(
            period=row["period"],
            closes_on=row["closes_on"],
            still_open=row["status"] != WaveStatus.closed.value,
            level=level,
            movement=movement(levels[index - 1] if index else None, level),
        )
        for index, (row, level) in enumerate(zip(rows, levels, strict=True))
    ]


async def levels_before(
    period: str, account_ids: Collection[int] | None = None
) -> dict[int, int | None]:
    """Each account's level in the last wave before ``period`` it was asked in (None: it did
    not answer there): what a wave's movements compare with. ``account_ids`` keeps to those
    accounts (None: every account)."""
    where = "w.period < {}"
    if account_ids is not None:
        if not account_ids:
            return {}
        # Only integers are formatted into the statement.
        where += f" AND a.account IN ({', '.join(str(int(a)) for a in sorted(account_ids))})"
    rows = await _asked_levels(where, period)
    return {int(row["account"]): _level(row) for row in rows}  # the last row of each wins


@dataclass(frozen=True)
class LevelDrop:
    """An answer below the account's level in the wave it was asked in before (a drop)."""

    account_id: int
    period: str
    answered_at: dt.datetime
    level: int
    level_before: int


def _lower(drop: LevelDrop, kept: LevelDrop | None) -> bool:
    """Whether ``drop`` replaces ``kept``: a lower answer, or as low and later."""
    return kept is None or (drop.level, kept.answered_at) < (kept.level, drop.answered_at)


async def drops_since(manager_id: int, since: dt.datetime, until: dt.datetime) -> list[LevelDrop]:
    """The answers recorded from ``since`` to ``until`` for the accounts a staff member
    manages whose level is below the account's level in the wave it was asked in before,
    newest first; one per account and wave, its lowest (the latest of equals).

    One query for the answers, then one (``levels_before``) per wave they were given in.
    """
    answers = await (
        Response.select(
            Response.account, Response.wave.period.as_alias("period"), Response.level,
            Response.created_at,
        )
        .where(
            Response.account.is_in(managed_accounts(manager_id)),
            Response.created_at >= since,
            Response.created_at <= until,
        )
    )  # fmt: skip
    kept: dict[tuple[int, str], LevelDrop] = {}
    for period in sorted({str(answer["period"]) for answer in answers}):
        given = [answer for answer in answers if answer["period"] == period]
        before = await levels_before(period, {int(answer["account"]) for answer in given})
        for answer in given:
            account, level = int(answer["account"]), int(answer["level"])
            previous = before.get(account)
            if previous is None or movement(previous, level) is not Movement.down:
                continue
            drop = LevelDrop(account, period, answer["created_at"], level, previous)
            if _lower(drop, kept.get((account, period))):
                kept[account, period] = drop
    return sorted(kept.values(), key=lambda drop: drop.answered_at, reverse=True)


@dataclass(frozen=True)
class AccountComment:
    period: str
    answered_at: dt.datetime
    level: int
    channel: str
    comment: str
    may_contact: bool


@dataclass(frozen=True)
class AccountAnswers:
    """The waves an account was asked in (oldest first) and its comments (newest first)."""

    waves: list[WaveLevel]
    comments: list[AccountComment]


async def account_answers(account_id: int) -> AccountAnswers:
    """One account's level in every wave it was invited to or answered, and its comments."""
    answers = await (
        Response.select(
            Response.wave.period.as_alias("period"), Response.level, Response.channel,
            Response.comment, Response.may_contact, Response.created_at,
        )
        .where(Response.account == account_id)
        .order_by(Response.created_at, ascending=False)
    )  # fmt: skip
    comments = [
        AccountComment(
            a["period"], a["created_at"], int(a["level"]), a["channel"], a["comment"],
            bool(a["may_contact"]),
        )
        for a in answers
        if a["comment"].strip()
    ]  # fmt: skip
    return AccountAnswers(await account_waves(account_id), comments)
