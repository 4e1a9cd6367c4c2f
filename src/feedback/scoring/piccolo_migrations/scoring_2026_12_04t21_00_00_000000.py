"""Stored reasons become codes with figures: the English text of a score stored before keeps
the code worded_before_codes, with the text as its one figure.

Old texts are not parsed back into codes: they round their figures and join several in one
sentence whose shape depends on the data, so a parser would be a second, English-only grammar
of the reasons. Scoring replaces a day's rows when it runs again, so the latest day (what
pages and reports read first) is worded in every language after the next scoring run; the
history keeps its English words.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "churn reasons stored as codes with figures"

# Each reason {"group", "weight", "text"} -> {"group", "weight", "code", "figures": {"text"}};
# rows already holding codes are left alone, so running it again changes nothing.
CONVERT = {
    "sqlite": (
        "UPDATE scoring_score SET reasons = (SELECT json_group_array(json_object("
        "'group', json_extract(r.value, '$.group'), 'weight', json_extract(r.value, '$.weight'), "
        "'code', 'worded_before_codes', "
        "'figures', json_object('text', json_extract(r.value, '$.text')))) "
        "FROM json_each(scoring_score.reasons) AS r) "
        "WHERE EXISTS (SELECT 1 FROM json_each(scoring_score.reasons) AS r "
        "WHERE json_extract(r.value, '$.code') IS NULL)"
    ),
    "postgres": (
        "UPDATE scoring_score SET reasons = (SELECT COALESCE(json_agg(json_build_object("
        "'group', r->'group', 'weight', r->'weight', 'code', 'worded_before_codes', "
        "'figures', json_build_object('text', r->'text')) ORDER BY n), '[]'::json) "
        "FROM json_array_elements(scoring_score.reasons::json) WITH ORDINALITY AS e(r, n)) "
        "WHERE EXISTS (SELECT 1 FROM json_array_elements(scoring_score.reasons::json) AS r "
        "WHERE r->>'code' IS NULL)"
    ),
}


async def convert_reasons() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl(CONVERT[engine.engine_type])


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scoring", description=DESCRIPTION)
    manager.add_raw(convert_reasons)
    return manager
