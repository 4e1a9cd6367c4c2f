"""Piccolo app of the accounts domain."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.accounts.tables import (
    Account,
    AttributeDefinition,
    Contact,
    Purchase,
    StaffSession,
    StaffUser,
)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StaffUser, StaffSession, Account, AttributeDefinition, Contact, Purchase],
    migration_dependencies=[],
    commands=[],
)
