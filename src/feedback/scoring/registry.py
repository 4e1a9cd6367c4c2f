"""The model registry: versions of trained churn models, stored in skops format, never pickle."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import msgspec
import skops.io
from sklearn.calibration import CalibratedClassifierCV
from skops.io.exceptions import UntrustedTypesFoundException

from feedback.db import transaction
from feedback.errors import InvalidInput, NotFound
from feedback.scoring.tables import ScoringModel

__all__ = [
    "TRUSTED_TYPES",
    "ModelRecord",
    "StoredModel",
    "UntrustedModel",
    "from_bytes",
    "load_model",
    "save_model",
    "to_bytes",
]

# What a stored model may contain beyond the types skops trusts by default (NumPy, SciPy,
# most of scikit-learn). Anything else in a blob - a row edited in the database, a file
# from elsewhere - is refused before it is built, so loading a model runs no foreign code.
TRUSTED_TYPES = (
    "feedback.scoring.training.AllRows",
    "feedback.scoring.training._as_float",
    "functools.partial",
    "numpy.dtype",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.utils.validation.check_array",
)


class UntrustedModel(InvalidInput):
    """A stored model holds types outside TRUSTED_TYPES; it is not loaded."""


def to_bytes(model: CalibratedClassifierCV) -> bytes:
    return skops.io.dumps(model)


def from_bytes(data: bytes) -> CalibratedClassifierCV:
    """Rebuild a model, refusing any type that is not trusted by skops or TRUSTED_TYPES."""
    try:
        model = skops.io.loads(data, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as exc:
        raise UntrustedModel(f"the stored model holds untrusted types: {exc}") from exc
    if not isinstance(model, CalibratedClassifierCV):
        raise UntrustedModel(f"the stored model is a {type(model).__name__}, not a classifier")
    return model


@dataclass(frozen=True)
class ModelRecord:
    """What the registry says about one model version."""

    version: int
    created_at: dt.datetime
    as_of: dt.date
    horizon_days: int
    inactivity_is_churn: bool
    training_from: dt.date
    training_to: dt.date
    validated_on: dt.date
    estimator: str
    numeric_names: tuple[str, ...]
    categorical_names: tuple[str, ...]
    metrics: dict[str, Any]


@dataclass(frozen=True)
class StoredModel:
    record: ModelRecord
    model: CalibratedClassifierCV


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _columns(record: ModelRecord) -> dict[str, Any]:
    """A record as the registry's columns: the feature names together, as JSON, like the metrics."""
    columns = dataclasses.asdict(record)
    names = {
        "numeric": list(columns.pop("numeric_names")),
        "categorical": list(columns.pop("categorical_names")),
    }
    return {**columns, "feature_names": json.dumps(names), "metrics": json.dumps(record.metrics)}


def _record(row: dict[str, Any]) -> ModelRecord:
    """The record a registry row holds, each column coerced to its field's type."""
    names = _json(row["feature_names"])
    fields = {
        **row,
        "numeric_names": names["numeric"],
        "categorical_names": names["categorical"],
        "metrics": _json(row["metrics"]),
    }
    return msgspec.convert(fields, ModelRecord, strict=False)


async def save_model(record: ModelRecord, model: CalibratedClassifierCV) -> ModelRecord:
    """Store a model as the next version (``record.version`` is replaced) and return it."""
    data = to_bytes(model)
    async with transaction():
        latest = (
            await ScoringModel.select(ScoringModel.version)
            .order_by(ScoringModel.version, ascending=False)
            .first()
        )
        version = 1 + (int(latest["version"]) if latest else 0)
        await ScoringModel.insert(
            ScoringModel(**{**_columns(record), "version": version, "model": data})
        )
    return dataclasses.replace(record, version=version)


async def load_model(version: int | None = None) -> StoredModel:
    """A stored model version, or the latest one; NotFound if there is none."""
    query = ScoringModel.select()
    if version is None:
        query = query.order_by(ScoringModel.version, ascending=False)
    else:
        query = query.where(ScoringModel.version == version)
    row = await query.first()
    if row is None:
        raise NotFound(
            "no churn model has been trained"
            if version is None
            else f"there is no churn model version {version}"
        )
    return StoredModel(_record(row), from_bytes(bytes(row["model"])))
