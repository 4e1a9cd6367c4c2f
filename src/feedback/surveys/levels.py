"""The three-level satisfaction ladder and the arithmetic of a wave's results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, IntEnum

__all__ = [
    "ASPECTS",
    "AspectAverage",
    "Level",
    "LevelFigures",
    "Movement",
    "figures_from_counts",
    "movement",
    "movements",
]

ASPECTS = ("quality", "delivery", "service_attitude", "value")


class Level(IntEnum):
    """A rung of the ladder; each rung includes the ones below (DOMAIN.md)."""

    not_satisfied = 0
    satisfied = 1
    will_buy_again = 2
    will_recommend = 3


class Movement(str, Enum):
    """How an account's level changed since its previous wave."""

    up = "up"
    same = "same"
    down = "down"
    new = "new"
    silent = "silent"


@dataclass(frozen=True)
class LevelFigures:
    """Headline figures of a wave (or of one group of accounts in it)."""

    invited: int
    responded: int
    response_rate: float | None
    answers: int
    level_counts: tuple[int, int, int, int]
    level_shares: tuple[float, float, float, float] | None
    satisfaction_rate: float | None
    loyalty_rate: float | None
    advocacy_rate: float | None


@dataclass(frozen=True)
class AspectAverage:
    aspect: str
    ratings: int
    average: float | None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures_from_counts(invited: int, responded: int, counts: Sequence[int]) -> LevelFigures:
    """The same figures from the number of answers at each level (0 to 3)."""
    if len(counts) != len(Level):
        raise ValueError(f"need one count per level, got {len(counts)}")
    answers = sum(counts)
    shares = tuple(count / answers for count in counts) if answers else None
    return LevelFigures(
        invited=invited,
        responded=responded,
        response_rate=_share(responded, invited),
        answers=answers,
        level_counts=(counts[0], counts[1], counts[2], counts[3]),
        level_shares=shares,  # type: ignore[arg-type]
        satisfaction_rate=_share(sum(counts[1:]), answers),
        loyalty_rate=_share(sum(counts[2:]), answers),
        advocacy_rate=_share(counts[3], answers),
    )


def movement(previous: int | None, current: int | None) -> Movement:
    """Compare an invited account's level with its level in the wave before it was asked in."""
    if current is None:
        return Movement.silent
    if previous is None:
        return Movement.new
    if current > previous:
        return Movement.up
    if current < previous:
        return Movement.down
    return Movement.same


def movements(
    previous: Mapping[int, int | None], current: Mapping[int, int], invited: Iterable[int]
) -> dict[int, Movement]:
    """Movement of every account invited now or answering now, keyed by account id."""
    accounts = set(invited) | set(current)
    return {account: movement(previous.get(account), current.get(account)) for account in accounts}
