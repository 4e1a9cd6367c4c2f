"""Churn scoring on a real database: bulk history reads, training, evaluation, the registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from feedback.accounts.history import NEVER, NO_DAY
from feedback.accounts.tables import Account, AttributeDefinition, Contact, Purchase
from feedback.clock import FrozenClock
from feedback.config import Settings, TierThresholds
from feedback.db import Database
from feedback.demo.seed import seed
from feedback.demo.simulator import simulate
from feedback.errors import InvalidInput, NotFound, TooLittleData
from feedback.mail.services import MailContext
from feedback.scoring import registry, services
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import ChurnRule
from feedback.scoring.records import date_of, day_number
from feedback.scoring.tables import ScoringScore
from feedback.surveys.answers import record_response
from feedback.surveys.issuance import issue_wave
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave, create_wave
from feedback.surveys.tables import Response
from tests.support.factories import make_contact_log, make_scores

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

AS_OF = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)
MAIL = MailContext(base_url="https://survey.example.com")


async def _book() -> dict[str, int]:
    """Three accounts with purchases, attributes and a closing; ids by code."""
    await AttributeDefinition.insert(
        AttributeDefinition(name="plan", kind="categorical"),
        AttributeDefinition(name="seats", kind="numeric"),
    )
    ids = {}
    for code, opened, closed, attributes in (
        ("A", dt.date(2024, 1, 5), None, '{"plan": "basic", "seats": 4}'),
        ("B", None, dt.date(2026, 3, 1), '{"plan": null}'),
        ("C", dt.date(2025, 2, 1), None, "{}"),
    ):
        row = Account(
            code=code,
            name=code,
            industry="Retail",
            region="Nordics",
            opened_on=opened,
            closed_on=closed,
            status="closed" if closed else "active",
            attributes=attributes,
        )
        await row.save()
        ids[code] = int(row.id)
        await Contact(account=row.id, email=f"{code.lower()}@x.com").save()
    purchases = [
        ("C", dt.date(2026, 1, 2), "10.50"),
        ("A", dt.date(2025, 6, 1), "100.25"),
        ("A", dt.date(2024, 2, 1), "7.00"),
        ("A", dt.date(2026, 12, 1), "1.00"),  # after the as-of day
    ]
    for n, (code, day, amount) in enumerate(purchases):
        await Purchase(
            account=ids[code], occurred_on=day, amount=Decimal(amount), external_ref=f"r{n}"
        ).save()
    return ids


async def test_history_reads_come_back_as_exact_columns(db: Database) -> None:
    ids = await _book()
    book = await services.load_records(AS_OF)
    assert book.account_ids.tolist() == sorted(ids.values())
    a, b, c = (book.account_ids.tolist().index(ids[code]) for code in "ABC")
    assert book.opened[a] == day_number(dt.date(2024, 1, 5))
    assert book.opened[b] == NO_DAY
    assert book.closed[b] == day_number(dt.date(2026, 3, 1))
    assert book.closed[a] == NEVER
    assert book.categorical_attributes["plan"].tolist() == ["basic", "", ""]
    np.testing.assert_array_equal(book.numeric_attributes["seats"], [4.0, np.nan, np.nan])
    assert book.industry.tolist() == ["Retail"] * 3
    purchases = book.purchases
    assert purchases.account.tolist() == [a, a, c]
    assert purchases.day.tolist() == [
        day_number(dt.date(2024, 2, 1)),
        day_number(dt.date(2025, 6, 1)),
        day_number(dt.date(2026, 1, 2)),
    ]
    assert purchases.amount.tolist() == [7.0, 100.25, 10.5]


async def test_survey_levels_are_read_per_wave_and_account(db: Database) -> None:
    ids = await _book()
    for period, closes, level in (
        ("2025-H2", dt.date(2025, 12, 15), 3),
        ("2026-H1", dt.date(2026, 6, 15), None),
    ):
        now = dt.datetime.combine(closes - dt.timedelta(days=5), dt.time(12), dt.UTC)
        await create_wave(period, now, opens_on=closes - dt.timedelta(days=20), closes_on=closes)
        for link in await issue_wave(period, now, MAIL):
            if level is not None and link.account_code == "A":
                await record_response(link.link.rpartition("/")[2], Answer(level=level), now)
        await close_wave(period, now)
    assert await Response.count() == 1
    surveys = (await services.load_records(AS_OF)).surveys
    a, b, c = (sorted(ids.values()).index(ids[code]) for code in "ABC")
    # B closed on 2026-03-01: asked (and silent) in 2025-H2, not asked in 2026-H1.
    assert list(
        zip(
            surveys.account.tolist(),
            surveys.closing_day.tolist(),
            [surveys.periods[wave] for wave in surveys.wave.tolist()],
            surveys.level.tolist(),
            strict=True,
        )
    ) == [
        (a, day_number(dt.date(2025, 12, 15)), "2025-H2", 3),
        (a, day_number(dt.date(2026, 6, 15)), "2026-H1", -1),
        (b, day_number(dt.date(2025, 12, 15)), "2025-H2", -1),
        (c, day_number(dt.date(2025, 12, 15)), "2025-H2", -1),
        (c, day_number(dt.date(2026, 6, 15)), "2026-H1", -1),
    ]


async def test_the_contact_log_is_read_whole_by_account_then_day(db: Database) -> None:
    ids = await _book()
    await make_contact_log(ids["C"], (dt.date(2026, 10, 2), "call"), (dt.date(2026, 3, 9), "visit"))
    await make_contact_log(
        ids["A"],
        (dt.date(2026, 12, 3), "visit"),  # after the day the records are read up to
        (dt.date(2025, 1, 20), "email"),
        (dt.date(2026, 5, 4), "call"),
    )
    contacts = (await services.load_records(AS_OF)).contacts
    a, c = (sorted(ids.values()).index(ids[code]) for code in "AC")
    assert contacts.kinds == ("visit", "call", "email")
    assert list(
        zip(
            contacts.account.tolist(),
            [contacts.kinds[kind] for kind in contacts.kind.tolist()],
            [date_of(day) for day in contacts.day.tolist()],
            strict=True,
        )
    ) == [
        (a, "email", dt.date(2025, 1, 20)),
        (a, "call", dt.date(2026, 5, 4)),
        (a, "visit", dt.date(2026, 12, 3)),
        (c, "visit", dt.date(2026, 3, 9)),
        (c, "call", dt.date(2026, 10, 2)),
    ]
    assert contacts.day.dtype == contacts.kind.dtype == contacts.account.dtype == np.int64


async def test_training_registers_a_version_that_loads_and_predicts_alike(
    db: Database, clock: FrozenClock
) -> None:
    simulation = simulate(AS_OF, accounts=400, seed=21)
    await seed(simulation, clock.now(), Settings(base_url="https://feedback.example"))
    with pytest.raises(NotFound):
        await registry.load_model()
    first = await services.train(AS_OF, ChurnRule(), TierThresholds(), clock.now())
    second = await services.train(AS_OF, ChurnRule(), TierThresholds(), clock.now())
    assert (first.version, second.version) == (1, 2)
    assert first.validated_on == AS_OF - dt.timedelta(days=180)
    assert first.training_to == AS_OF - dt.timedelta(days=360)
    assert first.training_from < first.training_to
    assert first.metrics["selection_metric"] == "roc_auc"
    assert set(first.metrics["candidates_roc_auc"]) == {"gradient_boosting", "logistic_regression"}

    stored = await registry.load_model(1)
    assert stored.record == dataclasses.replace(first, created_at=stored.record.created_at)
    assert stored.record.created_at == clock.now()
    book = await services.load_records(AS_OF)
    frame = services.training.frame_at(
        book, day_number(first.validated_on), ChurnRule(), FeatureRules()
    )
    assert frame.features.names == stored.record.numeric_names + stored.record.categorical_names
    rows = frame.features.matrix()
    fresh = await services.train(AS_OF, ChurnRule(), TierThresholds(), clock.now())
    latest = await registry.load_model()
    assert latest.record.version == fresh.version == 3
    np.testing.assert_allclose(
        latest.model.predict_proba(rows)[:, 1], stored.model.predict_proba(rows)[:, 1]
    )
    assert stored.record.metrics["validation"]["roc_auc"] == pytest.approx(
        first.metrics["validation"]["roc_auc"]
    )


async def test_training_without_enough_history_says_what_is_missing(
    db: Database, clock: FrozenClock
) -> None:
    await _book()
    with pytest.raises(InvalidInput, match="not enough history to train with a 180-day horizon"):
        await services.train(dt.date(2025, 3, 1), ChurnRule(), TierThresholds(), clock.now())
    # Enough history, but three accounts are too few to learn from.
    with pytest.raises(
        TooLittleData,
        match=r"in the validation snapshot of .*, \d account\(s\) churned and \d did not",
    ):
        await services.train(AS_OF, ChurnRule(), TierThresholds(), clock.now())


async def test_evaluation_refuses_a_horizon_that_has_not_elapsed(db: Database) -> None:
    with pytest.raises(InvalidInput, match="labels are not known yet"):
        await services.evaluate(dt.date(2026, 9, 1), ChurnRule(), 5, FeatureRules(), today=AS_OF)


async def _links(day: dt.date) -> dict[int, tuple[float, float | None, bool]]:
    rows = await ScoringScore.select(
        ScoringScore.account, ScoringScore.risk_value, ScoringScore.previous_probability,
        ScoringScore.rose,
    ).where(ScoringScore.as_of == day)  # fmt: skip
    return {
        r["account"]: (r["risk_value"], r["previous_probability"], bool(r["rose"])) for r in rows
    }


async def test_a_score_keeps_its_value_at_risk_and_the_day_befores_score_even_when_late(
    db: Database,
) -> None:
    ids = await _book()
    a, b, c = (ids[code] for code in "ABC")
    first, second, third = (dt.date(2026, 11, day) for day in (1, 8, 15))
    await make_scores(first, {a: (0.05, 100.0), b: (0.30, 10.0)})
    await make_scores(third, {a: (0.60, 100.0), b: (0.20, 10.0), c: (0.40, 2.0)})
    assert await _links(third) == {
        a: (60.0, 0.05, True),  # low -> critical
        b: (2.0, 0.30, False),  # high -> medium
        c: (pytest.approx(0.8), None, False),  # a first score rises from nothing
    }
    # The week in between, scored afterwards: the next day's rows follow it.
    await make_scores(second, {a: (0.70, 100.0), b: (0.05, 10.0)})
    assert await _links(second) == {a: (70.0, 0.05, True), b: (0.5, 0.30, False)}
    assert await _links(third) == {
        a: (60.0, 0.70, False),  # critical -> critical
        b: (2.0, 0.05, True),  # low -> medium
        c: (pytest.approx(0.8), None, False),
    }
    # Scoring the day again replaces it, and the links with it.
    await make_scores(second, {a: (0.01, 100.0)})
    assert await _links(second) == {a: (1.0, 0.05, False)}
    assert await _links(third) == {
        a: (60.0, 0.01, True),
        b: (2.0, None, False),  # not scored on the day before: no previous score
        c: (pytest.approx(0.8), None, False),
    }
    assert await ScoringScore.count() == 2 + 1 + 3
