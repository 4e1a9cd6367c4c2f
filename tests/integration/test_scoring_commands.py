"""`feedback scoring train` and `evaluate` on a fresh SQLite file and a fresh PostgreSQL database
(sync tests: the command runs its own event loop)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from feedback.config import Settings, TierThresholds
from feedback.demo.seed import seed
from feedback.demo.simulator import simulate
from feedback.scoring import registry, services
from feedback.scoring.bands import BANDS, Band, band_ranks, rose
from feedback.scoring.features import features_at
from feedback.scoring.reason_codes import FIGURES, ReasonCode
from feedback.scoring.reasons import MIN_WEIGHT
from feedback.scoring.records import day_number
from feedback.scoring.scores import ScoreRun, score_if_due
from feedback.scoring.tables import ScoringScore
from tests.conftest import NOW, TODAY, command_env
from tests.support.databases import empty_database, on_database
from tests.support.passwords import cheap_password_hashing

EVALUATED = TODAY - dt.timedelta(days=180)


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main_command(), list(args), env=command_env(url))


def main_command():  # type: ignore[no-untyped-def]
    from feedback.cli import main

    return main


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def customers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind with 300 simulated accounts and three years of
    purchases up to today, shared by this module's tests (they only add model versions)."""
    simulation = simulate(TODAY, accounts=300, seed=4)

    async def load() -> None:
        await seed(simulation, NOW, Settings(base_url="https://feedback.example"))

    with empty_database(request.param, tmp_path_factory.mktemp("scoring")) as url:
        migrated = run(url, "db", "migrate")
        assert migrated.exit_code == 0, migrated.output
        # The seed creates 15 staff users; Argon2id at full cost would dominate.
        with cheap_password_hashing():
            on_database(url, load)
        yield url


def test_train_registers_a_model_and_evaluate_prints_its_figures(customers: str) -> None:
    trained = run(customers, "scoring", "train", "--horizon-days", "180")
    assert trained.exit_code == 0, trained.output
    assert trained.output.startswith("model version ")
    assert f"validated on {EVALUATED}" in trained.output
    stored = on_database(customers, registry.load_model)
    assert f"model version {stored.record.version}: {stored.record.estimator}" in trained.output
    assert stored.record.horizon_days == 180

    evaluated = run(customers, "scoring", "evaluate", "--as-of", str(EVALUATED), "--folds", "3")
    assert evaluated.exit_code == 0, evaluated.output
    for heading in ("ROC AUC", "PR AUC", "Brier score", "top decile"):
        assert heading in evaluated.output


def test_evaluate_json_is_one_object_with_the_agreed_keys(customers: str) -> None:
    result = run(
        customers, "scoring", "evaluate", "--as-of", str(EVALUATED), "--folds", "3", "--json"
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert {"roc_auc", "pr_auc", "brier", "n_accounts", "positive_rate"} <= set(figures)
    assert isinstance(figures["n_accounts"], int)
    assert figures["n_accounts"] > 200
    assert 0.5 < figures["roc_auc"] <= 1
    assert 0 < figures["positive_rate"] < 1
    assert 0 <= figures["brier"] < figures["positive_rate"]
    assert (figures["as_of"], figures["horizon_days"], figures["folds"]) == (str(EVALUATED), 180, 3)


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (["train", "--as-of", "2020-01-01"], "there are no purchases", 2),
        (
            ["train", "--as-of", str(TODAY - dt.timedelta(days=700))],
            "not enough history to train with a 180-day horizon as of "
            f"{TODAY - dt.timedelta(days=700)}",
            2,
        ),
        (
            ["evaluate", "--as-of", str(TODAY - dt.timedelta(days=10))],
            "labels are not known yet",
            1,
        ),
        (["evaluate", "--as-of", str(EVALUATED), "--folds", "1"], "--folds", 2),
        (
            ["evaluate", "--as-of", str(EVALUATED), "--folds", "280"],
            "fewer than the 280 folds asked for, and each fold needs at least one: use --folds ",
            2,
        ),
        (["train", "--horizon-days", "0"], "--horizon-days", 2),
    ],
)
def test_bad_requests_end_with_a_message_and_no_traceback(
    customers: str, args: list[str], message: str, exit_code: int
) -> None:
    result = run(customers, "scoring", *args)
    assert result.exit_code == exit_code, result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert message in error
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, (ValueError, RuntimeError, TypeError))


def _scores(url: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        return await ScoringScore.select().order_by(ScoringScore.id)

    return on_database(url, read)


def _features(url: str, day: dt.date) -> dict[int, dict[str, float]]:
    async def read() -> dict[int, dict[str, float]]:
        table = features_at(await services.load_records(day), day_number(day))
        return {
            int(account): dict(zip(table.numeric_names, row.tolist(), strict=True))
            for account, row in zip(table.account_ids, table.numeric, strict=True)
        }

    return on_database(url, read)


# The codes of the recency group's reasons: no other group speaks of the last purchase.
RECENCY = {ReasonCode.never_bought, ReasonCode.no_purchase_since_first,
           ReasonCode.purchase_overdue}  # fmt: skip


def test_score_keeps_a_history_with_bands_reasons_and_the_accounts_that_rose(
    customers: str,
) -> None:
    assert run(customers, "scoring", "train").exit_code == 0
    earlier, today = TODAY - dt.timedelta(days=120), TODAY
    first = run(customers, "scoring", "score", "--as-of", str(earlier))
    assert first.exit_code == 0, first.output
    assert "0 account(s) rose into a higher band" in first.output, "no earlier score to rise from"

    def daily() -> Awaitable[ScoreRun | None]:
        return score_if_due(today, TierThresholds(), NOW)

    periodic = on_database(customers, daily)
    assert periodic is not None
    assert periodic.as_of == today
    assert on_database(customers, daily) is None, "once a day"
    second = run(customers, "scoring", "score", "--as-of", str(today))
    assert second.exit_code == 0, second.output
    again = run(customers, "scoring", "score", "--as-of", str(today))
    assert again.output == second.output, "a rerun on the same day replaces the day's scores"

    rows = _scores(customers)
    by_day = {day: [r for r in rows if r["as_of"] == day] for day in (earlier, today)}
    features = _features(customers, today)
    assert sorted(r["account"] for r in by_day[today]) == sorted(features)
    counts = {band: sum(r["band"] == band.value for r in by_day[today]) for band in Band}
    assert f"scored {len(features)} account(s) on {today}" in second.output
    assert ", ".join(f"{b.value} {n}" for b, n in counts.items()) in second.output
    probabilities = np.array([r["probability"] for r in by_day[today]])
    assert [BANDS[r] for r in band_ranks(probabilities)] == [r["band"] for r in by_day[today]]
    assert len(set(probabilities.round(6))) > 10, "scores differ between accounts"

    before = {r["account"]: r["probability"] for r in by_day[earlier]}
    risen = {
        r["account"]
        for r in by_day[today]
        if r["account"] in before
        and rose(np.array([before[r["account"]]]), np.array([r["probability"]]))[0]
    }
    assert f"{len(risen)} account(s) rose into a higher band" in second.output

    recency_reasons, satisfaction_reasons = 0, 0
    for row in by_day[today]:
        reasons = json.loads(row["reasons"]) if isinstance(row["reasons"], str) else row["reasons"]
        weights = [reason["weight"] for reason in reasons]
        assert weights == sorted(weights, reverse=True)
        assert len(reasons) <= 3
        assert all(weight >= MIN_WEIGHT for weight in weights)
        values = features[row["account"]]
        for reason in reasons:
            # The row keeps a code and its figures, never words.
            assert set(reason) == {"group", "weight", "code", "figures"}
            code, figures = ReasonCode(reason["code"]), reason["figures"]
            assert set(figures) <= set(FIGURES[code])
            if code in (ReasonCode.level_dropped, ReasonCode.satisfaction_level):
                satisfaction_reasons += 1
                assert re.fullmatch(r"\d{4}-H[12]", figures["wave"]), figures
                assert figures["level"] == values["survey_latest_level"]
            assert (code in RECENCY) == (reason["group"] == "recency"), reason
            if code is ReasonCode.purchase_overdue:
                recency_reasons += 1
                assert figures["days"] == round(values["days_since_last_purchase"])
                assert figures["usual_gap"] == round(values["mean_gap_days"])
    assert recency_reasons > 0, "in a simulated book, silence drives some accounts' risk"
    assert satisfaction_reasons > 0, "and so do survey levels, named by the wave's period"


def test_score_without_a_model_says_to_train_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert run(url, "db", "migrate").exit_code == 0
    result = run(url, "scoring", "score")
    assert result.exit_code != 0
    assert "no churn model has been trained" in result.output
    assert "Traceback" not in result.output
