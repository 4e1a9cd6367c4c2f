"""API shapes of churn scores (msgspec structs)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from feedback.accounts.schemas import TierName
from feedback.scoring.bands import Band
from feedback.web.schema_values import one_of

__all__ = [
    "AccountScore",
    "BandName",
    "ScoreFilters",
    "ScoreHistory",
    "ScorePage",
    "ScorePoint",
    "ScoreReason",
]

# A risk band as the API writes it.
BandName = Annotated[str, one_of(Band)]


class ScoreReason(msgspec.Struct, frozen=True):
    """One reason behind a score: ``code`` (one of a closed set) with its ``figures``, and
    ``text``, the two worded in the language asked for (``?lang=``, English by default).

    ``group`` is the feature group it comes from, ``weight`` its share of the probability.
    Scores stored before reasons had codes have the code ``worded_before_codes`` and their
    English text as the figure ``text``.
    """

    group: str
    weight: float
    text: str
    code: str
    figures: dict[str, Any]


class AccountScore(msgspec.Struct, frozen=True):
    """An account's latest score; ``risk_value`` = probability x revenue in the last 12 months."""

    code: str
    name: str
    tier: TierName
    manager: str
    as_of: dt.date
    probability: float
    band: BandName
    previous_probability: float | None
    revenue_12m: float
    risk_value: float
    reasons: list[ScoreReason]


class ScorePage(msgspec.Struct, frozen=True):
    """The latest scored day: a page of accounts by risk x value, and those that rose a band.

    ``rose`` holds the risers most likely to leave (at most a page of them) of
    ``rose_count``; ``next_cursor`` continues the accounts (None: the last page).
    """

    as_of: dt.date | None
    items: list[AccountScore]
    rose: list[AccountScore]
    rose_count: int
    next_cursor: int | None


class ScorePoint(msgspec.Struct, frozen=True):
    as_of: dt.date
    probability: float
    band: BandName
    model_version: int
    reasons: list[ScoreReason]


class ScoreHistory(msgspec.Struct, frozen=True):
    code: str
    items: list[ScorePoint]


class ScoreFilters(msgspec.Struct, frozen=True):
    """The drifting list's band ("" for every band) and page: ``limit`` scores after ``after``,
    the previous page's next_cursor (None: the first page), reasons worded in ``language``."""

    band: BandName
    limit: int
    after: int | None
    language: str
