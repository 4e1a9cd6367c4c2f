"""Each account's answers wave by wave, as NumPy arrays, for point-in-time analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.accounts.history import day_sql
from feedback.db import bound
from feedback.surveys.tables import Wave

__all__ = ["NO_ANSWER", "LevelHistory", "level_history"]

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
