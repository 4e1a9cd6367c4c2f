"""The index the deliverer uses to find due, unsent mail."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T00:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "due mail index"

INDEXES = ("CREATE INDEX outbox_message_unsent_due ON outbox_message (due_at) WHERE sent_at IS NULL",)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mail", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
