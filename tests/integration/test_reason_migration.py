"""Scores stored with English reasons before reasons had codes, after the migration."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

from feedback.accounts.roles import Role
from feedback.accounts.tables import Account
from feedback.db import Database
from feedback.scoring.risk import account_history
from feedback.scoring.tables import ScoringScore
from tests.support.factories import make_staff_user
from tests.support.today import NOW, TODAY

MIGRATION = importlib.import_module(
    "feedback.scoring.piccolo_migrations.scoring_2026_12_04t21_00_00_000000"
)
OLD = [
    {"group": "recency", "weight": 0.15, "text": "no purchase for 164 days; usually every 90"},
    {"group": "complaints", "weight": 0.05, "text": 'one "past" its deadline, 1 still open'},
]
NEW = [{"group": "silence", "weight": 0.1, "code": "survey_silent", "figures": {}}]


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def test_old_reasons_keep_their_words_and_new_ones_their_codes(db: Database) -> None:
    account = Account(code="M-1", name="Old scores", tier="B", status="active")
    await account.save()
    days = [TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1), TODAY]
    await ScoringScore.insert(
        *(ScoringScore(account=account.id, as_of=day, scored_at=NOW, model_version=1,
                       probability=0.3, revenue_12m=100.0, risk_value=30.0, band="high",
                       reasons=json.dumps(reasons))
          for day, reasons in zip(days, (OLD, [], NEW), strict=True))
    )  # fmt: skip
    await MIGRATION.convert_reasons()
    await MIGRATION.convert_reasons()  # a second run changes nothing
    rows = await ScoringScore.select(ScoringScore.reasons).order_by(ScoringScore.as_of)
    assert [_loaded(row["reasons"]) for row in rows] == [
        [
            {"group": r["group"], "weight": r["weight"], "code": "worded_before_codes",
             "figures": {"text": r["text"]}}
            for r in OLD
        ],
        [],
        NEW,
    ]  # fmt: skip
    admin = await make_staff_user(Role.admin, NOW)
    for language in ("en", "zh"):
        history = await account_history("M-1", admin, language)
        assert [r.text for r in history.items[0].reasons] == [r["text"] for r in OLD]
    chinese = await account_history("M-1", admin, "zh")
    assert [r.text for r in chinese.items[-1].reasons] == ["未回答最近一轮问卷"]
