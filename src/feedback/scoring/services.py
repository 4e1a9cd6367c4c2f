"""Churn scoring use cases: read the customer base once, train and register a model, evaluate."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import numpy as np

from feedback.accounts.contact_entries import CONTACT_KINDS
from feedback.accounts.history import account_columns, contact_columns, purchase_columns
from feedback.complaints.history import complaint_columns
from feedback.config import ContactStandards, TierThresholds
from feedback.errors import InvalidInput, TooLittleData
from feedback.scoring import registry, training
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import ChurnRule
from feedback.scoring.records import (
    ComplaintRecords,
    ContactRecords,
    CustomerRecords,
    SurveyLevels,
    date_of,
    day_number,
    purchase_days,
)
from feedback.surveys.history import level_history

__all__ = [
    "MIN_HISTORY_DAYS",
    "SNAPSHOT_STEP_DAYS",
    "Evaluation",
    "evaluate",
    "feature_rules",
    "load_records",
    "train",
    "training_days",
]

# A snapshot needs this much purchase history before it to say anything about habits.
MIN_HISTORY_DAYS = 180
SNAPSHOT_STEP_DAYS = 90
MAX_TRAINING_SNAPSHOTS = 6
# A complaint's days as the complaints reader and the records both name them, in order.
COMPLAINT_MILESTONES = (
    "received", "closed", "breached", "unsatisfied", "investigated", "root_cause"
)  # fmt: skip


async def load_records(up_to: dt.date) -> CustomerRecords:
    """Accounts, purchases on or before ``up_to``, survey levels, complaints and the contact
    log, as arrays.

    Complaints and contacts are read whole: the features take only what happened on or
    before their day.
    """
    accounts = await account_columns()
    purchases = await purchase_columns(up_to)
    levels = await level_history()
    complaints = await complaint_columns()
    contacts = await contact_columns()
    positions = accounts.ids
    return CustomerRecords(
        account_ids=accounts.ids,
        opened=accounts.opened,
        closed=accounts.closed,
        industry=accounts.industry,
        region=accounts.region,
        numeric_attributes=accounts.numeric,
        categorical_attributes=accounts.categorical,
        purchases=purchase_days(
            np.searchsorted(positions, purchases.account_ids), purchases.days, purchases.amounts
        ),
        surveys=SurveyLevels(
            np.searchsorted(positions, levels.account_ids),
            levels.closing_days, levels.wave_ids, levels.levels, levels.periods,
        ),
        complaints=ComplaintRecords(
            np.searchsorted(positions, complaints.account_ids),
            *(getattr(complaints, name) for name in COMPLAINT_MILESTONES),
        ),
        contacts=ContactRecords(
            np.searchsorted(positions, contacts.account_ids),
            contacts.kinds, contacts.days, CONTACT_KINDS,
        ),
    )  # fmt: skip


def _history_start(records: CustomerRecords) -> int | None:
    if len(records.purchases.day) == 0:
        return None
    return int(records.purchases.day.min())


def training_days(records: CustomerRecords, as_of: int, horizon: int) -> tuple[int, list[int]]:
    """The validation day (as_of - H) and the training days, latest first.

    Training snapshots end their horizons by the validation day (day + H <= validation
    day), so validation is truly out of time; they step back 90 days at a time while at
    least MIN_HISTORY_DAYS of purchases lie before them.
    """
    validation = as_of - horizon
    start = _history_start(records)
    if start is None:
        raise TooLittleData("there are no purchases: churn models learn from purchase history")
    latest = validation - horizon
    steps = range(MAX_TRAINING_SNAPSHOTS)
    days = [
        day
        for day in (latest - SNAPSHOT_STEP_DAYS * step for step in steps)
        if day - start >= MIN_HISTORY_DAYS
    ]
    if not days:
        raise TooLittleData(
            f"not enough history to train with a {horizon}-day horizon as of {date_of(as_of)}: "
            f"the latest training snapshot ({date_of(latest)}) needs purchases from "
            f"{date_of(latest - MIN_HISTORY_DAYS)} or earlier, and the first purchase is on "
            f"{date_of(start)}"
        )
    return validation, days


def _fit(
    records: CustomerRecords, as_of: int, rule: ChurnRule, rules: FeatureRules
) -> tuple[training.Trained, training.Frame, list[int]]:
    validation, days = training_days(records, as_of, rule.horizon_days)
    frames = [training.frame_at(records, day, rule, rules) for day in days]
    holdout = training.frame_at(records, validation, rule, rules)
    training.check_learnable(holdout.labels, f"the validation snapshot of {date_of(validation)}")
    training.check_learnable(
        training.stack(frames)[1],
        f"the {len(days)} training snapshot(s) from {date_of(min(days))} to "
        f"{date_of(max(days))} together",
    )
    return training.fit_best(frames, holdout), holdout, days


def feature_rules(
    thresholds: TierThresholds, standards: ContactStandards | None = None
) -> FeatureRules:
    """The rules the features follow; without contact standards, DOMAIN.md's."""
    return FeatureRules(thresholds, standards or ContactStandards.defaults())


async def train(
    as_of: dt.date,
    rule: ChurnRule,
    thresholds: TierThresholds,
    now: dt.datetime,
    standards: ContactStandards | None = None,
) -> registry.ModelRecord:
    """Train on past snapshots, choose and calibrate out of time, register the model."""
    records = await load_records(as_of)
    trained, holdout, days = await asyncio.to_thread(
        _fit, records, day_number(as_of), rule, feature_rules(thresholds, standards)
    )
    features = holdout.features
    record = registry.ModelRecord(
        version=0,
        created_at=now,
        as_of=as_of,
        horizon_days=rule.horizon_days,
        inactivity_is_churn=rule.inactivity_is_churn,
        training_from=date_of(min(days)),
        training_to=date_of(max(days)),
        validated_on=date_of(holdout.day),
        estimator=trained.estimator,
        numeric_names=features.numeric_names,
        categorical_names=features.categorical_names,
        metrics={
            "selection_metric": training.SELECTION_METRIC,
            "candidates_roc_auc": trained.holdout_auc,
            "validation": trained.holdout_quality,
            "training_snapshots": len(days),
        },
    )
    return await registry.save_model(record, trained.model)


@dataclass(frozen=True)
class Evaluation:
    """Out-of-fold quality of the training procedure on one snapshot."""

    as_of: dt.date
    horizon_days: int
    folds: int
    metrics: dict[str, float]
    recency_roc_auc: float


def _evaluate(frame: training.Frame, folds: int) -> tuple[dict[str, float], float]:
    probabilities = training.cross_validated(frame, folds)
    recency = training.roc_auc(frame.labels, training.recency_rule(frame.features))
    return training.quality(frame.labels, probabilities), recency


async def evaluate(
    as_of: dt.date, rule: ChurnRule, folds: int, rules: FeatureRules, today: dt.date
) -> Evaluation:
    """K-fold over the accounts active at ``as_of``, labels from (as_of, as_of + horizon],
    the features following ``rules``."""
    end = as_of + dt.timedelta(days=rule.horizon_days)
    if end > today:
        raise InvalidInput(
            f"the {rule.horizon_days}-day horizon after {as_of} ends on {end}, after today "
            f"({today}): its labels are not known yet"
        )
    if folds < 2:
        raise InvalidInput(f"evaluation needs at least 2 folds, got {folds}")
    records = await load_records(end)
    frame = training.frame_at(records, day_number(as_of), rule, rules)
    training.check_learnable(frame.labels, f"the snapshot of {as_of}")
    training.check_folds(frame.labels, folds, f"the snapshot of {as_of}")
    metrics, recency = await asyncio.to_thread(_evaluate, frame, folds)
    return Evaluation(as_of, rule.horizon_days, folds, metrics, recency)
