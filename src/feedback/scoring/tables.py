"""Piccolo tables of the scoring domain."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Bytea, Date, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["ScoringModel"]


class ScoringModel(Table, tablename="scoring_model"):
    id = Serial(primary_key=True)
    version = Integer(unique=True, help_text="1, 2, 3, ... in the order models were trained.")
    created_at = Timestamptz()
    as_of = Date(help_text="The last day of data the model was trained on.")
    horizon_days = Integer(help_text="Churn within this many days after a snapshot.")
    inactivity_is_churn = Boolean(help_text="Whether no purchase in the horizon counted as churn.")
    training_from = Date(help_text="The earliest training snapshot.")
    training_to = Date(help_text="The latest training snapshot.")
    validated_on = Date(help_text="The out-of-time snapshot that chose and calibrated it.")
    estimator = Varchar(length=40, help_text="The candidate that validated best.")
    feature_names = JSON(
        help_text='Input columns in order: {"numeric": [...], "categorical": [...]}.'
    )
    metrics = JSON(help_text="Validation figures of every candidate and of the chosen model.")
    model = Bytea(help_text="The fitted pipeline in skops format (never pickle).")
