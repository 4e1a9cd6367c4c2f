"""A wave's results: headline figures, aspect averages, breakdowns and who moved."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from feedback.accounts.directory import (
    AccountDimensions,
    PurchaseWindows,
    account_dimensions,
    purchase_windows,
)
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.surveys.history import WaveLevel, levels_before
from feedback.surveys.levels import (
    ASPECTS,
    AspectAverage,
    Level,
    LevelFigures,
    Movement,
    figures_from_counts,
    movements,
)
from feedback.surveys.quadrant import (
    BASELINE_DAYS,
    RECENT_DAYS,
    PurchaseRecord,
    Quadrant,
    pace,
    quadrant,
)
from feedback.surveys.services import wave_info
from feedback.surveys.tables import Wave, WaveStatus

__all__ = [
    "AccountMovement",
    "AccountQuadrant",
    "AccountsShown",
    "GroupFigures",
    "MatrixPlace",
    "ShownMovement",
    "ShownQuadrant",
    "WaveResults",
    "account_place",
    "figures_of_accounts",
    "latest_closed_period",
    "visible_results",
    "wave_results",
]

DIMENSIONS = ("tier", "industry", "region", "manager")
INVITED_SQL = (
    "SELECT account, COUNT(*) AS invited, "
    "SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded "
    "FROM invitation WHERE wave = {} GROUP BY account"
)
LEVELS_SQL = (
    "SELECT account, level, COUNT(*) AS answers FROM response WHERE wave = {} "
    "GROUP BY account, level"
)


class AccountsShown(str, Enum):
    """Which accounts a viewer sees in the per-account lists of a wave's results."""

    all = "all"
    portfolio = "portfolio"
    none = "none"


@dataclass(frozen=True)
class GroupFigures:
    group: str
    figures: LevelFigures


class ShownMovement(msgspec.Struct, frozen=True):
    """What the per-account lists show of an account's movement since its previous wave."""

    code: str
    name: str
    manager: str
    previous_level: int | None
    current_level: int | None
    movement: Movement


class AccountMovement(ShownMovement, frozen=True):
    """And the manager whose portfolio holds the account: it decides who sees the account."""

    manager_id: int | None


class ShownQuadrant(msgspec.Struct, frozen=True):
    """What the per-account lists show of an answering account's place in the satisfaction /
    loyalty matrix."""

    code: str
    name: str
    manager: str
    level: int
    quadrant: Quadrant
    pace: float | None
    customer_since: dt.date | None


class AccountQuadrant(ShownQuadrant, frozen=True):
    """And the manager whose portfolio holds the account: it decides who sees the account."""

    manager_id: int | None


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
    purchases_as_of: dt.date
    quadrant_counts: dict[str, int]
    quadrants: list[AccountQuadrant] = field(repr=False)
    accounts_shown: AccountsShown = AccountsShown.all


@dataclass(frozen=True)
class _PerAccount:
    """A wave's figures per account (invited or answering), in arrays sorted by account id."""

    ids: npt.NDArray[np.int64]
    invited: npt.NDArray[np.int64]
    responded: npt.NDArray[np.int64]
    levels: npt.NDArray[np.int64]  # answers at each level, shape (accounts, 4)

    def account_levels(self) -> dict[int, int]:
        """Each answering account's level: its lowest answer, since one unhappy contact is a
        signal."""
        answered = self.levels > 0
        has_answer = answered.any(axis=1)
        lowest = answered.argmax(axis=1)
        return dict(zip(self.ids[has_answer].tolist(), lowest[has_answer].tolist(), strict=True))


async def _raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Wave.raw(sql, *args)


def _column(rows: list[dict[str, Any]], key: str) -> npt.NDArray[np.int64]:
    return np.fromiter((int(row[key] or 0) for row in rows), dtype=np.int64, count=len(rows))


async def _per_account(wave_id: int) -> _PerAccount:
    invited_rows = await _raw(INVITED_SQL, wave_id)
    level_rows = await _raw(LEVELS_SQL, wave_id)
    invited_ids, answering_ids = _column(invited_rows, "account"), _column(level_rows, "account")
    ids = np.union1d(invited_ids, answering_ids)
    invited = np.zeros(len(ids), dtype=np.int64)
    responded = np.zeros(len(ids), dtype=np.int64)
    at = np.searchsorted(ids, invited_ids)
    invited[at] = _column(invited_rows, "invited")
    responded[at] = _column(invited_rows, "responded")
    levels = np.zeros((len(ids), len(Level)), dtype=np.int64)
    levels[np.searchsorted(ids, answering_ids), _column(level_rows, "level")] = _column(
        level_rows, "answers"
    )
    return _PerAccount(ids, invited, responded, levels)


def _figures(invited: int, responded: int, counts: npt.NDArray[np.int64]) -> LevelFigures:
    return figures_from_counts(invited, responded, [int(count) for count in counts])


def _breakdown(
    per_account: _PerAccount, labels: list[str], known: npt.NDArray[np.bool_]
) -> list[GroupFigures]:
    """Sum the per-account figures by group label (accounts without dimensions left out)."""
    groups, index = np.unique(np.array(labels, dtype=str), return_inverse=True)

    def total(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        sums = np.bincount(index, weights=values[known], minlength=len(groups))
        return sums.round().astype(np.int64)

    invited, responded = total(per_account.invited), total(per_account.responded)
    levels = np.stack([total(per_account.levels[:, level]) for level in Level], axis=1)
    return [
        GroupFigures(str(group), _figures(int(invited[n]), int(responded[n]), levels[n]))
        for n, group in enumerate(groups)
    ]


def _breakdowns(
    per_account: _PerAccount, dimensions: dict[int, AccountDimensions]
) -> dict[str, list[GroupFigures]]:
    ids = per_account.ids.tolist()
    known = np.fromiter((account in dimensions for account in ids), dtype=bool, count=len(ids))
    described = [dimensions[account] for account in ids if account in dimensions]
    return {
        name: _breakdown(per_account, [getattr(d, name) for d in described], known)
        for name in DIMENSIONS
    }


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


async def _previous_wave(period: str) -> dict[str, Any] | None:
    return await (
        Wave.select(Wave.id, Wave.period)
        .where(Wave.period < period)
        .order_by(Wave.period, ascending=False)
        .first()
    )


def _movements(
    per_account: _PerAccount,
    previous: dict[int, int | None],
    dimensions: dict[int, AccountDimensions],
) -> list[AccountMovement]:
    current = per_account.account_levels()
    moved = movements(previous, current, per_account.ids.tolist())
    return sorted(
        (
            AccountMovement(
                code=dimensions[account].code,
                name=dimensions[account].name,
                manager=dimensions[account].manager,
                previous_level=previous.get(account),
                current_level=current.get(account),
                movement=change,
                manager_id=dimensions[account].manager_id,
            )
            for account, change in moved.items()
            if account in dimensions
        ),
        key=lambda item: item.code,
    )


def _record(windows: PurchaseWindows | None) -> PurchaseRecord:
    if windows is None:
        return PurchaseRecord(0.0, 0, 0.0, 0, None)
    return msgspec.convert(windows, PurchaseRecord, from_attributes=True)


async def _quadrants(
    levels: dict[int, int], dimensions: dict[int, AccountDimensions], as_of: dt.date
) -> list[AccountQuadrant]:
    """Every answering account in the matrix, loyalty judged on purchases before ``as_of``."""
    windows = await purchase_windows(levels, as_of, RECENT_DAYS, BASELINE_DAYS)
    placed = []
    for account, level in levels.items():
        if account not in dimensions:
            continue
        record, named = _record(windows.get(account)), dimensions[account]
        placed.append(
            AccountQuadrant(
                code=named.code,
                name=named.name,
                manager=named.manager,
                manager_id=named.manager_id,
                level=level,
                quadrant=quadrant(level, record, as_of),
                pace=pace(record),
                customer_since=record.customer_since,
            )
        )
    return sorted(placed, key=lambda item: item.code)


@dataclass(frozen=True)
class MatrixPlace:
    """Where an account stood in the matrix in the latest wave it answered."""

    period: str
    level: int
    quadrant: Quadrant


async def account_place(account_id: int, waves: list[WaveLevel]) -> MatrixPlace | None:
    """The account's place in the latest of ``waves`` it answered (its waves, as
    ``history.account_waves`` reads them), judged as that wave's results judge it: its lowest
    answer there, its loyalty on the purchases before the wave opened. None: no answer yet."""
    answered = [wave for wave in waves if wave.level is not None]
    if not answered:
        return None
    latest = max(answered, key=lambda wave: wave.closes_on)
    assert latest.level is not None
    wave = await wave_info(latest.period)
    windows = await purchase_windows([account_id], wave.opens_on, RECENT_DAYS, BASELINE_DAYS)
    record = _record(windows.get(account_id))
    return MatrixPlace(latest.period, latest.level, quadrant(latest.level, record, wave.opens_on))


async def wave_results(period: str) -> WaveResults:
    """Everything a wave's results page shows: SQL sums per account, then NumPy by group.

    Loyalty in the quadrants is judged on purchases before the day the wave opened.
    """
    wave = await wave_info(period)
    previous = await _previous_wave(wave.period)
    per_account = await _per_account(wave.id)
    dimensions = await account_dimensions(per_account.ids.tolist())
    accounts = _movements(per_account, await levels_before(wave.period), dimensions)
    counts = Counter(item.movement.value for item in accounts)
    quadrants = await _quadrants(per_account.account_levels(), dimensions, wave.opens_on)
    placed = Counter(item.quadrant for item in quadrants)
    return WaveResults(
        period=wave.period,
        previous_period=previous["period"] if previous else None,
        overall=_figures(
            int(per_account.invited.sum()),
            int(per_account.responded.sum()),
            per_account.levels.sum(axis=0),
        ),
        aspects=await _aspects(wave.id),
        breakdowns=_breakdowns(per_account, dimensions),
        movement_counts={change.value: counts.get(change.value, 0) for change in Movement},
        accounts=accounts,
        dropped=[item for item in accounts if item.movement is Movement.down],
        purchases_as_of=wave.opens_on,
        quadrant_counts={kind.value: placed.get(kind, 0) for kind in Quadrant},
        quadrants=quadrants,
    )


async def latest_closed_period() -> str | None:
    """The period of the latest closed wave (its results are final); None before any closed."""
    row = await (
        Wave.select(Wave.period)
        .where(Wave.status == WaveStatus.closed.value)
        .order_by(Wave.period, ascending=False)
        .first()
    )
    return None if row is None else str(row["period"])


async def figures_of_accounts(period: str, account_ids: Collection[int]) -> LevelFigures:
    """A wave's headline figures for the given accounts only, summed from their invitations and
    answers as each group of the wave's breakdowns is (two grouped queries, as for the wave)."""
    wave = await wave_info(period)
    per_account = await _per_account(wave.id)
    kept = np.isin(per_account.ids, np.fromiter(account_ids, dtype=np.int64))
    return _figures(
        int(per_account.invited[kept].sum()),
        int(per_account.responded[kept].sum()),
        per_account.levels[kept].sum(axis=0),
    )


def visible_results(results: WaveResults, viewer: StaffMember) -> WaveResults:
    """The results as a staff member may see them.

    Every figure (rates, breakdowns, counts) is the whole wave's, for every role: they name
    no account, and a manager reads their portfolio against the company. The per-account
    lists are whole for admins and supervisors, the viewer's own portfolio for account
    managers, and empty for agents, who work complaints rather than accounts.
    """
    if viewer.role in (Role.admin, Role.supervisor):
        return results
    if viewer.role is Role.account_manager:
        return dataclasses.replace(
            results,
            accounts=[a for a in results.accounts if a.manager_id == viewer.id],
            dropped=[a for a in results.dropped if a.manager_id == viewer.id],
            quadrants=[a for a in results.quadrants if a.manager_id == viewer.id],
            accounts_shown=AccountsShown.portfolio,
        )
    return dataclasses.replace(
        results, accounts=[], dropped=[], quadrants=[], accounts_shown=AccountsShown.none
    )
