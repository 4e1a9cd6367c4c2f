"""Piccolo's configuration: the engine chosen from FEEDBACK_DATABASE_URL and the app registry."""

from __future__ import annotations

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.table import Table

from feedback.config import Settings
from feedback.db import engine_for_url

DB = engine_for_url(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "feedback.accounts.piccolo_app",
        "feedback.mail.piccolo_app",
        "feedback.surveys.piccolo_app",
        "feedback.complaints.piccolo_app",
        "feedback.scoring.piccolo_app",
        "feedback.reports.piccolo_app",
    ]
)


def all_tables() -> list[type[Table]]:
    """Every table of every app, and Piccolo's record of applied migrations."""
    tables: list[type[Table]] = [Migration]
    for config in APP_REGISTRY.app_configs.values():
        tables.extend(config.table_classes)
    return tables
