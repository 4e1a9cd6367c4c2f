"""Training on the demo simulator: out-of-time quality, calibration, and safe serialization."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import skops.io
from sklearn.calibration import CalibratedClassifierCV

from feedback.demo.simulator import simulate
from feedback.scoring import registry, training
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import ChurnRule
from feedback.scoring.records import CustomerRecords, day_number
from tests.support.churn_histories import simulated_records

AS_OF = dt.date(2026, 11, 26)
RULE = ChurnRule(horizon_days=180)


@pytest.fixture(scope="module")
def book() -> CustomerRecords:
    return simulated_records(simulate(AS_OF, accounts=1200, seed=3))


@pytest.fixture(scope="module")
def trained(book: CustomerRecords) -> tuple[training.Trained, training.Frame]:
    """Trained on snapshots whose horizons end by the validation day, which is a year back."""
    validation = day_number(AS_OF) - 360
    frames = [
        training.frame_at(book, validation - 180 - 90 * k, RULE, FeatureRules()) for k in range(4)
    ]
    holdout = training.frame_at(book, validation, RULE, FeatureRules())
    return training.fit_best(frames, holdout), holdout


def test_the_model_beats_a_recency_rule_out_of_time(
    book: CustomerRecords, trained: tuple[training.Trained, training.Frame]
) -> None:
    model, _ = trained
    # A snapshot whose horizon begins after every label used for fitting, choosing or
    # calibrating has ended.
    later = training.frame_at(book, day_number(AS_OF) - 180, RULE, FeatureRules())
    probabilities = model.model.predict_proba(later.features.matrix())[:, 1]
    model_auc = training.roc_auc(later.labels, probabilities)
    recency_auc = training.roc_auc(later.labels, training.recency_rule(later.features))
    print(f"ROC AUC out of time: model {model_auc:.4f}, recency {recency_auc:.4f}")
    assert model_auc > recency_auc, (model_auc, recency_auc)


def test_the_best_candidate_by_validation_roc_auc_is_kept(
    trained: tuple[training.Trained, training.Frame],
) -> None:
    model, holdout = trained
    assert set(model.holdout_auc) == set(training.CANDIDATES)
    assert model.estimator == max(model.holdout_auc, key=model.holdout_auc.__getitem__)
    assert model.holdout_quality["roc_auc"] == pytest.approx(model.holdout_auc[model.estimator])
    assert model.holdout_quality["n_accounts"] == len(holdout.labels)


def test_calibrated_probabilities_match_the_churn_rate(
    trained: tuple[training.Trained, training.Frame],
) -> None:
    model, holdout = trained
    probabilities = model.model.predict_proba(holdout.features.matrix())[:, 1]
    assert ((probabilities > 0) & (probabilities < 1)).all()
    assert probabilities.mean() == pytest.approx(holdout.labels.mean(), abs=0.02)
    assert model.holdout_quality["brier"] < holdout.labels.mean() * (1 - holdout.labels.mean())


def test_quality_figures_on_a_known_ranking() -> None:
    labels = np.array([True] + [False] * 9 + [True] * 2 + [False] * 8)
    scores = np.linspace(1, 0, 20)
    figures = training.quality(labels, scores)
    assert figures["top_decile_precision"] == 0.5  # the two best scores: one churned
    assert figures["top_decile_lift"] == pytest.approx(0.5 / 0.15)
    assert figures["positive_rate"] == pytest.approx(0.15)
    assert figures["brier"] == pytest.approx(np.mean((scores - labels) ** 2))


def test_a_model_survives_the_round_trip_through_bytes(
    trained: tuple[training.Trained, training.Frame],
) -> None:
    model, holdout = trained
    loaded = registry.from_bytes(registry.to_bytes(model.model))
    rows = holdout.features.matrix()
    np.testing.assert_array_equal(loaded.predict_proba(rows), model.model.predict_proba(rows))


class Sneaky:
    """A type nobody trusted: loading it would run its code."""


def test_a_blob_with_an_untrusted_type_is_refused() -> None:
    blob = skops.io.dumps({"model": Sneaky()})
    with pytest.raises(registry.UntrustedModel, match="untrusted types"):
        registry.from_bytes(blob)


def test_a_blob_that_is_not_a_classifier_is_refused() -> None:
    with pytest.raises(registry.UntrustedModel, match="not a classifier"):
        registry.from_bytes(skops.io.dumps({"weights": [1.0, 2.0]}))


def test_the_trusted_list_is_exactly_what_a_model_needs(
    trained: tuple[training.Trained, training.Frame],
) -> None:
    blob = registry.to_bytes(trained[0].model)
    assert set(skops.io.get_untrusted_types(data=blob)) <= set(registry.TRUSTED_TYPES)
    assert isinstance(registry.from_bytes(blob), CalibratedClassifierCV)
