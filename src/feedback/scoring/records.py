"""What churn scoring knows about the customer base, as NumPy arrays indexed by account position."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "EPOCH",
    "ComplaintRecords",
    "ContactRecords",
    "CustomerRecords",
    "PurchaseDays",
    "SurveyLevels",
    "active_at",
    "date_of",
    "day_number",
    "purchase_days",
]

EPOCH = dt.date(1970, 1, 1)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# Days per account in the sort key: far more than any history.
KEY_STRIDE = 1 << 24


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the unit of every date in these arrays."""
    return (day - EPOCH).days


def active_at(opened: IntArray, closed: IntArray, day: int) -> npt.NDArray[np.bool_]:
    """Accounts open on ``day``: opened on or before it, not closed on or before it."""
    return (opened <= day) & (closed > day)


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


@dataclass(frozen=True)
class PurchaseDays:
    """The days each account bought on, with the day's summed amount.

    Sorted by account position, then day, one row per (account, day): several orders on
    one day are one visit, so a transaction log of order lines and one of invoices give
    the same features. ``account`` holds positions into CustomerRecords' arrays.
    """

    account: IntArray
    day: IntArray
    amount: FloatArray
    base: int = field(init=False, repr=False)
    key: IntArray = field(init=False, repr=False)
    cents_before: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        base = int(self.day.min()) if len(self.day) else 0
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "key", self.account * KEY_STRIDE + (self.day - base + 1))
        # cents_before[i]: total amount of rows before row i, in whole cents. Sums are taken
        # by subtraction, exactly: with floats, rows after a window would change the
        # rounding of sums inside it, and so the order of accounts with equal revenue.
        cents = np.rint(self.amount * 100).astype(np.int64)
        object.__setattr__(self, "cents_before", np.concatenate([[0], np.cumsum(cents)]))

    def money(self, low: IntArray, high: IntArray) -> FloatArray:
        """The amount of rows low[i] to high[i] - 1, for each i."""
        return (self.cents_before[high] - self.cents_before[low]) / 100

    def starts(self, accounts: int) -> IntArray:
        """For each account position 0..accounts-1: the index of its first row."""
        positions = np.arange(accounts, dtype=np.int64)
        return np.searchsorted(self.key, positions * KEY_STRIDE, side="left")

    def rows_up_to(self, accounts: int, day: int) -> IntArray:
        """For each account position 0..accounts-1: the index after its last row on or before day.

        Together with ``rows_up_to(accounts, start)`` this bounds the rows in (start, day].
        """
        positions = np.arange(accounts, dtype=np.int64)
        offset = np.clip(day - self.base + 1, 0, KEY_STRIDE - 1)
        return np.searchsorted(self.key, positions * KEY_STRIDE + offset, side="right")


def purchase_days(account: IntArray, day: IntArray, amount: FloatArray) -> PurchaseDays:
    """Sum purchases (in any order) into one row per account and day."""
    if len(account) == 0:
        return PurchaseDays(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    base = int(day.min())
    keys = account.astype(np.int64) * KEY_STRIDE + (day.astype(np.int64) - base)
    unique, inverse = np.unique(keys, return_inverse=True)
    totals = np.bincount(inverse, weights=amount, minlength=len(unique)).astype(np.float64)
    return PurchaseDays(unique // KEY_STRIDE, unique % KEY_STRIDE + base, totals)


@dataclass(frozen=True)
class SurveyLevels:
    """Each (wave, asked account): account position, the wave's closing day and id, level or -1.

    Sorted by account position, then closing day. ``periods`` names each wave id by its
    period ("2026-H1"), the way staff speak of waves.
    """

    account: IntArray
    closing_day: IntArray
    wave: IntArray
    level: IntArray
    periods: Mapping[int, str]


@dataclass(frozen=True)
class ComplaintRecords:
    """Each complaint (cancelled ones excluded): account position and the days things happened.

    A day is a very large number when the thing has not happened (yet): ``closed`` for an
    open complaint, ``breached`` (the first deadline it missed), ``unsatisfied`` (the first
    follow-up that found the customer unsatisfied), ``investigated`` (the first
    investigation; the root cause counts from then). ``root_cause`` is the cause's position
    in complaints.states.RootCause, -1 when none was recorded.
    """

    account: IntArray
    received: IntArray
    closed: IntArray
    breached: IntArray
    unsatisfied: IntArray
    investigated: IntArray
    root_cause: IntArray


@dataclass(frozen=True)
class ContactRecords:
    """Each logged visit, call or email: account position, kind and the day it happened.

    Sorted by account position, then day. ``kind`` is a position in ``kinds``, the kinds'
    names ("visit", "call", "email"), the words the contact standards use.
    """

    account: IntArray
    kind: IntArray
    day: IntArray
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class CustomerRecords:
    """Accounts (by position), their purchase days, survey levels, complaints and contacts;
    day numbers.

    ``opened`` is a very small number when unknown; ``closed`` a very large one for an
    account that is still open.
    """

    account_ids: IntArray
    opened: IntArray
    closed: IntArray
    industry: npt.NDArray[np.str_]
    region: npt.NDArray[np.str_]
    numeric_attributes: dict[str, FloatArray]
    categorical_attributes: dict[str, npt.NDArray[np.str_]]
    purchases: PurchaseDays
    surveys: SurveyLevels
    complaints: ComplaintRecords
    contacts: ContactRecords

    @property
    def size(self) -> int:
        return len(self.account_ids)

    def active_at(self, day: int) -> npt.NDArray[np.bool_]:
        """Accounts open on ``day``: opened on or before it, not closed on or before it."""
        return active_at(self.opened, self.closed, day)
