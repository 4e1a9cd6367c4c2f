"""`feedback scoring train` and `evaluate` on a fresh SQLite file and a fresh PostgreSQL database
(sync tests: the command runs its own event loop)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result

from feedback.accounts import staff
from feedback.clock import SystemClock
from feedback.config import TierThresholds
from feedback.demo.seed import seed
from feedback.demo.simulator import simulate
from feedback.scoring import registry
from tests.conftest import _create_postgres_database, _drop_postgres_database
from tests.integration.test_survey_commands import on_database

TODAY = SystemClock().today()
EVALUATED = TODAY - dt.timedelta(days=180)


def run(url: str, *args: str) -> Result:
    env = {"FEEDBACK_ENV": "test", "FEEDBACK_DATABASE_URL": url}
    return CliRunner().invoke(main_command(), list(args), env=env)


def main_command():  # type: ignore[no-untyped-def]
    from feedback.cli import main

    return main


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def customers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind with 300 simulated accounts and three years of
    purchases up to today, shared by this module's tests (they only add model versions)."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('scoring') / 'scoring.sqlite3'}"
    else:
        name, url = asyncio.run(_create_postgres_database())
    migrated = run(url, "db", "migrate")
    assert migrated.exit_code == 0, migrated.output
    simulation = simulate(TODAY, accounts=300, seed=4)

    async def load() -> None:
        await seed(
            simulation, SystemClock().now(), TierThresholds(), base_url="https://feedback.example"
        )

    with pytest.MonkeyPatch.context() as patch:
        # The seed creates 15 staff users; Argon2id at full cost would dominate.
        patch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=8192))
        on_database(url, load)
    yield url
    if name:
        asyncio.run(_drop_postgres_database(name))


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
    ("args", "message"),
    [
        (["train", "--as-of", "2020-01-01"], "there are no purchases"),
        (
            ["train", "--as-of", str(TODAY - dt.timedelta(days=700))],
            "not enough history to train with a 180-day horizon as of "
            f"{TODAY - dt.timedelta(days=700)}",
        ),
        (
            ["evaluate", "--as-of", str(TODAY - dt.timedelta(days=10))],
            "labels are not known yet",
        ),
        (["evaluate", "--as-of", str(EVALUATED), "--folds", "1"], "--folds"),
        (["train", "--horizon-days", "0"], "--horizon-days"),
    ],
)
def test_bad_requests_end_with_a_message_and_no_traceback(
    customers: str, args: list[str], message: str
) -> None:
    result = run(customers, "scoring", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, (ValueError, RuntimeError, TypeError))
