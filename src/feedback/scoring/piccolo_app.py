"""Piccolo app of the scoring domain."""

from __future__ import annotations

from feedback.db import app_config
from feedback.scoring.tables import ScoringModel, ScoringScore

APP_CONFIG = app_config(
    __file__, [ScoringModel, ScoringScore], after=["feedback.accounts.piccolo_app"]
)
