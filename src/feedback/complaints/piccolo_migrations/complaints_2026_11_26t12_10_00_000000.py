"""An index for the queue of one assignee (and the unassigned), sorted by next deadline."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "complaint assignee queue index"

# (assignee, state, next_due_at) needs one state; the queue of an assignee spans all open
# states, so without this index the planner sorts every complaint the assignee ever had.
INDEX = "CREATE INDEX complaint_assignee_next_due_at ON complaint (assignee, next_due_at)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def create_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(INDEX)

    manager.add_raw(create_index)
    return manager
