"""Full-text indexes of complaints and their notes: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Both index the words as they are written (no stemming, no stop words), so a search finds the
same complaints on either engine. An index on the complaint's contact finds a contact's
complaints when staff search by email.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "complaint full-text search indexes"

TEXT_COLUMNS = "description, apology_message, findings, resolution"
NEW_TEXT = "new.id, new.description, new.apology_message, new.findings, new.resolution"
OLD_TEXT = "old.id, old.description, old.apology_message, old.findings, old.resolution"
NOTE_TEXT = "json_extract({row}.content, '$.text')"

# External-content FTS5 tables: the words are indexed, the text stays in its own table, and
# triggers keep the index in step with every insert, update and delete (cascades included).
SQLITE = (
    f"CREATE VIRTUAL TABLE complaint_text USING fts5({TEXT_COLUMNS}, content='complaint', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER complaint_text_insert AFTER INSERT ON complaint BEGIN "
    f"INSERT INTO complaint_text(rowid, {TEXT_COLUMNS}) VALUES ({NEW_TEXT}); END",
    "CREATE TRIGGER complaint_text_delete AFTER DELETE ON complaint BEGIN "
    f"INSERT INTO complaint_text(complaint_text, rowid, {TEXT_COLUMNS}) "
    f"VALUES ('delete', {OLD_TEXT}); END",
    f"CREATE TRIGGER complaint_text_update AFTER UPDATE OF {TEXT_COLUMNS} ON complaint BEGIN "
    f"INSERT INTO complaint_text(complaint_text, rowid, {TEXT_COLUMNS}) "
    f"VALUES ('delete', {OLD_TEXT}); "
    f"INSERT INTO complaint_text(rowid, {TEXT_COLUMNS}) VALUES ({NEW_TEXT}); END",
    "INSERT INTO complaint_text(complaint_text) VALUES ('rebuild')",
    # Notes are history rows: never edited, deleted only with their complaint.
    "CREATE VIEW complaint_note AS SELECT id, complaint, "
    f"{NOTE_TEXT.format(row='complaint_event')} AS text FROM complaint_event WHERE kind = 'note'",
    "CREATE VIRTUAL TABLE complaint_note_text USING fts5(text, content='complaint_note', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER complaint_note_text_insert AFTER INSERT ON complaint_event "
    "WHEN new.kind = 'note' BEGIN INSERT INTO complaint_note_text(rowid, text) "
    f"VALUES (new.id, {NOTE_TEXT.format(row='new')}); END",
    "CREATE TRIGGER complaint_note_text_delete AFTER DELETE ON complaint_event "
    "WHEN old.kind = 'note' BEGIN INSERT INTO complaint_note_text(complaint_note_text, rowid, "
    f"text) VALUES ('delete', old.id, {NOTE_TEXT.format(row='old')}); END",
    "INSERT INTO complaint_note_text(complaint_note_text) VALUES ('rebuild')",
    "CREATE INDEX complaint_contact ON complaint (contact)",
)

# Generated columns: PostgreSQL computes the vector on every write, in the same statement.
POSTGRES = (
    "ALTER TABLE complaint ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', description || ' ' || apology_message || ' ' || findings || ' ' "
    "|| resolution)) STORED",
    "CREATE INDEX complaint_search_vector ON complaint USING GIN (search_vector)",
    "ALTER TABLE complaint_event ADD COLUMN note_vector tsvector GENERATED ALWAYS AS "
    "(CASE WHEN kind = 'note' THEN to_tsvector('simple', coalesce(content->>'text', '')) END) "
    "STORED",
    "CREATE INDEX complaint_event_note_vector ON complaint_event USING GIN (note_vector) "
    "WHERE kind = 'note'",
    "CREATE INDEX complaint_contact ON complaint (contact)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
