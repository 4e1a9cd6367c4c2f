"""Churn models: snapshots with labels, the candidate pipelines, selection, calibration, metrics."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_selection import VarianceThreshold
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from feedback.errors import TooLittleData
from feedback.scoring.features import FeatureRules, FeatureTable, features_at
from feedback.scoring.labels import ChurnRule, churn_labels
from feedback.scoring.records import CustomerRecords

__all__ = [
    "CANDIDATES",
    "MIN_PER_CLASS",
    "SELECTION_METRIC",
    "AllRows",
    "Frame",
    "Trained",
    "check_folds",
    "check_learnable",
    "cross_validated",
    "fit_best",
    "fold_rows",
    "frame_at",
    "modelling",
    "quality",
    "recency_rule",
    "roc_auc",
]

CANDIDATES = ("gradient_boosting", "logistic_regression")
SELECTION_METRIC = "roc_auc"
SEED = 0
# HistGradientBoosting takes at most 255 bins; rarer categories are pooled by the encoder.
MAX_CATEGORIES = 250
# Fewer churned (or retained) accounts than this say too little to learn from or to judge a
# model on. It also keeps every inner split possible: with K <= the rarer class's count, each
# fold's training part keeps at least 6 of it after its quarter is held out for choosing and
# calibrating, enough for the logistic regression's 3 inner folds (INNER_FOLDS) and the
# gradient boosting's stratified early-stopping split (2 of each).
MIN_PER_CLASS = 10
INNER_FOLDS = 3
EARLY_STOPPING_MIN_ROWS = 200


@dataclass(frozen=True)
class Frame:
    """A snapshot: features of the accounts active on ``day`` and their churn labels."""

    day: int
    features: FeatureTable
    labels: npt.NDArray[np.bool_]

    def rows(self, selected: npt.NDArray[Any]) -> Frame:
        return Frame(self.day, self.features.rows(selected), self.labels[selected])


def frame_at(
    records: CustomerRecords, day: int, rule: ChurnRule, feature_rules: FeatureRules
) -> Frame:
    """Features as of ``day`` and labels from (day, day + horizon]."""
    features = features_at(records, day, feature_rules)
    labels = churn_labels(records, day, rule)[records.active_at(day)]
    return Frame(day, features, labels)


def stack(frames: Sequence[Frame]) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """The rows of several snapshots of one feature layout, for fitting."""
    return (
        np.concatenate([frame.features.matrix() for frame in frames]),
        np.concatenate([frame.labels for frame in frames]),
    )


def _columns(table: FeatureTable) -> tuple[list[int], list[int]]:
    numeric = list(range(len(table.numeric_names)))
    return numeric, list(range(len(numeric), len(table.names)))


def _gradient_boosting(table: FeatureTable, rows: int) -> Pipeline:
    numeric, categorical = _columns(table)
    # Categories first, so that they are the first columns whatever the numeric part keeps.
    categories = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=MAX_CATEGORIES
    )
    # Numeric columns without a known or differing value (no waves yet) are dropped: they
    # carry nothing, and the binning cannot cut an empty column.
    numbers = make_pipeline(FunctionTransformer(_as_float), VarianceThreshold())
    encode = ColumnTransformer(
        [("categorical", categories, categorical), ("numeric", numbers, numeric)]
    )
    model = HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=300,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=list(range(len(categorical))) or None,
        # Early stopping holds a tenth of the rows back; on fewer rows that tenth is too few
        # to judge by (and under 20 it cannot hold both classes).
        early_stopping=rows >= EARLY_STOPPING_MIN_ROWS,
        random_state=SEED,
    )
    return Pipeline([("encode", encode), ("model", model)])


def _as_float(values: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def _logistic_regression(table: FeatureTable, rows: int) -> Pipeline:
    numeric, categorical = _columns(table)
    numbers = make_pipeline(
        FunctionTransformer(_as_float),
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        # Money and counts are heavy-tailed; arcsinh is log-like and defined at 0 and below.
        FunctionTransformer(np.arcsinh),
        StandardScaler(),
    )
    categories = OneHotEncoder(
        handle_unknown="infrequent_if_exist", min_frequency=20, sparse_output=False
    )
    encode = ColumnTransformer(
        [("numeric", numbers, numeric), ("categorical", categories, categorical)]
    )
    model = LogisticRegressionCV(
        Cs=[0.003, 0.01, 0.03, 0.1, 0.3, 1.0],
        l1_ratios=(0.0,),  # plain L2 regularisation
        cv=StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=SEED),
        scoring="roc_auc",
        max_iter=2000,
        use_legacy_attributes=False,
    )
    return Pipeline([("encode", encode), ("model", model)])


PIPELINES = {"gradient_boosting": _gradient_boosting, "logistic_regression": _logistic_regression}


@contextmanager
def modelling() -> Iterator[None]:
    """One native thread per fit or prediction, and no noise about columns nobody has data
    for yet.

    On 2 shared, busy cores OpenMP's spinning threads made one gradient boosting fit
    take 19 s instead of 1.4 s, and scoring 30,000 accounts with reasons 17 s instead of
    6 s; several fits or predictions in a row gain nothing from them.
    """
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "Degrees of freedom", RuntimeWarning)
        yield


@dataclass(frozen=True)
class Trained:
    """The chosen, calibrated model and how every candidate did on the held-out rows."""

    estimator: str
    model: CalibratedClassifierCV
    holdout_auc: dict[str, float]
    holdout_quality: dict[str, float]


def _counts(labels: npt.NDArray[np.bool_]) -> tuple[int, int]:
    churned = int(np.count_nonzero(labels))
    return churned, len(labels) - churned


def check_learnable(labels: npt.NDArray[np.bool_], what: str) -> None:
    """Refuse, in one sentence with the counts, rows with too few churned or retained accounts.

    ``what`` names the rows, e.g. "the snapshot of 2026-05-30".
    """
    churned, retained = _counts(labels)
    if min(churned, retained) < MIN_PER_CLASS:
        raise TooLittleData(
            f"not enough history to learn from: in {what}, {churned} account(s) churned and "
            f"{retained} did not, and a churn model needs at least {MIN_PER_CLASS} of each"
        )


def check_folds(labels: npt.NDArray[np.bool_], folds: int, what: str) -> None:
    """Refuse more folds than the rarer class has accounts: each fold needs one of each."""
    churned, retained = _counts(labels)
    rarer = min(churned, retained)
    if folds > rarer:
        kind = "churned" if churned == rarer else "did not churn"
        raise TooLittleData(
            f"in {what}, only {rarer} account(s) {kind}, fewer than the {folds} folds asked "
            f"for, and each fold needs at least one: use --folds {rarer} or fewer"
        )


class AllRows:
    """One "fold" holding every row, to calibrate a frozen model on all the held-out rows.

    A frozen model needs no folds to be calibrated; scikit-learn's default of five would
    split the held-out rows for nothing and refuse fewer than five of a class.
    """

    n_splits = 1

    def split(
        self, features: Any, labels: Any = None, groups: Any = None
    ) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
        rows = np.arange(len(features))
        yield rows, rows

    def get_n_splits(self, features: Any = None, labels: Any = None, groups: Any = None) -> int:
        return 1


def fit_best(train: Sequence[Frame], holdout: Frame) -> Trained:
    """Fit every candidate on ``train``, keep the best ROC AUC on ``holdout``, calibrate on it.

    Platt (sigmoid) calibration on the held-out rows keeps the ranking, so the ROC AUC the
    choice was made on is the one delivered; isotonic steps would tie scores. The callers
    check the rows with check_learnable first.
    """
    features, labels = stack(train)
    held_out = holdout.features.matrix()
    fitted: dict[str, Pipeline] = {}
    auc: dict[str, float] = {}
    with modelling():
        for name in CANDIDATES:
            pipeline = PIPELINES[name](train[0].features, len(labels))
            fitted[name] = pipeline.fit(features, labels)
            scores = fitted[name].predict_proba(held_out)[:, 1]
            auc[name] = roc_auc(holdout.labels, scores)
        best = max(CANDIDATES, key=lambda name: auc[name])
        calibrated = CalibratedClassifierCV(
            FrozenEstimator(fitted[best]), method="sigmoid", cv=AllRows()
        )
        calibrated.fit(held_out, holdout.labels)
    probabilities = calibrated.predict_proba(held_out)[:, 1]
    return Trained(best, calibrated, auc, quality(holdout.labels, probabilities))


def fold_rows(
    labels: npt.NDArray[np.bool_], folds: int
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """(training rows, test rows) of each fold: stratified, shuffled, the same on every run."""
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    yield from splitter.split(labels, labels)


def cross_validated(frame: Frame, folds: int) -> npt.NDArray[np.float64]:
    """Out-of-fold churn probabilities: for each fold, the whole procedure on the others.

    Each fold's model is chosen and calibrated on a stratified quarter of the other
    folds' accounts and fitted on the rest, so no probability comes from a model that
    saw its account. The caller checks the snapshot with check_learnable and check_folds.
    """
    probabilities = np.empty(len(frame.labels))
    for train_rows, test_rows in fold_rows(frame.labels, folds):
        fit_rows, holdout_rows = train_test_split(
            train_rows, test_size=0.25, stratify=frame.labels[train_rows], random_state=SEED
        )
        trained = fit_best([frame.rows(fit_rows)], frame.rows(holdout_rows))
        test = frame.features.rows(test_rows).matrix()
        with modelling():
            probabilities[test_rows] = trained.model.predict_proba(test)[:, 1]
    return probabilities


def roc_auc(labels: npt.NDArray[np.bool_], scores: npt.NDArray[np.float64]) -> float:
    """How well scores of any scale rank churned accounts above retained ones."""
    return float(roc_auc_score(labels, scores))


def quality(
    labels: npt.NDArray[np.bool_], probabilities: npt.NDArray[np.float64]
) -> dict[str, float]:
    """ROC AUC, PR AUC, Brier score, and precision and lift in the top-scored decile."""
    top = np.argsort(-probabilities, kind="stable")[: max(1, len(probabilities) // 10)]
    positive_rate = float(labels.mean())
    precision = float(labels[top].mean())
    return {
        "roc_auc": roc_auc(labels, probabilities),
        "pr_auc": float(average_precision_score(labels, probabilities)),
        "brier": float(brier_score_loss(labels, probabilities)),
        "top_decile_precision": precision,
        "top_decile_lift": precision / positive_rate if positive_rate else float("nan"),
        "n_accounts": float(len(labels)),
        "positive_rate": positive_rate,
    }


def recency_rule(table: FeatureTable) -> npt.NDArray[np.float64]:
    """The classic rule of thumb: the longer since the last purchase, the likelier churn."""
    since = table.column("days_since_last_purchase")
    return np.where(np.isnan(since), np.nanmax(since, initial=0.0) + 1.0, since)
