"""Risk bands of a churn probability, and which accounts rose into a higher band."""

from __future__ import annotations

from enum import Enum

import numpy as np
import numpy.typing as npt

__all__ = ["BANDS", "BAND_FLOORS", "Band", "band_ranks", "rose"]


class Band(str, Enum):
    """In rising order of risk."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


# The lowest probability of churn within the model's horizon in each band above low.
# About one account in ten churns within 180 days in a typical book: "medium" is above
# that base rate, "high" is one in four, "critical" is more likely to leave than stay.
BAND_FLOORS = {Band.medium: 0.10, Band.high: 0.25, Band.critical: 0.50}
BANDS = tuple(Band)


def band_ranks(probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """0 (low) to 3 (critical) for each probability; a floor belongs to its band."""
    floors = np.array(list(BAND_FLOORS.values()))
    return np.searchsorted(floors, probabilities, side="right").astype(np.int64)


def rose(
    previous: npt.NDArray[np.float64], current: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Accounts whose band is higher than at their previous score (NaN: no previous score)."""
    known = ~np.isnan(previous)
    before = band_ranks(np.where(known, previous, 0.0))
    return known & (band_ranks(current) > before)
