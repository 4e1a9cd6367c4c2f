"""A wave's results: headline figures, aspect averages, breakdowns and who moved."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from feedback.surveys.levels import (
    ASPECTS,
    AspectAverage,
    LevelFigures,
    Movement,
    figures_from_counts,
    movements,
)
from feedback.surveys.services import wave_info
from feedback.surveys.tables import Wave

__all__ = ["AccountMovement", "GroupFigures", "WaveResults", "wave_results"]

DIMENSIONS = {
    "tier": "a.tier",
    "industry": "a.industry",
    "region": "a.region",
    "manager": "COALESCE(s.name, '')",
}
ACCOUNT_JOINS = (
    "JOIN account a ON a.id = {alias}.account LEFT JOIN staff_user s ON s.id = a.manager"
)
RESPONDED = "SUM(CASE WHEN i.responded_at IS NOT NULL THEN 1 ELSE 0 END)"


@dataclass(frozen=True)
class GroupFigures:
    group: str
    figures: LevelFigures


@dataclass(frozen=True)
class AccountMovement:
    code: str
    name: str
    manager: str
    previous_level: int | None
    current_level: int | None
    movement: Movement


@dataclass(frozen=True)
class WaveResults:
    period: str
    previous_period: str | None
    overall: LevelFigures
    aspects: list[AspectAverage]
    breakdowns: dict[str, list[GroupFigures]]
    movement_counts: dict[str, int]
    accounts: list[AccountMovement] = field(repr=False)
    dropped: list[AccountMovement]


async def _raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Wave.raw(sql, *args)


async def _overall(wave_id: int) -> LevelFigures:
    sql = f"SELECT COUNT(*) AS invited, {RESPONDED} AS responded FROM invitation i"  # noqa: S608
    sql += " WHERE i.wave = {}"
    invited = await _raw(sql, wave_id)
    levels = await _raw(
        "SELECT level, COUNT(*) AS answers FROM response WHERE wave = {} GROUP BY level", wave_id
    )
    counts = [0, 0, 0, 0]
    for row in levels:
        counts[int(row["level"])] = int(row["answers"])
    return figures_from_counts(
        int(invited[0]["invited"] or 0), int(invited[0]["responded"] or 0), counts
    )


async def _breakdown(wave_id: int, expression: str) -> list[GroupFigures]:
    # ``expression`` is one of DIMENSIONS, never user input.
    invited = await _raw(
        f"SELECT {expression} AS grp, COUNT(*) AS invited, {RESPONDED} AS responded "  # noqa: S608
        f"FROM invitation i {ACCOUNT_JOINS.format(alias='i')} WHERE i.wave = {{}} "
        f"GROUP BY {expression}",
        wave_id,
    )
    levels = await _raw(
        f"SELECT {expression} AS grp, r.level AS level, COUNT(*) AS answers "  # noqa: S608
        f"FROM response r {ACCOUNT_JOINS.format(alias='r')} WHERE r.wave = {{}} "
        f"GROUP BY {expression}, r.level",
        wave_id,
    )
    totals = {str(row["grp"]): (int(row["invited"]), int(row["responded"] or 0)) for row in invited}
    counts: dict[str, list[int]] = {group: [0, 0, 0, 0] for group in totals}
    for row in levels:
        counts.setdefault(str(row["grp"]), [0, 0, 0, 0])[int(row["level"])] = int(row["answers"])
    return [
        GroupFigures(group, figures_from_counts(*totals.get(group, (0, 0)), counts[group]))
        for group in sorted(counts)
    ]


async def _aspects(wave_id: int) -> list[AspectAverage]:
    columns = ", ".join(
        f"SUM({aspect}) AS {aspect}_sum, COUNT({aspect}) AS {aspect}_n" for aspect in ASPECTS
    )
    row = (await _raw(f"SELECT {columns} FROM response WHERE wave = {{}}", wave_id))[0]  # noqa: S608
    averages = []
    for aspect in ASPECTS:
        rated = int(row[f"{aspect}_n"] or 0)
        total = int(row[f"{aspect}_sum"] or 0)
        averages.append(AspectAverage(aspect, rated, total / rated if rated else None))
    return averages


async def _account_levels(wave_id: int) -> dict[int, int]:
    rows = await _raw(
        "SELECT account, MIN(level) AS level FROM response WHERE wave = {} GROUP BY account",
        wave_id,
    )
    return {int(row["account"]): int(row["level"]) for row in rows}


async def _previous_wave(period: str) -> dict[str, Any] | None:
    return await (
        Wave.select(Wave.id, Wave.period)
        .where(Wave.period < period)
        .order_by(Wave.period, ascending=False)
        .first()
    )


async def _accounts(wave_id: int) -> dict[int, dict[str, Any]]:
    rows = await _raw(
        "SELECT a.id AS id, a.code AS code, a.name AS name, COALESCE(s.name, '') AS manager "
        "FROM account a LEFT JOIN staff_user s ON s.id = a.manager "
        "WHERE a.id IN (SELECT account FROM invitation WHERE wave = {}) "
        "OR a.id IN (SELECT account FROM response WHERE wave = {})",
        wave_id,
        wave_id,
    )
    return {int(row["id"]): row for row in rows}


async def _movements(wave_id: int, previous_id: int | None) -> list[AccountMovement]:
    current = await _account_levels(wave_id)
    previous = await _account_levels(previous_id) if previous_id is not None else {}
    accounts = await _accounts(wave_id)
    moved = movements(previous, current, accounts)
    return sorted(
        (
            AccountMovement(
                code=accounts[account]["code"],
                name=accounts[account]["name"],
                manager=accounts[account]["manager"],
                previous_level=previous.get(account),
                current_level=current.get(account),
                movement=change,
            )
            for account, change in moved.items()
        ),
        key=lambda item: item.code,
    )


async def wave_results(period: str, now: dt.datetime | None = None) -> WaveResults:
    """Everything a wave's results page shows, computed with SQL aggregation."""
    wave = await wave_info(period)
    previous = await _previous_wave(wave.period)
    accounts = await _movements(wave.id, previous["id"] if previous else None)
    counts = Counter(item.movement.value for item in accounts)
    return WaveResults(
        period=wave.period,
        previous_period=previous["period"] if previous else None,
        overall=await _overall(wave.id),
        aspects=await _aspects(wave.id),
        breakdowns={name: await _breakdown(wave.id, sql) for name, sql in DIMENSIONS.items()},
        movement_counts={change.value: counts.get(change.value, 0) for change in Movement},
        accounts=accounts,
        dropped=[item for item in accounts if item.movement is Movement.down],
    )
