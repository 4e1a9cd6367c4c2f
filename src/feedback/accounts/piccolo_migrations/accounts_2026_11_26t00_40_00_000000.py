"""Composite indexes for the accounts list, contacts and purchase history."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

COMPOSITE_INDEXES = (
    "CREATE UNIQUE INDEX contact_account_email ON contact (account, email)",
    "CREATE INDEX purchase_account_occurred_on ON purchase (account, occurred_on)",
    "CREATE INDEX account_name_id ON account (name, id)",
    "CREATE INDEX account_manager_name_id ON account (manager, name, id)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMPOSITE_INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
