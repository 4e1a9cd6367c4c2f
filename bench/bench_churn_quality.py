"""P8 on simulator data: the churn model against classical peers on the same K-fold split.

    .venv/bin/python -m bench.bench_churn_quality [--accounts 3000] [--seeds 7 8] [--folds 5]

For each simulator seed: a fresh SQLite database is loaded through the CSV import path
(`feedback demo`'s seed), the snapshot at as-of - horizon is read back through the scoring
service, and out-of-fold predictions for the same accounts and folds are made by

- the churn model: `feedback scoring evaluate`'s procedure (both candidates, choice and
  calibration inside each fold);
- BG/NBD's expected purchases in the horizon and a logistic regression on the CRM
  attributes, tuned by inner cross-validation (both in bench/peers.py);
- recency alone (days since the last purchase), as a floor.

This is simulator data, not real data: it shows the procedure and the comparison work,
not how the model fares on a real retailer's log.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
from argon2 import PasswordHasher

from bench import peers
from feedback.accounts import staff
from feedback.config import Settings
from feedback.demo.seed import seed
from feedback.demo.simulator import simulate
from feedback.scoring import services, training
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import ChurnRule
from feedback.scoring.records import CustomerRecords, day_number
from tests.support.databases import migrated_database

AS_OF = dt.date(2026, 11, 26)
HORIZON = 180


async def load(url: str, accounts: int, seed_number: int) -> CustomerRecords:
    async with migrated_database(url):
        simulation = simulate(AS_OF, accounts=accounts, seed=seed_number)
        await seed(
            simulation, dt.datetime.now(dt.UTC), Settings(base_url="https://feedback.example")
        )
        return await services.load_records(AS_OF)


def compare(accounts: int, seed_number: int, folds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="feedback-p8-") as directory:
        url = f"sqlite:///{Path(directory) / 'p8.sqlite3'}"
        records = asyncio.run(load(url, accounts, seed_number))
    day = day_number(AS_OF) - HORIZON
    frame = training.frame_at(records, day, ChurnRule(HORIZON), FeatureRules())
    started = time.perf_counter()
    model = training.cross_validated(frame, folds)
    seconds = time.perf_counter() - started
    with training.modelling():
        scores = {
            "bgnbd": -peers.bgnbd_scores(records, frame, folds, HORIZON)[0],
            "attribute_lr": peers.attribute_scores(frame, folds),
        }
    frame_day = AS_OF - dt.timedelta(days=HORIZON)
    figures = {
        "model": training.roc_auc(frame.labels, model),
        "bgnbd": training.roc_auc(frame.labels, scores["bgnbd"]),
        "attribute_lr": training.roc_auc(frame.labels, scores["attribute_lr"]),
        "recency": training.roc_auc(frame.labels, training.recency_rule(frame.features)),
    }
    print(
        f"seed {seed_number}: {len(frame.labels)} accounts active on {frame_day}, "
        f"{frame.labels.mean():.1%} churned within {HORIZON} days; model CV {seconds:.1f} s"
    )
    for name, value in figures.items():
        print(f"  ROC AUC {name:<13} {value:.4f}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    # The seed creates 15 staff users; their password hashing is not what is measured.
    staff._hasher = PasswordHasher(time_cost=1, memory_cost=8192)
    recovered = ", ".join(f"{value:.3f}" for value in peers.bgnbd_self_check())
    print(f"BG/NBD fit check: CDNOW parameters {peers.CDNOW} recovered as ({recovered})")
    results = [compare(args.accounts, number, args.folds) for number in args.seeds]
    for name in results[0]:
        print(f"mean ROC AUC {name:<13} {np.mean([r[name] for r in results]):.4f}")
    best_peer = max(np.mean([r[p] for r in results]) for p in ("bgnbd", "attribute_lr"))
    verdict = "meets" if np.mean([r["model"] for r in results]) >= best_peer else "misses"
    print(f"P8 on simulator data: the model {verdict} the best classical peer")


if __name__ == "__main__":
    main()
