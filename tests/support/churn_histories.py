"""Hand-made customer records for churn rule tests: dates in, the arrays scoring reads out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from feedback.accounts.contact_entries import CONTACT_KINDS
from feedback.complaints.states import RootCause
from feedback.demo.customers import Simulation
from feedback.scoring.records import (
    ComplaintRecords,
    ContactRecords,
    CustomerRecords,
    SurveyLevels,
    day_number,
    purchase_days,
)
from feedback.surveys.waves import Period

OPEN = np.iinfo(np.int64).max // 2
UNKNOWN = np.iinfo(np.int64).min // 2


@dataclass(frozen=True)
class Complaint:
    """A complaint's milestones; None: not (yet) happened."""

    received: dt.date
    closed: dt.date | None = None
    breached: dt.date | None = None
    unsatisfied: dt.date | None = None
    investigated: dt.date | None = None
    root_cause: RootCause | None = None


@dataclass(frozen=True)
class Account:
    purchases: Sequence[tuple[dt.date, float]] = ()
    opened: dt.date | None = None
    closed: dt.date | None = None
    industry: str = "Retail"
    region: str = "Oceania"
    seats: float = float("nan")
    plan: str = ""
    # (closing day of the wave, level or -1 for silence); the wave's period follows the day
    waves: Sequence[tuple[dt.date, int]] = field(default_factory=tuple)
    complaints: Sequence[Complaint] = ()
    # (day, kind): visits, calls and emails in the contact log
    contacts: Sequence[tuple[dt.date, str]] = ()


def _day(day: dt.date | None) -> int:
    return OPEN if day is None else day_number(day)


def complaint_records(accounts: Sequence[Account]) -> ComplaintRecords:
    rows = sorted(
        ((i, c.received, c) for i, a in enumerate(accounts) for c in a.complaints),
        key=lambda row: (row[0], row[1]),
    )
    causes = list(RootCause)

    def column(values: list[int]) -> np.ndarray:  # type: ignore[type-arg]
        return np.array(values, dtype=np.int64)

    return ComplaintRecords(
        account=column([i for i, _, _ in rows]),
        received=column([day_number(c.received) for _, _, c in rows]),
        closed=column([_day(c.closed) for _, _, c in rows]),
        breached=column([_day(c.breached) for _, _, c in rows]),
        unsatisfied=column([_day(c.unsatisfied) for _, _, c in rows]),
        investigated=column([_day(c.investigated) for _, _, c in rows]),
        root_cause=column([causes.index(c.root_cause) if c.root_cause else -1 for _, _, c in rows]),
    )


def contact_records(accounts: Sequence[Account]) -> ContactRecords:
    rows = sorted(
        (i, day_number(day), CONTACT_KINDS.index(kind))
        for i, a in enumerate(accounts)
        for day, kind in a.contacts
    )
    return ContactRecords(
        account=np.array([r[0] for r in rows], dtype=np.int64),
        kind=np.array([r[2] for r in rows], dtype=np.int64),
        day=np.array([r[1] for r in rows], dtype=np.int64),
        kinds=CONTACT_KINDS,
    )


def records(accounts: Sequence[Account]) -> CustomerRecords:
    """Account i gets id i + 1."""
    rows = [
        (i, day_number(day), amount) for i, a in enumerate(accounts) for day, amount in a.purchases
    ]
    waves = sorted(
        (i, day_number(day), level) for i, a in enumerate(accounts) for day, level in a.waves
    )
    closings = sorted({day for a in accounts for day, _ in a.waves})
    wave_ids = {day_number(day): n for n, day in enumerate(closings, start=1)}
    return CustomerRecords(
        account_ids=np.arange(1, len(accounts) + 1, dtype=np.int64),
        opened=np.array([day_number(a.opened) if a.opened else UNKNOWN for a in accounts]),
        closed=np.array([day_number(a.closed) if a.closed else OPEN for a in accounts]),
        industry=np.array([a.industry for a in accounts]),
        region=np.array([a.region for a in accounts]),
        numeric_attributes={"seats": np.array([a.seats for a in accounts], dtype=np.float64)},
        categorical_attributes={"plan": np.array([a.plan for a in accounts])},
        purchases=purchase_days(
            np.array([r[0] for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=np.int64),
            np.array([r[2] for r in rows], dtype=np.float64),
        ),
        surveys=SurveyLevels(
            np.array([w[0] for w in waves], dtype=np.int64),
            np.array([w[1] for w in waves], dtype=np.int64),
            np.array([wave_ids[w[1]] for w in waves], dtype=np.int64),
            np.array([w[2] for w in waves], dtype=np.int64),
            {n: str(Period.of(day)) for n, day in enumerate(closings, start=1)},
        ),
        complaints=complaint_records(accounts),
        contacts=contact_records(accounts),
    )


def simulated_records(simulation: Simulation) -> CustomerRecords:
    """What the database would give scoring after importing the simulation (no surveys)."""
    return records(
        [
            Account(
                purchases=[(p.occurred_on, float(p.amount)) for p in a.purchases],
                opened=a.opened_on,
                closed=a.closed_on,
                industry=a.industry,
                region=a.region,
                seats=float(a.attributes["seats"] or "nan"),
                plan=str(a.attributes["plan"]),
            )
            for a in simulation.accounts
        ]
    )
