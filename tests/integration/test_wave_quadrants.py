"""The satisfaction / loyalty matrix of a wave on hand-made purchase histories (both databases)."""

from __future__ import annotations

import datetime as dt

from feedback.accounts.directory import purchase_windows
from feedback.accounts.tables import Account
from feedback.clock import FrozenClock
from feedback.db import Database
from feedback.surveys.quadrant import BASELINE_DAYS, RECENT_DAYS, Quadrant
from feedback.surveys.questionnaire import Answer
from feedback.surveys.results import wave_results
from tests.support.factories import (
    OPENS,
    PERIOD,
    answer_all,
    make_account,
    make_purchases,
    make_wave,
)

# The wave opens on OPENS: recent = [OPENS - 182 days, OPENS), baseline = the 365 days before.
# (On the default day, 2026-11-26, the wave opens 2026-11-20: recent = [2026-05-22,
# 2026-11-20), baseline = [2025-05-22, 2026-05-22).)
RECENT_START = OPENS - dt.timedelta(days=RECENT_DAYS)
BASELINE_START = RECENT_START - dt.timedelta(days=BASELINE_DAYS)


def _before_opening(days: int) -> dt.date:
    """The day ``days`` before the wave opens."""
    return OPENS - dt.timedelta(days=days)


P1_OPENED = _before_opening(2515)  # about seven years before: a long-standing customer
P2_OPENED = _before_opening(688)  # under three years before
P3_OPENED = _before_opening(2880)  # about eight years before
P4_FIRST_PURCHASE = _before_opening(142)  # in the recent window


async def _opened(account_id: int, day: dt.date) -> None:
    await Account.update({Account.opened_on: day}).where(Account.id == account_id)


async def _histories() -> dict[str, int]:
    ids = {code: await make_account(code) for code in ("P1", "P2", "P3", "P4", "P5")}
    await _opened(ids["P1"], P1_OPENED)
    await _opened(ids["P2"], P2_OPENED)
    await _opened(ids["P3"], P3_OPENED)
    # Window edges: the first recent day and the first baseline day count, the day the wave
    # opens and the day before the baseline do not.
    await make_purchases(
        ids["P1"],
        (BASELINE_START, "400.00"),
        (_before_opening(314), "600.00"),
        (RECENT_START, "250.50"),
        (_before_opening(50), "349.50"),
        (OPENS, "9999.00"),
        (BASELINE_START - dt.timedelta(days=1), "7777.00"),
    )
    await make_purchases(
        ids["P2"], (_before_opening(476), "1000.00"), (_before_opening(80), "300.00")
    )
    await make_purchases(
        ids["P3"], (_before_opening(476), "1000.00"), (_before_opening(80), "300.00")
    )
    await make_purchases(ids["P4"], (P4_FIRST_PURCHASE, "200.00"), (_before_opening(111), "300.00"))
    await make_purchases(ids["P5"], (_before_opening(476), "1000.00"))
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
    assert p1.customer_since == P1_OPENED
    assert (p4.recent_revenue, p4.recent_purchases, p4.baseline_revenue) == (500.0, 2, 0.0)
    assert p4.customer_since == P4_FIRST_PURCHASE  # no opening date: the first purchase
    assert (p5.recent_revenue, p5.recent_purchases, p5.baseline_purchases) == (0.0, 0, 1)


async def test_each_answering_account_lands_in_its_quadrant(
    db: Database, clock: FrozenClock
) -> None:
    await _histories()
    await make_wave(clock)
    levels = {"p1@x.com": 3, "p2@x.com": 2, "p3@x.com": 0, "p4@x.com": 0}
    await answer_all(PERIOD, clock, {k: Answer(level=v) for k, v in levels.items()})
    results = await wave_results(PERIOD)
    assert results.purchases_as_of == OPENS
    placed = {q.code: (q.level, q.quadrant) for q in results.quadrants}
    assert placed == {
        "P1": (3, Quadrant.apostle),  # pace 600 / (1000 * 182/365) = 1.20
        "P2": (2, Quadrant.mercenary),  # pace 0.60, customer for under 3 years
        "P3": (0, Quadrant.hostage),  # pace 0.60, customer for about eight years
        "P4": (0, Quadrant.saboteur),  # buys, but has no normal to keep to yet
    }
    paces = {q.code: q.pace for q in results.quadrants}
    assert paces["P1"] == 600 * BASELINE_DAYS / (1000 * RECENT_DAYS)
    assert paces["P2"] == 300 * BASELINE_DAYS / (1000 * RECENT_DAYS)
    assert paces["P4"] is None
    assert results.quadrant_counts == {"apostle": 1, "mercenary": 1, "hostage": 1, "saboteur": 1}
