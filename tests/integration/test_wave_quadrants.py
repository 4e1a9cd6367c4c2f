"""The satisfaction / loyalty matrix of a wave on hand-made purchase histories (both databases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from feedback.accounts.directory import purchase_windows
from feedback.accounts.tables import Account, Purchase
from feedback.clock import FrozenClock
from feedback.db import Database
from feedback.surveys.quadrant import BASELINE_DAYS, RECENT_DAYS, Quadrant
from feedback.surveys.questionnaire import Answer
from feedback.surveys.results import wave_results
from tests.integration.test_surveys import OPENS, _answer_all, account, wave

# The wave opens 2026-11-20: recent = [2026-05-22, 2026-11-20), baseline = [2025-05-22, 2026-05-22).
RECENT_START = dt.date(2026, 5, 22)
BASELINE_START = dt.date(2025, 5, 22)


async def _buy(account_id: int, *purchases: tuple[dt.date, str]) -> None:
    for n, (day, amount) in enumerate(purchases):
        await Purchase.insert(
            Purchase(
                account=account_id,
                occurred_on=day,
                amount=Decimal(amount),
                external_ref=f"{account_id}-{n}",
            )
        )


async def _opened(account_id: int, day: dt.date) -> None:
    await Account.update({Account.opened_on: day}).where(Account.id == account_id)


async def _histories() -> dict[str, int]:
    ids = {code: await account(code) for code in ("P1", "P2", "P3", "P4", "P5")}
    await _opened(ids["P1"], dt.date(2020, 1, 1))
    await _opened(ids["P2"], dt.date(2025, 1, 1))
    await _opened(ids["P3"], dt.date(2019, 1, 1))
    # Window edges: the first recent day and the first baseline day count, the day the wave
    # opens and the day before the baseline do not.
    await _buy(ids["P1"], (BASELINE_START, "400.00"), (dt.date(2026, 1, 10), "600.00"),
               (RECENT_START, "250.50"), (dt.date(2026, 10, 1), "349.50"),
               (OPENS, "9999.00"), (BASELINE_START - dt.timedelta(days=1), "7777.00"))  # fmt: skip
    await _buy(ids["P2"], (dt.date(2025, 8, 1), "1000.00"), (dt.date(2026, 9, 1), "300.00"))
    await _buy(ids["P3"], (dt.date(2025, 8, 1), "1000.00"), (dt.date(2026, 9, 1), "300.00"))
    await _buy(ids["P4"], (dt.date(2026, 7, 1), "200.00"), (dt.date(2026, 8, 1), "300.00"))
    await _buy(ids["P5"], (dt.date(2025, 8, 1), "1000.00"))
    return ids


async def test_purchase_windows_sum_each_window_to_the_cent(db: Database) -> None:
    ids = await _histories()
    windows = await purchase_windows(
        [ids["P1"], ids["P4"], ids["P5"]], OPENS, RECENT_DAYS, BASELINE_DAYS
    )
    assert set(windows) == {ids["P1"], ids["P4"], ids["P5"]}
    p1, p4, p5 = windows[ids["P1"]], windows[ids["P4"]], windows[ids["P5"]]
    assert (p1.recent_revenue, p1.recent_purchases) == (600.0, 2)
    assert (p1.baseline_revenue, p1.baseline_purchases) == (1000.0, 2)
    assert p1.customer_since == dt.date(2020, 1, 1)
    assert (p4.recent_revenue, p4.recent_purchases, p4.baseline_revenue) == (500.0, 2, 0.0)
    assert p4.customer_since == dt.date(2026, 7, 1)  # no opening date: the first purchase
    assert (p5.recent_revenue, p5.recent_purchases, p5.baseline_purchases) == (0.0, 0, 1)


async def test_each_answering_account_lands_in_its_quadrant(
    db: Database, clock: FrozenClock
) -> None:
    await _histories()
    await wave(clock)
    levels = {"p1@x.com": 3, "p2@x.com": 2, "p3@x.com": 0, "p4@x.com": 0}
    await _answer_all("2026-H2", clock, {k: Answer(level=v) for k, v in levels.items()})
    results = await wave_results("2026-H2")
    assert results.purchases_as_of == OPENS
    placed = {q.code: (q.level, q.quadrant) for q in results.quadrants}
    assert placed == {
        "P1": (3, Quadrant.apostle),  # pace 600 / (1000 * 182/365) = 1.20
        "P2": (2, Quadrant.mercenary),  # pace 0.60, customer for under 3 years
        "P3": (0, Quadrant.hostage),  # pace 0.60, customer since 2019
        "P4": (0, Quadrant.saboteur),  # buys, but has no normal to keep to yet
    }
    paces = {q.code: q.pace for q in results.quadrants}
    assert paces["P1"] == 600 * BASELINE_DAYS / (1000 * RECENT_DAYS)
    assert paces["P2"] == 300 * BASELINE_DAYS / (1000 * RECENT_DAYS)
    assert paces["P4"] is None
    assert results.quadrant_counts == {"apostle": 1, "mercenary": 1, "hostage": 1, "saboteur": 1}
