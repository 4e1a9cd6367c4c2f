"""Piccolo app of the complaints domain."""

from __future__ import annotations

from feedback.complaints.tables import Complaint, ComplaintEvent, ComplaintLink, WebSubmission
from feedback.db import app_config

APP_CONFIG = app_config(
    __file__,
    [Complaint, ComplaintEvent, ComplaintLink, WebSubmission],
    after=["feedback.accounts.piccolo_app"],
)
