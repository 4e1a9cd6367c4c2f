"""Piccolo's configuration: the app registry, and ``DB``, the engine the tables are bound to."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.table import Table

from feedback import db

__all__ = ["APP_REGISTRY", "all_tables"]

# Named, not imported: the registry loads each app when it is built.
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


def __getattr__(name: str) -> Engine[Any]:
    # Piccolo reads ``DB`` when it runs migrations: looked up each time, it is always the
    # engine in use, and importing this module opens nothing.
    if name == "DB":
        return db.engine_in_use()
    raise AttributeError(name)
