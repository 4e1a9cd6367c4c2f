"""Composite unique and lookup indexes for invitations and responses."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T00:56:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

COMPOSITE_INDEXES = (
    "CREATE UNIQUE INDEX invitation_wave_contact ON invitation (wave, contact)",
    "CREATE INDEX invitation_wave_responded_at ON invitation (wave, responded_at)",
    "CREATE INDEX response_wave_account_level ON response (wave, account, level)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMPOSITE_INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
