"""Piccolo app of the complaints domain."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.complaints.tables import Complaint, ComplaintEvent

APP_CONFIG = AppConfig(
    app_name="complaints",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Complaint, ComplaintEvent],
    migration_dependencies=["feedback.accounts.piccolo_app"],
    commands=[],
)
