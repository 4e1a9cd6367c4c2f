"""Composite indexes for the complaint queue, the deadline job and the history."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T11:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "complaint queue indexes"

COMPOSITE_INDEXES = (
    "CREATE INDEX complaint_state_next_due_at ON complaint (state, next_due_at)",
    "CREATE INDEX complaint_assignee_state_next_due_at "
    "ON complaint (assignee, state, next_due_at)",
    "CREATE INDEX complaint_account_state ON complaint (account, state)",
    "CREATE INDEX complaint_event_complaint_id ON complaint_event (complaint, id)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMPOSITE_INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
