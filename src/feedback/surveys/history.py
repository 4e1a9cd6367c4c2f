"""Answers wave by wave: arrays of every account for scoring, one account's for its report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from feedback.accounts.history import day_sql
from feedback.db import bound
from feedback.surveys.levels import Movement, account_level, movement
from feedback.surveys.tables import Invitation, Response, Wave, WaveStatus

__all__ = [
    "NO_ANSWER",
    "AccountAnswers",
    "AccountComment",
    "LevelHistory",
    "WaveLevel",
    "account_answers",
    "level_history",
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
    """An account in one wave it was asked in: its level (None: no answer) and the movement
    since the wave before, as the wave's results count it."""

    period: str
    closes_on: dt.date
    still_open: bool
    level: int | None
    movement: Movement


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


def _wave_levels(
    waves: list[dict[str, Any]], answers: list[dict[str, Any]], asked: set[str]
) -> list[WaveLevel]:
    levels: dict[str, int | None] = {}
    for wave in waves:
        level = account_level(a["level"] for a in answers if a["period"] == wave["period"])
        levels[wave["period"]] = None if level is None else int(level)
    before = {later["period"]: earlier["period"] for earlier, later in pairwise(waves)}
    return [
        WaveLevel(
            period=wave["period"],
            closes_on=wave["closes_on"],
            still_open=wave["status"] != WaveStatus.closed.value,
            level=levels[wave["period"]],
            movement=movement(levels.get(before.get(wave["period"], "")), levels[wave["period"]]),
        )
        for wave in waves
        if wave["period"] in asked
    ]


async def account_answers(account_id: int) -> AccountAnswers:
    """One account's level in every wave it was invited to or answered, and its comments."""
    waves = await Wave.select(Wave.period, Wave.closes_on, Wave.status).order_by(Wave.period)
    invited = await (
        Invitation.select(Invitation.wave.period.as_alias("period"))
        .where(Invitation.account == account_id)
        .distinct()
    )
    answers = await (
        Response.select(
            Response.wave.period.as_alias("period"), Response.level, Response.channel,
            Response.comment, Response.may_contact, Response.created_at,
        )
        .where(Response.account == account_id)
        .order_by(Response.created_at, ascending=False)
    )  # fmt: skip
    asked = {row["period"] for row in invited} | {a["period"] for a in answers}
    comments = [
        AccountComment(
            a["period"], a["created_at"], int(a["level"]), a["channel"], a["comment"],
            bool(a["may_contact"]),
        )
        for a in answers
        if a["comment"].strip()
    ]  # fmt: skip
    return AccountAnswers(_wave_levels(waves, answers, asked), comments)
