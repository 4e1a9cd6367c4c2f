"""Piccolo app of the mail outbox."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.mail.tables import OutboxMessage

APP_CONFIG = AppConfig(
    app_name="mail",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OutboxMessage],
    migration_dependencies=[],
    commands=[],
)
