"""Every simulated account's purchases in flat arrays: an account's revenue over a window,
and the tiers the accounts were in on a past day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from feedback.accounts.tiers import tier_array, trailing_window
from feedback.demo.customers import SimulatedAccount

__all__ = ["Ledger"]


class Ledger:
    """The accounts, in code order, and their purchases as arrays of owner, day and amount."""

    def __init__(self, accounts: Sequence[SimulatedAccount]) -> None:
        purchases = [(n, p) for n, account in enumerate(accounts) for p in account.purchases]
        self.accounts = accounts
        self.owner = np.array([n for n, _ in purchases], dtype=np.int64)
        self.days = np.array([p.occurred_on.toordinal() for _, p in purchases], dtype=np.int64)
        self.amounts = np.array([float(p.amount) for _, p in purchases])

    def revenue(self, first: dt.date, last: dt.date) -> npt.NDArray[np.float64]:
        """Each account's revenue from ``first`` to ``last``, both included."""
        inside = (self.days >= first.toordinal()) & (self.days <= last.toordinal())
        sums = np.bincount(self.owner[inside], self.amounts[inside], minlength=len(self.accounts))
        return sums.astype(np.float64, copy=False)

    def tiers_on(self, day: dt.date) -> dict[str, str]:
        """The tier of each account open on ``day``, by code: by the 12 months before it.

        ``tier_array``, which breaks ties by position: the accounts are in code order.
        """
        first, last = trailing_window(day - dt.timedelta(days=1))
        open_then = [n for n, account in enumerate(self.accounts) if account.open_on(day)]
        revenue = self.revenue(first, last)[open_then]
        tiers = tier_array(revenue).tolist()
        return {self.accounts[n].code: tier for n, tier in zip(open_then, tiers, strict=True)}
