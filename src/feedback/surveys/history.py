"""Each account's answers wave by wave, as NumPy arrays, for point-in-time analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.accounts.history import day_sql
from feedback.db import bound

__all__ = ["NO_ANSWER", "LevelHistory", "level_history"]

NO_ANSWER = -1
ASKED_SQL = (
    "SELECT DISTINCT {day} AS day, i.account AS account "
    "FROM invitation i JOIN wave w ON w.id = i.wave"
)
ANSWERED_SQL = (
    "SELECT {day} AS day, r.account AS account, MIN(r.level) AS level "
    "FROM response r JOIN wave w ON w.id = r.wave GROUP BY w.closes_on, r.account"
)


@dataclass(frozen=True)
class LevelHistory:
    """One row per (wave, account asked in it), sorted by account id, then closing day.

    ``level`` is the account's level in the wave (its lowest answer, as in wave results)
    or NO_ANSWER when it was invited and stayed silent. An interview recorded by staff
    counts as being asked.
    """

    account_ids: npt.NDArray[np.int64]
    closing_days: npt.NDArray[np.int64]
    levels: npt.NDArray[np.int64]


async def level_history() -> LevelHistory:
    """Every wave's invited and answering accounts, with the wave's closing day."""
    day = day_sql("w.closes_on")
    asked = (await bound().read_numbers(ASKED_SQL.format(day=day))).reshape(-1, 2)
    answered = (await bound().read_numbers(ANSWERED_SQL.format(day=day))).reshape(-1, 3)
    keys = np.unique(np.concatenate([asked[:, :2], answered[:, :2]]).astype(np.int64), axis=0)
    levels = np.full(len(keys), NO_ANSWER, dtype=np.int64)
    if len(answered):
        # Rows of ``keys`` are sorted (day, account) pairs: find each answer's row.
        flat = keys[:, 0] * (1 << 32) + keys[:, 1]
        answered_keys = answered[:, :2].astype(np.int64)
        at = np.searchsorted(flat, answered_keys[:, 0] * (1 << 32) + answered_keys[:, 1])
        levels[at] = answered[:, 2].astype(np.int64)
    order = np.lexsort((keys[:, 0], keys[:, 1]))
    return LevelHistory(keys[order, 1], keys[order, 0], levels[order])
