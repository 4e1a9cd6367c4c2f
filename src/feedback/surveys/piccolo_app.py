"""Piccolo app of the surveys domain."""

from __future__ import annotations

from feedback.db import app_config
from feedback.surveys.tables import Invitation, Questionnaire, ReminderLink, Response, Wave

APP_CONFIG = app_config(
    __file__,
    [Questionnaire, Wave, Invitation, ReminderLink, Response],
    after=["feedback.accounts.piccolo_app"],
)
