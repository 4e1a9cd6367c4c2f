"""Scoring every active account with the latest model: probability, band, reasons, history."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from feedback.accounts.directory import account_dimensions
from feedback.config import ContactStandards, TierThresholds
from feedback.db import bound, transaction
from feedback.errors import InvalidInput
from feedback.scoring import reasons, registry, training
from feedback.scoring.bands import BANDS, Band, band_ranks, rose
from feedback.scoring.features import (
    FeatureRules,
    FeatureTable,
    features_at,
    latest_answered_waves,
    missed_contact_standards,
)
from feedback.scoring.records import CustomerRecords, day_number
from feedback.scoring.services import feature_rules, load_records
from feedback.scoring.tables import ScoringModel, ScoringScore

__all__ = [
    "Alert",
    "ScoreRun",
    "Scored",
    "StoredDay",
    "model_matrix",
    "previous_probabilities",
    "score_accounts",
    "score_if_due",
    "score_table",
    "store_scores",
]

# The scored day before a day: one index range, whatever the length of the history. (A
# per-account "latest before" grouped over the history grows with it, and SQLite may plan
# its join as a scan of a day per account.)
PREVIOUS_SQL = (
    "SELECT CAST(account AS INTEGER), probability FROM scoring_score "
    "WHERE as_of = (SELECT MAX(as_of) FROM scoring_score WHERE as_of < ?)"
)
INSERT_SQL = (
    "INSERT INTO scoring_score (account, as_of, scored_at, model_version, probability, "
    "revenue_12m, risk_value, band, previous_probability, rose, reasons) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FOLLOWING_SQL = (
    "SELECT id, CAST(account AS INTEGER), probability FROM scoring_score "
    "WHERE as_of = (SELECT MIN(as_of) FROM scoring_score WHERE as_of > ?)"
)
RELINK_SQL = "UPDATE scoring_score SET previous_probability = ?, rose = ? WHERE id = ?"


@dataclass(frozen=True)
class Scored:
    """Probabilities and reasons of the accounts of a feature table, in its row order."""

    account_ids: npt.NDArray[np.int64]
    probabilities: npt.NDArray[np.float64]
    revenue_12m: npt.NDArray[np.float64]
    reasons: list[list[reasons.Reason]]


@dataclass(frozen=True)
class StoredDay:
    """What storing a day's scores found, in the scored table's row order."""

    bands: list[Band]
    previous: npt.NDArray[np.float64]  # the previous probability, NaN for a first score
    rose: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Alert:
    """An account whose risk rose into a higher band since its previous score."""

    account_id: int
    code: str
    previous: Band
    band: Band
    probability: float


@dataclass(frozen=True)
class ScoreRun:
    as_of: dt.date
    model_version: int
    counts: dict[Band, int]
    alerts: list[Alert]

    def lines(self) -> list[str]:
        """Counts per band, then the accounts that rose into a higher band."""
        counts = ", ".join(f"{band.value} {count}" for band, count in self.counts.items())
        return [
            f"scored {sum(self.counts.values())} account(s) on {self.as_of} with model "
            f"version {self.model_version}: {counts}",
            f"{len(self.alerts)} account(s) rose into a higher band",
            *(
                f"  {a.code}: {a.previous.value} -> {a.band.value} ({a.probability:.1%})"
                for a in self.alerts
            ),
        ]


def model_matrix(table: FeatureTable, record: registry.ModelRecord) -> npt.NDArray[np.object_]:
    """The table's columns in the order the model was trained on."""
    missing = [
        name for name in record.numeric_names + record.categorical_names if name not in table.names
    ]
    if missing:
        raise InvalidInput(
            f"churn model version {record.version} needs features that are no longer computed "
            f"({', '.join(missing[:5])}); train a new model with `feedback scoring train`"
        )
    matrix = table.matrix()
    return matrix[
        :, [table.names.index(name) for name in record.numeric_names + record.categorical_names]
    ]


def score_table(
    records: CustomerRecords,
    day: int,
    table: FeatureTable,
    stored: registry.StoredModel,
    rules: FeatureRules,
) -> Scored:
    """Probabilities, then each account's top reasons from its group contributions.

    Besides the features, a reason may name the period of the latest answered wave and
    what the contact standard's last whole periods missed (``rules``: those of the table).
    """
    record = stored.record
    active = records.active_at(day)
    answered = latest_answered_waves(records, day)[active]
    shortfalls = missed_contact_standards(records, day, rules)[active]
    matrix = model_matrix(table, record)
    names = record.numeric_names + record.categorical_names

    def predict(rows: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
        return stored.model.predict_proba(rows)[:, 1]

    with training.modelling():
        probabilities, weights = reasons.contributions(
            predict, matrix, names, len(record.numeric_names)
        )
    found = [
        reasons.top_reasons(
            weights[row],
            dict(zip(names, matrix[row], strict=True))
            | {
                "survey_latest_answered_wave": answered[row],
                "contact_standard_shortfalls": shortfalls[row],
            },
        )
        for row in range(len(matrix))
    ]
    return Scored(table.account_ids, probabilities, table.column("revenue_365d"), found)


async def previous_probabilities(as_of: dt.date) -> dict[int, float]:
    """The probabilities of the scored day before ``as_of``, by account.

    An account's previous score is its score on that day: scoring covers every active
    account, so only an account that was not active then (new, or reopened) has none.
    """
    matrix = (await bound().read_numbers(PREVIOUS_SQL, as_of)).reshape(-1, 2)
    return dict(zip(matrix[:, 0].astype(int).tolist(), matrix[:, 1].tolist(), strict=True))


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


async def _relinked_following_day(
    as_of: dt.date, scored: Scored
) -> list[tuple[float | None, bool, int]]:
    """The scored day after ``as_of`` (if any), its rows linked to the scores being stored.

    Only a past day scored again has one.
    """
    rows = (await bound().read_numbers(FOLLOWING_SQL, as_of)).reshape(-1, 3)
    now = dict(zip(scored.account_ids.tolist(), scored.probabilities.tolist(), strict=True))
    previous = np.array([now.get(int(account), np.nan) for account in rows[:, 1]])
    risen = rose(previous, rows[:, 2])
    return [
        (_optional(p), bool(up), int(score_id))
        for p, up, score_id in zip(previous, risen, rows[:, 0], strict=True)
    ]


@dataclass(frozen=True)
class _Day:
    """What every row of one scoring day shares: the day, when it ran, with which model."""

    as_of: dt.date
    scored_at: dt.datetime
    version: int


def _score_rows(
    scored: Scored,
    day: _Day,
    ranks: npt.NDArray[np.int64],
    previous: npt.NDArray[np.float64],
    risen: npt.NDArray[np.bool_],
) -> Iterator[tuple[Any, ...]]:
    """The INSERT_SQL rows of a day's scores, with each account's previous probability."""
    for account, probability, revenue, rank, earlier, up, found in zip(
        scored.account_ids, scored.probabilities, scored.revenue_12m, ranks, previous, risen,
        scored.reasons, strict=True,
    ):  # fmt: skip
        reasons = [reason.stored() for reason in found]
        yield (
            int(account), day.as_of, day.scored_at, day.version, float(probability),
            float(revenue), float(probability) * float(revenue), BANDS[rank].value,
            _optional(earlier), bool(up), json.dumps(reasons),
        )  # fmt: skip


async def store_scores(scored: Scored, as_of: dt.date, version: int, now: dt.datetime) -> StoredDay:
    """Replace the day's scores (a rerun on the same day replaces, never doubles).

    Each row keeps the account's previous probability and whether its band rose since, so a
    day's page reads that day's rows only.
    """
    before = await previous_probabilities(as_of)
    previous = np.array([before.get(int(account), np.nan) for account in scored.account_ids])
    risen = rose(previous, scored.probabilities)
    following = await _relinked_following_day(as_of, scored)
    ranks = band_ranks(scored.probabilities)
    rows = _score_rows(scored, _Day(as_of, now, version), ranks, previous, risen)
    async with transaction():
        await ScoringScore.delete().where(ScoringScore.as_of == as_of)
        await bound().executemany(INSERT_SQL, rows)
        await bound().executemany(RELINK_SQL, following)
    return StoredDay([BANDS[rank] for rank in ranks], previous, risen)


async def score_accounts(
    as_of: dt.date,
    thresholds: TierThresholds,
    now: dt.datetime,
    standards: ContactStandards | None = None,
) -> ScoreRun:
    """Score every account active at ``as_of`` with the latest model and keep the history."""
    stored = await registry.load_model()
    records = await load_records(as_of)
    rules = feature_rules(thresholds, standards)
    table = features_at(records, day_number(as_of), rules)
    scored = await asyncio.to_thread(score_table, records, day_number(as_of), table, stored, rules)
    day = await store_scores(scored, as_of, stored.record.version, now)
    risen = np.flatnonzero(day.rose)
    codes = await account_dimensions([int(scored.account_ids[i]) for i in risen])
    alerts = [
        Alert(
            int(scored.account_ids[i]),
            codes[int(scored.account_ids[i])].code,
            BANDS[int(band_ranks(day.previous[i : i + 1])[0])],
            day.bands[i],
            float(scored.probabilities[i]),
        )
        for i in risen
    ]
    alerts.sort(key=lambda alert: -alert.probability)
    counts = {band: day.bands.count(band) for band in Band}
    return ScoreRun(as_of, stored.record.version, counts, alerts)


async def score_if_due(
    today: dt.date,
    thresholds: TierThresholds,
    now: dt.datetime,
    standards: ContactStandards | None = None,
) -> ScoreRun | None:
    """The periodic run: score once a day, and only once a model has been trained."""
    if not await ScoringModel.exists().run():
        return None
    if await ScoringScore.exists().where(ScoringScore.as_of == today).run():
        return None
    return await score_accounts(today, thresholds, now, standards)
