"""Piccolo app of the reports domain: the reports mailed and the choices about them."""

from __future__ import annotations

from feedback.db import app_config
from feedback.reports.tables import ReportDelivery, ReportMailChoice

APP_CONFIG = app_config(
    __file__, [ReportDelivery, ReportMailChoice], after=["feedback.accounts.piccolo_app"]
)
