"""A seeded simulation of a customer base: accounts, contacts, purchases and who churns when."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, Protocol, TypeVar

import numpy as np

from feedback.demo.customers import (
    AttributeValue,
    ClosingReason,
    Fate,
    SimulatedAccount,
    SimulatedContact,
    SimulatedPurchase,
    SimulatedStaff,
    Simulation,
)
from feedback.demo.ledger import Ledger
from feedback.demo.names import DEMO_DOMAIN, STAFF_ROSTER, company_name, person_name
from feedback.demo.opinions import simulate_waves
from feedback.demo.visits import simulate_contact_log

__all__ = ["INDUSTRIES", "REGIONS", "simulate"]

HISTORY_YEARS = 3
MEDIAN_YEARLY_REVENUE = 20_000.0
# Spread of log account size; about 1.5 puts ~75-80% of revenue in the top 20% of accounts.
SIZE_SIGMA = 1.5
MEDIAN_GAP_DAYS = 30.0
# Shape of the gamma-distributed gaps between purchases: 4 gives a steady, not clockwork, rhythm.
GAP_SHAPE = 4.0
CLOSING_RATE = 0.06
DRIFT_RATE = 0.095


class Industry(NamedTuple):
    share: float
    churn_risk: float  # multiplier
    unit_price: float


class Region(NamedTuple):
    share: float
    phone_prefix: str


class Contract(NamedTuple):
    share: float
    churn_risk: float


class Closing(NamedTuple):
    share: float
    shortest_decline: int  # days of fading purchases before the closing date
    longest_decline: int


INDUSTRIES: dict[str, Industry] = {
    "Manufacturing": Industry(0.18, 0.8, 120.0),
    "Retail": Industry(0.16, 1.5, 25.0),
    "Logistics": Industry(0.12, 1.0, 300.0),
    "Healthcare": Industry(0.10, 0.6, 80.0),
    "Software": Industry(0.14, 1.1, 500.0),
    "Construction": Industry(0.12, 1.2, 200.0),
    "Hospitality": Industry(0.10, 1.6, 40.0),
    "Agriculture": Industry(0.08, 0.9, 60.0),
}
REGIONS: dict[str, Region] = {
    "Greater China": Region(0.18, "+86"),
    "North America": Region(0.27, "+1"),
    "Western Europe": Region(0.22, "+44"),
    "Nordics": Region(0.09, "+46"),
    "Southeast Asia": Region(0.14, "+65"),
    "Oceania": Region(0.10, "+61"),
}
CONTRACT_TYPES: dict[str, Contract] = {
    "annual": Contract(0.55, 1.0),
    "multi-year": Contract(0.20, 0.5),
    "pay-as-you-go": Contract(0.25, 1.6),
}
CLOSINGS: dict[ClosingReason, Closing] = {
    ClosingReason.competitor: Closing(0.45, 0, 45),
    ClosingReason.own_business: Closing(0.30, 90, 240),
    ClosingReason.service: Closing(0.25, 30, 150),
}
PLANS = ("basic", "standard", "premium", "enterprise")
# Purchase intensity by calendar month (January first): slow start of the year, busy Q4.
_MONTHLY = np.array([0.80, 0.78, 0.98, 1.00, 1.04, 0.98, 0.88, 0.86, 1.06, 1.10, 1.17, 1.35])
MONTHLY_SEASONALITY = _MONTHLY / _MONTHLY.mean()

K = TypeVar("K")


class _Shared(Protocol):
    @property
    def share(self) -> float: ...


@dataclass(frozen=True)
class _History:
    """The simulated days, from three years before the as-of date up to it."""

    start: dt.date
    dates: tuple[dt.date, ...]
    seasonality: np.ndarray

    @classmethod
    def ending(cls, as_of: dt.date) -> _History:
        try:
            start = as_of.replace(year=as_of.year - HISTORY_YEARS)
        except ValueError:  # 29 February
            start = as_of.replace(year=as_of.year - HISTORY_YEARS, day=28)
        start += dt.timedelta(days=1)
        dates = tuple(start + dt.timedelta(days=n) for n in range((as_of - start).days + 1))
        months = np.array([day.month - 1 for day in dates])
        return cls(start=start, dates=dates, seasonality=MONTHLY_SEASONALITY[months])

    @property
    def last(self) -> int:
        return len(self.dates) - 1

    def index(self, day: dt.date) -> int:
        return (day - self.start).days

    def date(self, index: int) -> dt.date:
        return self.start + dt.timedelta(days=index)


@dataclass(frozen=True)
class _Profile:
    industry: str
    region: str
    chinese: bool
    size: float  # standard normal; the account's log size
    yearly_value: float
    mean_gap: float
    opened_on: dt.date
    unit_price: float
    growth: float  # yearly
    attributes: dict[str, AttributeValue]


@dataclass(frozen=True)
class _Trajectory:
    fate: Fate = Fate.steady
    reason: ClosingReason | None = None
    fade_start: int | None = None  # day index
    stop: int | None = None  # day index of the first day without purchases


def _choose(rng: np.random.Generator, table: Mapping[K, _Shared]) -> K:
    """A key drawn with probability proportional to its share."""
    keys = list(table)
    weights = np.array([table[key].share for key in keys])
    return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]


def _attributes(
    rng: np.random.Generator, size: float, yearly_value: float
) -> dict[str, AttributeValue]:
    contract = _choose(rng, CONTRACT_TYPES)
    if size > 1 and rng.random() < 0.4:
        contract = "multi-year"
    rank = size + rng.normal(0, 0.5)
    plan = PLANS[int(np.searchsorted([-0.5, 0.5, 1.3], rank))]
    seats = max(1, round(math.exp(1.5 + 0.8 * size + rng.normal(0, 0.4))))
    credit = int(round(yearly_value * rng.uniform(0.1, 0.3), -3))
    missing = rng.random() < 0.15
    return {
        "contract_type": contract,
        "plan": plan,
        "seats": seats,
        "credit_limit": None if missing else max(credit, 1000),
    }


def _profile(rng: np.random.Generator, history: _History) -> _Profile:
    industry = _choose(rng, INDUSTRIES)
    region = _choose(rng, REGIONS)
    chinese = region == "Greater China" or (region == "Southeast Asia" and rng.random() < 0.25)
    size = float(rng.normal())
    yearly_value = MEDIAN_YEARLY_REVENUE * math.exp(SIZE_SIGMA * size)
    # Bigger accounts order more often.
    gap = MEDIAN_GAP_DAYS * math.exp(-0.3 * size + rng.normal(0, 0.35))
    age_days = int(rng.integers(45, 12 * 365))
    return _Profile(
        industry=industry,
        region=region,
        chinese=chinese,
        size=size,
        yearly_value=yearly_value,
        mean_gap=float(np.clip(gap, 5, 75)),
        opened_on=history.dates[-1] - dt.timedelta(days=age_days),
        unit_price=INDUSTRIES[industry].unit_price * float(rng.lognormal(0, 0.4)),
        growth=float(rng.normal(0.03, 0.08)),
        attributes=_attributes(rng, size, yearly_value),
    )


def _churn_risk(profile: _Profile) -> float:
    contract = str(profile.attributes["contract_type"])
    small = 1.3 if profile.size < 0 else 0.7
    return INDUSTRIES[profile.industry].churn_risk * CONTRACT_TYPES[contract].churn_risk * small


def _closing(rng: np.random.Generator, opened: int, last: int) -> _Trajectory:
    closed = int(rng.integers(max(opened + 120, 60), last))
    reason = _choose(rng, CLOSINGS)
    closing = CLOSINGS[reason]
    decline = int(rng.integers(closing.shortest_decline, closing.longest_decline + 1))
    return _Trajectory(Fate.closed, reason, fade_start=closed - decline, stop=closed)


def _drifting(rng: np.random.Generator, opened: int, last: int) -> _Trajectory:
    # At least a year of normal buying first; the fade is under way 8 months before as-of.
    start = int(rng.integers(max(opened + 365, last - 720), last - 240 + 1))
    duration = int(rng.integers(120, 300 + 1))
    return _Trajectory(Fate.drifting, fade_start=start, stop=start + duration)


def _trajectory(rng: np.random.Generator, profile: _Profile, history: _History) -> _Trajectory:
    opened, last = history.index(profile.opened_on), history.last
    risk = _churn_risk(profile)
    draw = rng.random()
    if draw < CLOSING_RATE * risk and opened <= last - 150:
        return _closing(rng, opened, last)
    if draw < (CLOSING_RATE + DRIFT_RATE) * risk and opened <= last - 605:
        return _drifting(rng, opened, last)
    return _Trajectory()


def _intensity(
    history: _History, opened: int, trajectory: _Trajectory
) -> tuple[np.ndarray, np.ndarray]:
    """Relative purchase rate and purchase size per day (1 = the account's normal)."""
    days = np.arange(len(history.dates))
    fade = np.ones(len(days))
    active = days >= opened
    if trajectory.stop is not None and trajectory.fade_start is not None:
        span = max(trajectory.stop - trajectory.fade_start, 1)
        progress = np.clip((days - trajectory.fade_start) / span, 0.0, 1.0)
        fade = (1.0 - progress) ** 2
        active &= days < trajectory.stop
    return history.seasonality * fade * active, np.sqrt(fade)


def _purchase_days(rng: np.random.Generator, rate: np.ndarray, mean_gap: float) -> np.ndarray:
    """Day indices of purchases: gamma-distributed gaps on the account's own clock."""
    expected = np.cumsum(rate) / mean_gap
    total = float(expected[-1])
    if total <= 0:
        return np.empty(0, dtype=np.int64)
    gaps = rng.gamma(GAP_SHAPE, 1 / GAP_SHAPE, size=int(total * 1.5) + 10)
    # Start somewhere inside the first gap, as if the rhythm began before the history did.
    moments = np.cumsum(gaps) - rng.random() * gaps[0]
    return np.searchsorted(expected, moments[moments < total])


def _purchases(
    rng: np.random.Generator,
    code: str,
    profile: _Profile,
    trajectory: _Trajectory,
    history: _History,
) -> tuple[SimulatedPurchase, ...]:
    rate, size = _intensity(history, history.index(profile.opened_on), trajectory)
    days = _purchase_days(rng, rate, profile.mean_gap)
    base = profile.yearly_value * profile.mean_gap / 365.0
    noise = rng.lognormal(-0.08, 0.4, size=days.size)  # mean 1
    trend = (1 + profile.growth) ** (days / 365.25)
    amounts = np.maximum(np.round(base * noise * trend * size[days], 2), 1.0)
    quantities = np.maximum(1, np.rint(amounts / profile.unit_price)).astype(np.int64)
    return tuple(
        SimulatedPurchase(history.dates[day], Decimal(f"{amount:.2f}"), quantity, f"{code}-{n:05d}")
        for n, (day, amount, quantity) in enumerate(
            zip(days.tolist(), amounts.tolist(), quantities.tolist(), strict=True), start=1
        )
    )


def _phone(rng: np.random.Generator, region: str) -> str:
    digits = f"{int(rng.integers(10**8)):08d}"
    return f"{REGIONS[region].phone_prefix} {digits[:4]} {digits[4:]}"


def _contacts(
    rng: np.random.Generator, profile: _Profile, domain: str
) -> tuple[SimulatedContact, ...]:
    count = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
    if profile.size > 1:
        count = max(count, 2)
    contacts: list[SimulatedContact] = []
    for _ in range(count):
        chinese = profile.chinese and rng.random() < 0.9
        name, local = person_name(rng, chinese)
        email = f"{local}@{domain}"
        if any(contact.email == email for contact in contacts):
            email = f"{local}{len(contacts) + 1}@{domain}"
        contacts.append(
            SimulatedContact(
                email=email,
                name=name,
                language="zh" if chinese else "en",
                phone=_phone(rng, profile.region),
                survey_opt_in=bool(rng.random() < 0.9),
            )
        )
    return tuple(contacts)


def _company(
    rng: np.random.Generator, profile: _Profile, code: str, taken: set[str]
) -> tuple[str, str]:
    for _ in range(5):
        name, domain = company_name(rng, profile.industry, profile.region, profile.chinese)
        if name not in taken:
            break
    else:
        name = f"{name} ({code})"
    taken.add(name)
    return name, domain


def _staff() -> tuple[SimulatedStaff, ...]:
    return tuple(
        SimulatedStaff(f"{local}@{DEMO_DOMAIN}", name, role, regions)
        for local, name, role, regions in STAFF_ROSTER
    )


def _managers_by_region(staff: Sequence[SimulatedStaff]) -> dict[str, tuple[str, ...]]:
    return {
        region: tuple(member.email for member in staff if region in member.regions)
        for region in REGIONS
    }


def _account(
    rng: np.random.Generator,
    number: int,
    history: _History,
    managers: dict[str, tuple[str, ...]],
    taken: set[str],
) -> SimulatedAccount:
    code = f"AC{number:05d}"
    profile = _profile(rng, history)
    trajectory = _trajectory(rng, profile, history)
    name, domain = _company(rng, profile, code, taken)
    candidates = managers[profile.region]
    closed = trajectory.fate is Fate.closed
    return SimulatedAccount(
        code=code,
        name=name,
        industry=profile.industry,
        region=profile.region,
        manager_email=candidates[int(rng.integers(len(candidates)))],
        opened_on=profile.opened_on,
        attributes=profile.attributes,
        contacts=_contacts(rng, profile, domain),
        purchases=_purchases(rng, code, profile, trajectory, history),
        closed_on=_optional_date(history, trajectory.stop) if closed else None,
        closed_reason=trajectory.reason,
        fate=trajectory.fate,
        yearly_value=profile.yearly_value,
        mean_gap_days=profile.mean_gap,
        drift_started_on=_optional_date(history, trajectory.fade_start),
        stopped_on=_optional_date(history, trajectory.stop),
    )


def _optional_date(history: _History, index: int | None) -> dt.date | None:
    return None if index is None else history.date(index)


def simulate(as_of: dt.date, accounts: int = 3000, seed: int = 7) -> Simulation:
    """A customer base with three years of purchases up to ``as_of``, its last six survey
    waves and its managers' visits, calls and emails; same seed, same data."""
    if accounts < 0:
        raise ValueError("the number of accounts cannot be negative")
    rng = np.random.default_rng(seed)
    history = _History.ending(as_of)
    staff = _staff()
    managers = _managers_by_region(staff)
    taken: set[str] = set()
    customers = tuple(
        _account(rng, number, history, managers, taken) for number in range(1, accounts + 1)
    )
    ledger = Ledger(customers)
    return Simulation(
        as_of=as_of,
        seed=seed,
        history_start=history.start,
        staff=staff,
        accounts=customers,
        waves=simulate_waves(ledger, as_of, seed),
        contact_log=simulate_contact_log(ledger, history.start, as_of, seed),
    )
