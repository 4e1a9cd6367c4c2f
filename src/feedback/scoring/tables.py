"""Piccolo tables of the scoring domain."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from feedback.accounts.tables import Account
from feedback.scoring.bands import Band

__all__ = ["ScoringModel", "ScoringScore"]


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


class ScoringScore(Table, tablename="scoring_score"):
    """One account's churn score on one day: the history that trends and alerts read.

    Indexes (composite, made in a migration): (account, as_of) for an account's history;
    (as_of, risk_value, id), (as_of, band, risk_value, id) and (as_of, rose, probability, id)
    for a day's pages.
    """

    id = Serial(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    as_of = Date(help_text="The day whose features were scored.")
    scored_at = Timestamptz()
    model_version = Integer(help_text="The scoring_model version that scored it.")
    probability = DoublePrecision(help_text="Churn within the model's horizon.")
    revenue_12m = DoublePrecision(help_text="Revenue in the 365 days to as_of: the value at risk.")
    risk_value = DoublePrecision(help_text="probability x revenue_12m: what /drifting sorts by.")
    band = Varchar(length=10, choices=Band)
    previous_probability = DoublePrecision(
        null=True, default=None, help_text="At the account's previous scored day; NULL: none."
    )
    rose = Boolean(default=False, help_text="The band is higher than at the previous score.")
    reasons = JSON(
        help_text='Top reasons: [{"group": ..., "weight": ..., "code": ..., "figures": {...}}], '
        "worded when shown (scoring/reason_wording.py)."
    )
