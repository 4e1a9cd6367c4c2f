"""Training and evaluation on tiny and lopsided histories, on both engines: a model, or one
plain sentence with the counts; never a library warning and never more folds than the rarer
class has accounts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable
from decimal import Decimal
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feedback.accounts.tables import Account, Purchase
from feedback.config import TierThresholds
from feedback.db import Database
from feedback.errors import TooLittleData
from feedback.scoring import registry, services
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import ChurnRule
from feedback.scoring.training import MIN_PER_CLASS
from tests.conftest import NOW, TODAY
from tests.support.databases import empty_tables

T = TypeVar("T")
RULE = ChurnRule(horizon_days=90)
START = TODAY - dt.timedelta(days=800)
# Stoppers buy for 100 days, then never again: churned (silent for the whole horizon) at every
# snapshot train and evaluate take. Steady accounts buy at least every 60 days up to today:
# never silent for 90 days, so retained at every snapshot. Accounts closed early are active at
# no snapshot and count for neither (there is always one, so that there are purchases).
STOPPED = START + dt.timedelta(days=100)
EVALUATED = TODAY - dt.timedelta(days=RULE.horizon_days)
COUNTS = re.compile(r"(\d+) account\(s\) churned and (\d+) did not|only (\d+) account\(s\) ")


async def _history(steady: list[int], stoppers: int, closed: int) -> None:
    """Accounts with their purchases; ``steady`` holds each steady buyer's days between buys."""
    kinds = [("S", gap, TODAY) for gap in steady]
    kinds += [("X", 30, STOPPED)] * stoppers + [("C", 30, STOPPED)] * closed
    purchases = []
    for n, (kind, gap, last) in enumerate(kinds):
        closed_on = START + dt.timedelta(days=50) if kind == "C" else None
        status = "closed" if closed_on else "active"
        account = Account(code=f"{kind}{n}", name=f"Customer {n}", opened_on=START,
                          closed_on=closed_on, status=status)  # fmt: skip
        await account.save()
        day, k = START, 0
        while day <= min(last, closed_on or last):
            amount = Decimal(100 + n % 7)
            purchases.append(Purchase(account=account.id, occurred_on=day, amount=amount,
                                      external_ref=f"{n}-{k}"))  # fmt: skip
            day, k = day + dt.timedelta(days=gap), k + 1
    if purchases:
        await Purchase.insert(*purchases)


def _stated_counts(message: str) -> tuple[int, int] | int:
    match = COUNTS.search(message)
    assert match, message
    if match.group(1):
        return int(match.group(1)), int(match.group(2))
    return int(match.group(3))


async def _outcome(work: Awaitable[T]) -> tuple[T | None, str]:
    """What the work gave, or the sentence that refused it."""
    try:
        return await work, ""
    except TooLittleData as refused:
        return None, refused.message


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(steady=[30] * 12, stoppers=11, closed=1, folds=5)  # enough, and folds fit
@example(steady=[20] * 24, stoppers=10, closed=1, folds=11)  # enough, but too many folds
@example(steady=[45] * 24, stoppers=3, closed=2, folds=3)  # lopsided
@given(
    steady=st.lists(st.integers(min_value=7, max_value=60), max_size=24),
    stoppers=st.integers(min_value=0, max_value=24),
    closed=st.integers(min_value=1, max_value=3),
    folds=st.integers(min_value=2, max_value=14),
)
async def test_train_and_evaluate_learn_or_say_why_in_one_sentence(
    db: Database, steady: list[int], stoppers: int, closed: int, folds: int
) -> None:
    try:
        await _history(steady, stoppers, closed)
        rarer = min(len(steady), stoppers)
        enough = rarer >= MIN_PER_CLASS
        counts = (stoppers, len(steady))

        record, trained = await _outcome(services.train(TODAY, RULE, TierThresholds(), NOW))
        if enough:
            assert record is not None, trained
            assert (await registry.load_model()).record.version == record.version
        else:
            assert _stated_counts(trained) == counts, trained
            assert f"at least {MIN_PER_CLASS} of each" in trained

        evaluation, evaluated = await _outcome(
            services.evaluate(EVALUATED, RULE, folds, FeatureRules(), TODAY)
        )
        if not enough:
            assert _stated_counts(evaluated) == counts, evaluated
        elif folds > rarer:
            assert _stated_counts(evaluated) == rarer, evaluated
            assert f"use --folds {rarer} or fewer" in evaluated
        else:
            assert evaluation is not None, evaluated
            assert evaluation.metrics["n_accounts"] == len(steady) + stoppers
            assert evaluation.metrics["positive_rate"] == pytest.approx(
                stoppers / (len(steady) + stoppers)
            )
    finally:
        await empty_tables(db)
