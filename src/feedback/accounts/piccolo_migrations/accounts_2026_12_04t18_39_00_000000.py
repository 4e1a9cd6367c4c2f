"""Indexes for an account's contact timeline and its last visit and call."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T18:39:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contact log indexes"

COMPOSITE_INDEXES = (
    "CREATE INDEX contact_log_account_happened_on ON contact_log (account, happened_on, id)",
    "CREATE INDEX contact_log_account_kind_happened_on ON contact_log (account, kind, happened_on)",
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
