"""`feedback scoring`: train a churn model and evaluate the training procedure."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import click

from feedback.config import Settings
from feedback.runtime import run_on_database
from feedback.scoring import registry, scores, services
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import DEFAULT_HORIZON_DAYS, ChurnRule

__all__ = ["scoring_group"]

DATE = click.DateTime(["%Y-%m-%d"])


def _horizon_option(function: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--horizon-days",
        type=click.IntRange(min=1),
        default=DEFAULT_HORIZON_DAYS,
        show_default=True,
        help="Churn within this many days after a snapshot.",
    )(function)


@click.group("scoring")
def scoring_group() -> None:
    """Churn models: train, evaluate, score."""


@scoring_group.command("train")
@click.option("--as-of", type=DATE, default=None, help="The last day of data (default: today).")
@_horizon_option
def train(as_of: dt.datetime | None, horizon_days: int) -> None:
    """Train on past snapshots whose horizons have elapsed and register the chosen model."""

    async def work(settings: Settings) -> registry.ModelRecord:
        clock = settings.clock()
        day = as_of.date() if as_of else clock.today()
        rule = ChurnRule(horizon_days=horizon_days)
        return await services.train(
            day, rule, settings.tier_thresholds, clock.now(), settings.contact_standards
        )

    record = run_on_database(work)
    validation = record.metrics["validation"]
    candidates = ", ".join(
        f"{name} {auc:.4f}" for name, auc in record.metrics["candidates_roc_auc"].items()
    )
    click.echo(
        f"model version {record.version}: {record.estimator}, trained on "
        f"{record.metrics['training_snapshots']} snapshot(s) {record.training_from} to "
        f"{record.training_to}, validated on {record.validated_on}"
    )
    click.echo(f"validation ROC AUC by candidate: {candidates}")
    click.echo(
        f"chosen, calibrated: ROC AUC {validation['roc_auc']:.4f}, PR AUC "
        f"{validation['pr_auc']:.4f}, Brier {validation['brier']:.4f}"
    )


@scoring_group.command("evaluate")
@click.option("--as-of", type=DATE, required=True, help="The snapshot day.")
@_horizon_option
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate(as_of: dt.datetime, horizon_days: int, folds: int, as_json: bool) -> None:
    """Out-of-sample quality on the snapshot at --as-of, K-fold over accounts."""

    async def work(settings: Settings) -> services.Evaluation:
        rule = ChurnRule(horizon_days=horizon_days)
        rules = FeatureRules(settings.tier_thresholds, settings.contact_standards)
        return await services.evaluate(as_of.date(), rule, folds, rules, settings.clock().today())

    result = run_on_database(work)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "as_of": result.as_of.isoformat(),
                    "horizon_days": result.horizon_days,
                    "folds": result.folds,
                    **result.metrics,
                    "n_accounts": int(result.metrics["n_accounts"]),
                    "recency_roc_auc": result.recency_roc_auc,
                }
            )
        )
    else:
        _print_evaluation(result)


def _print_evaluation(result: services.Evaluation) -> None:
    metrics = result.metrics
    click.echo(
        f"snapshot {result.as_of}, horizon {result.horizon_days} days, {result.folds} folds: "
        f"{int(metrics['n_accounts'])} accounts, {metrics['positive_rate']:.1%} churned"
    )
    click.echo(
        f"ROC AUC      {metrics['roc_auc']:.4f} (recency alone {result.recency_roc_auc:.4f})"
    )
    click.echo(f"PR AUC       {metrics['pr_auc']:.4f}")
    click.echo(f"Brier score  {metrics['brier']:.4f}")
    click.echo(
        f"top decile   precision {metrics['top_decile_precision']:.1%}, "
        f"lift {metrics['top_decile_lift']:.2f}"
    )


@scoring_group.command("score")
@click.option("--as-of", type=DATE, default=None, help="The day to score (default: today).")
def score(as_of: dt.datetime | None) -> None:
    """Score every active account with the latest model; keep the history, list risers."""

    async def work(settings: Settings) -> scores.ScoreRun:
        clock = settings.clock()
        day = as_of.date() if as_of else clock.today()
        return await scores.score_accounts(
            day, settings.tier_thresholds, clock.now(), settings.contact_standards
        )

    for line in run_on_database(work).lines():
        click.echo(line)
