"""Piccolo app of the scoring domain."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.scoring.tables import ScoringModel, ScoringScore

APP_CONFIG = AppConfig(
    app_name="scoring",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ScoringModel, ScoringScore],
    migration_dependencies=["feedback.accounts.piccolo_app"],
    commands=[],
)
