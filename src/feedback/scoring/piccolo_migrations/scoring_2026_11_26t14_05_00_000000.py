"""Fill the new columns of existing scores, and the indexes of an account's history and a
day's pages."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T14:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "score history and drifting page indexes"

# The bands as they were when this migration was written (low, medium, high, critical).
RANK = "CASE {band} WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END"
# An account's previous score: its score on the scored day before.
PREVIOUS = (
    "(SELECT {column} FROM scoring_score p WHERE p.account = scoring_score.account "
    "AND p.as_of = (SELECT MAX(q.as_of) FROM scoring_score q WHERE q.as_of < scoring_score.as_of))"
)
STATEMENTS = (
    "CREATE INDEX scoring_score_account_as_of ON scoring_score (account, as_of)",
    "UPDATE scoring_score SET risk_value = probability * revenue_12m, "
    f"previous_probability = {PREVIOUS.format(column='p.probability')}, "
    f"rose = ({RANK.format(band='band')}) > "
    f"COALESCE({PREVIOUS.format(column=RANK.format(band='p.band'))}, 3)",
    # The pages of a day walk these in order; the trailing account lets an account
    # manager's portfolio be checked in the index, before any row is read.
    "CREATE INDEX scoring_score_as_of_risk_value ON scoring_score (as_of, risk_value, id, account)",
    "CREATE INDEX scoring_score_as_of_band_risk_value "
    "ON scoring_score (as_of, band, risk_value, id, account)",
    "CREATE INDEX scoring_score_as_of_rose_probability "
    "ON scoring_score (as_of, rose, probability, id, account)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scoring", description=DESCRIPTION)

    async def fill_and_index() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(fill_and_index)
    return manager
