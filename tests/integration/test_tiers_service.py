"""recompute_tiers on a real database: the trailing window, stored revenue and tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from feedback.accounts.services import recompute_tiers
from feedback.accounts.tables import Account, Purchase
from feedback.config import TierThresholds
from feedback.db import Database

TODAY = dt.date(2026, 11, 26)  # the trailing window is [2025-11-27, 2026-11-26]
SALES = {
    "BIG": [("2025-11-26", "9000.00"), ("2025-11-27", "500.00"), ("2026-11-26", "100.00")],
    "MID": [("2026-03-01", "125.50"), ("2026-04-01", "124.50")],
    "SMALL": [("2026-01-10", "33.33"), ("2026-01-10", "33.33"), ("2026-01-10", "33.34")],
    "TINY": [("2026-05-05", "49.70")],
    "CRUMB": [("2026-07-01", "0.10"), ("2026-08-01", "0.20")],
    "OUTSIDE": [("2025-11-26", "700.00"), ("2026-11-27", "800.00")],
    "NONE": [],
}
# Window total 1000.00; shares before each: BIG 0, MID .60, SMALL .85, TINY .95, CRUMB .9997.
# TINY starts exactly on the 95% cut, so only exact (decimal) sums make it D on both databases.
EXPECTED = {
    "BIG": ("A", Decimal("600.00")),
    "MID": ("B", Decimal("250.00")),
    "SMALL": ("C", Decimal("100.00")),
    "TINY": ("D", Decimal("49.70")),
    "CRUMB": ("D", Decimal("0.30")),
    "OUTSIDE": ("D", Decimal(0)),
    "NONE": ("D", Decimal(0)),
}


async def _seed() -> None:
    # Stale values from an earlier run, which the recompute must overwrite.
    await Account.insert(
        *(
            Account(code=code, name=code, tier="A", trailing_revenue=Decimal("123.45"))
            for code in SALES
        )
    )
    ids = {row["code"]: row["id"] for row in await Account.select(Account.id, Account.code)}
    await Purchase.insert(
        *(
            Purchase(
                account=ids[code],
                occurred_on=dt.date.fromisoformat(day),
                amount=Decimal(amount),
                external_ref=f"{code}-{n}",
            )
            for code, sales in SALES.items()
            for n, (day, amount) in enumerate(sales)
        )
    )


async def _stored() -> dict[str, tuple[str, Decimal]]:
    rows = await Account.select(Account.code, Account.tier, Account.trailing_revenue)
    return {row["code"]: (row["tier"], Decimal(row["trailing_revenue"])) for row in rows}


async def test_tiers_and_revenue_come_from_the_trailing_window_only(db: Database) -> None:
    await _seed()
    counts = await recompute_tiers(TODAY, TierThresholds())
    assert await _stored() == EXPECTED
    assert counts == {"A": 1, "B": 1, "C": 1, "D": 4}


async def test_recomputing_gives_the_same_result(db: Database) -> None:
    await _seed()
    first = await recompute_tiers(TODAY, TierThresholds())
    stored = await _stored()
    second = await recompute_tiers(TODAY, TierThresholds())
    assert second == first
    assert await _stored() == stored


async def test_the_window_moves_with_today(db: Database) -> None:
    await _seed()
    await recompute_tiers(TODAY, TierThresholds())
    # A day later BIG's 500.00 of 2025-11-27 drops out and OUTSIDE's 800.00 comes in.
    counts = await recompute_tiers(TODAY + dt.timedelta(days=1), TierThresholds())
    stored = await _stored()
    assert stored["OUTSIDE"] == ("A", Decimal("800.00"))
    assert stored["MID"] == ("B", Decimal("250.00"))
    assert stored["BIG"] == ("C", Decimal("100.00"))
    assert stored["SMALL"] == ("C", Decimal("100.00"))
    assert stored["NONE"] == ("D", Decimal(0))
    assert counts == {"A": 1, "B": 1, "C": 2, "D": 3}


async def test_thresholds_change_the_cut(db: Database) -> None:
    await _seed()
    counts = await recompute_tiers(TODAY, TierThresholds(0.5, 0.9, 0.99))
    # Shares before: BIG 0 -> A, MID .60 -> B, SMALL .85 -> B, TINY .95 -> C, CRUMB .9997 -> D.
    assert counts == {"A": 1, "B": 2, "C": 1, "D": 3}
    assert {code: tier for code, (tier, _) in (await _stored()).items()} == {
        "BIG": "A",
        "MID": "B",
        "SMALL": "B",
        "TINY": "C",
        "CRUMB": "D",
        "OUTSIDE": "D",
        "NONE": "D",
    }


async def test_no_purchases_at_all_makes_every_account_d(db: Database) -> None:
    await Account.insert(
        Account(code="X", name="X", tier="B", trailing_revenue=Decimal(5)),
        Account(code="Y", name="Y"),
    )
    assert await recompute_tiers(TODAY, TierThresholds()) == {"A": 0, "B": 0, "C": 0, "D": 2}
    assert await _stored() == {"X": ("D", Decimal(0)), "Y": ("D", Decimal(0))}
