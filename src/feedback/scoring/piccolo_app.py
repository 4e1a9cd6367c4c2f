"""Piccolo app of the scoring domain; its tables arrive with the capability."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="scoring",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[],
    migration_dependencies=[],
    commands=[],
)
