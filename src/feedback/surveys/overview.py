"""Every wave at a glance: dates, status and headline figures, oldest first (list and trend)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from feedback.surveys.levels import Level, LevelFigures, figures_from_counts
from feedback.surveys.tables import Wave, WaveStatus

__all__ = ["WaveSummary", "wave_summaries"]

INVITED_SQL = (
    "SELECT wave, COUNT(*) AS invited, "
    "SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded "
    "FROM invitation GROUP BY wave"
)
LEVELS_SQL = "SELECT wave, level, COUNT(*) AS answers FROM response GROUP BY wave, level"


@dataclass(frozen=True)
class WaveSummary:
    period: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    figures: LevelFigures

    @property
    def closed(self) -> bool:
        """Closed: its results are final."""
        return self.status == WaveStatus.closed.value


async def wave_summaries() -> list[WaveSummary]:
    """All waves by period with the same headline figures as their results (two grouped sums)."""
    waves = await Wave.select(
        Wave.id, Wave.period, Wave.opens_on, Wave.closes_on, Wave.status
    ).order_by(Wave.period)
    invited = {int(row["wave"]): row for row in await Wave.raw(INVITED_SQL)}
    levels: dict[int, list[int]] = defaultdict(lambda: [0] * len(Level))
    for row in await Wave.raw(LEVELS_SQL):
        levels[int(row["wave"])][int(row["level"])] = int(row["answers"])
    summaries = []
    for wave in waves:
        counts = invited.get(wave["id"], {})
        figures = figures_from_counts(
            int(counts.get("invited") or 0), int(counts.get("responded") or 0), levels[wave["id"]]
        )
        summaries.append(
            WaveSummary(
                wave["period"], wave["opens_on"], wave["closes_on"], wave["status"], figures
            )
        )
    return summaries
