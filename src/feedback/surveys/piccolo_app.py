"""Piccolo app of the surveys domain."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.surveys.tables import (
    Invitation,
    Questionnaire,
    ReminderLink,
    Response,
    Wave,
)

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Questionnaire, Wave, Invitation, ReminderLink, Response],
    migration_dependencies=["feedback.accounts.piccolo_app"],
    commands=[],
)
