"""The simulated customer base: staff, accounts, contacts, purchases, the contact log and the
ground truth."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from feedback.accounts.roles import Role

__all__ = [
    "ATTRIBUTE_KINDS",
    "AttributeValue",
    "ClosingReason",
    "Fate",
    "SimulatedAccount",
    "SimulatedAnswer",
    "SimulatedContact",
    "SimulatedContactEntry",
    "SimulatedPurchase",
    "SimulatedStaff",
    "SimulatedWave",
    "Simulation",
]

# The CRM's custom attributes and how the import will type them.
ATTRIBUTE_KINDS: dict[str, str] = {
    "contract_type": "categorical",
    "plan": "categorical",
    "seats": "numeric",
    "credit_limit": "numeric",
}

AttributeValue = str | int | None


class Fate(str, Enum):
    """What happens to an account over the simulated history (ground truth)."""

    steady = "steady"
    drifting = "drifting"
    closed = "closed"


class ClosingReason(str, Enum):
    competitor = "moved to a competitor's offer"
    own_business = "own business problems"
    service = "dissatisfied with service"


@dataclass(frozen=True, slots=True)
class SimulatedStaff:
    email: str
    name: str
    role: Role
    regions: tuple[str, ...] = ()  # the regions an account manager looks after


@dataclass(frozen=True, slots=True)
class SimulatedContact:
    email: str
    name: str
    language: str
    phone: str
    survey_opt_in: bool


@dataclass(frozen=True, slots=True)
class SimulatedPurchase:
    occurred_on: dt.date
    amount: Decimal
    quantity: int
    ref: str


@dataclass(frozen=True)
class SimulatedAccount:
    """An account as the CRM knows it, plus the simulation's ground truth about it."""

    code: str
    name: str
    industry: str
    region: str
    manager_email: str
    opened_on: dt.date
    attributes: dict[str, AttributeValue]
    contacts: tuple[SimulatedContact, ...]
    purchases: tuple[SimulatedPurchase, ...]
    closed_on: dt.date | None = None
    closed_reason: ClosingReason | None = None
    # Ground truth, never exported: the fate, the account's normal yearly revenue and days
    # between purchases, when its purchases began to fade, and the first day without any
    # further purchase (for a drifting account this may lie after the as-of date).
    fate: Fate = Fate.steady
    yearly_value: float = 0.0
    mean_gap_days: float = 0.0
    drift_started_on: dt.date | None = None
    stopped_on: dt.date | None = None

    @property
    def status(self) -> str:
        return "closed" if self.closed_on else "active"

    def open_on(self, day: dt.date) -> bool:
        """Opened on or before ``day``, and not closed by then."""
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    @property
    def revenue(self) -> Decimal:
        return sum((purchase.amount for purchase in self.purchases), Decimal(0))


@dataclass(frozen=True, slots=True)
class SimulatedAnswer:
    """A contact's answer in a wave: through the link, or by phone or on a visit with staff."""

    account_code: str
    email: str
    answered_at: dt.datetime
    level: int
    aspects: dict[str, int]
    comment: str = ""
    may_contact: bool = False
    channel: str = "web"
    recorded_by: str | None = None  # the staff member's email, for phone and visit


@dataclass(frozen=True, slots=True)
class SimulatedContactEntry:
    """A visit, call or email of an account's manager, as the CRM's contact log has it."""

    account_code: str
    kind: str  # visit, call or email
    day: dt.date
    staff_email: str
    contact_email: str  # empty when the person met is not a contact on record
    person_met: str  # as written down; empty when it is the contact
    notes: str
    ref: str


@dataclass(frozen=True)
class SimulatedWave:
    """A past survey wave: whom it reached, when reminders went out, and who answered what."""

    period: str
    opens_on: dt.date
    closes_on: dt.date
    issued_at: dt.datetime
    reminders_at: tuple[dt.datetime, ...]
    closed_at: dt.datetime
    invited: tuple[tuple[str, str], ...]  # (account code, contact email)
    answers: tuple[SimulatedAnswer, ...]


@dataclass(frozen=True)
class Simulation:
    """A whole simulated customer base as of one day."""

    as_of: dt.date
    seed: int
    history_start: dt.date
    staff: tuple[SimulatedStaff, ...]
    accounts: tuple[SimulatedAccount, ...]
    waves: tuple[SimulatedWave, ...] = ()
    contact_log: tuple[SimulatedContactEntry, ...] = ()

    @property
    def contact_count(self) -> int:
        return sum(len(account.contacts) for account in self.accounts)

    @property
    def purchase_count(self) -> int:
        return sum(len(account.purchases) for account in self.accounts)
