"""Every simulated account's purchases in flat arrays: an account's revenue over a window,
and the tiers the accounts were in on a past day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from feedback.accounts.tiers import assign_tiers, trailing_window
from feedback.demo.customers import SimulatedAccount

__all__ = ["Ledger"]


class Ledger:
    def __init__(self, accounts: Sequence[SimulatedAccount]) -> None:
        purchases = [(n, p) for n, account in enumerate(accounts) for p in account.purchases]
        self.accounts = accounts
        self.owner = np.array([n for n, _ in purchases], dtype=np.int64)
        self.days = np.array([p.occurred_on.toordinal() for _, p in purchases], dtype=np.int64)
        self.amounts = np.array([float(p.amount) for _, p in purchases])

    def revenue(self, first: dt.date, last: dt.date) -> list[float]:
        """Each account's revenue from ``first`` to ``last``, both included."""
        inside = (self.days >= first.toordinal()) & (self.days <= last.toordinal())
        sums = np.bincount(self.owner[inside], self.amounts[inside], minlength=len(self.accounts))
        return [float(total) for total in sums]

    def tiers_on(self, day: dt.date) -> dict[str, str]:
        """The tier of each account open on ``day``, by code: by the 12 months before it."""
        first, last = trailing_window(day - dt.timedelta(days=1))
        revenue = {
            account.code: Decimal(f"{total:.2f}")
            for account, total in zip(self.accounts, self.revenue(first, last), strict=True)
            if account.open_on(day)
        }
        return assign_tiers(revenue)
