"""Satisfaction on the account page: the account's level in each wave it was asked in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.accounts.roles import Role
from feedback.accounts.schemas import AccountDetail
from feedback.accounts.sections import AccountSection
from feedback.accounts.staff import StaffMember
from feedback.surveys.levels import Level, Movement, movement
from feedback.surveys.result_charts import LEVEL_LABELS
from feedback.surveys.tables import Wave

__all__ = ["WaveLevel", "account_levels", "satisfaction_section"]

# Waves the account was invited to or answered in (staff record interviews without an
# invitation), with its lowest answer in each, as in wave results.
LEVELS_SQL = (
    "SELECT w.period AS period, w.status AS status, "
    "(SELECT MIN(r.level) FROM response r WHERE r.wave = w.id AND r.account = {}) AS level "
    "FROM wave w WHERE w.id IN (SELECT i.wave FROM invitation i WHERE i.account = {}) "
    "OR w.id IN (SELECT r.wave FROM response r WHERE r.account = {}) "
    "ORDER BY w.closes_on, w.id"
)


@dataclass(frozen=True)
class WaveLevel:
    """The account's level in one wave (None: no answer) and its move since the wave before."""

    period: str
    open: bool
    level: int | None
    label: str
    movement: Movement


async def account_levels(account_id: int) -> list[WaveLevel]:
    """Every wave the account was asked in, oldest first."""
    rows = await Wave.raw(LEVELS_SQL, account_id, account_id, account_id)
    levels: list[WaveLevel] = []
    previous: int | None = None
    for row in rows:
        level = None if row["level"] is None else int(row["level"])
        is_open = row["status"] != "closed"
        label = LEVEL_LABELS[Level(level)] if level is not None else "no answer"
        levels.append(WaveLevel(row["period"], is_open, level, label, movement(previous, level)))
        previous = level
    return levels


async def satisfaction_section(
    account: AccountDetail, viewer: StaffMember, now: dt.datetime
) -> AccountSection | None:
    """Levels wave by wave, newest first; agents work complaints and see no account's levels,
    as in wave results."""
    if viewer.role is Role.agent:
        return None
    levels = await account_levels(account.id)
    return AccountSection("surveys/account_section.html", {"waves": levels[::-1]})
