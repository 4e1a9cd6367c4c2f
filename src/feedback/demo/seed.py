"""Loading a simulated customer base into the bound database: staff, then the CRM's CSV files."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from feedback.accounts import imports, services, staff
from feedback.complaints.deadlines import policy_of
from feedback.config import Settings, TierThresholds
from feedback.db import transaction
from feedback.demo.complaints import ComplaintSummary, load_complaints
from feedback.demo.crmfiles import write_csvs
from feedback.demo.customers import Simulation
from feedback.demo.names import DEMO_DOMAIN
from feedback.demo.past_waves import WaveSummary, run_past_waves

__all__ = [
    "DEMO_ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "Progress",
    "SeedReport",
    "database_is_empty",
    "seed",
]

DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# Shared by every demo staff user; printed by `feedback demo`, never valid outside demo data.
DEMO_PASSWORD = "demo-password"  # noqa: S105

Progress = Callable[[str, int, int], None]
"""Called with (step, done, total): staff users created, bytes of a step's file imported,
survey waves run, or complaint steps taken."""


@dataclass(frozen=True)
class SeedReport:
    """What the database holds after seeding."""

    staff: int
    accounts: int
    contacts: int
    purchases: int
    contact_log: int
    tiers: dict[str, int]
    waves: list[WaveSummary]
    complaints: ComplaintSummary


def _silent(step: str, done: int, total: int) -> None:
    """Progress reporting for callers that show none."""


async def database_is_empty() -> bool:
    """True when there are neither staff users nor accounts, so seeding cannot collide."""
    counts = await services.record_counts()
    return counts["staff"] == 0 and counts["accounts"] == 0


async def _create_staff(simulation: Simulation, now: dt.datetime, progress: Progress) -> None:
    total = len(simulation.staff)
    progress("staff", 0, total)
    for done, member in enumerate(simulation.staff, start=1):
        await staff.create_user(member.email, member.name, member.role, DEMO_PASSWORD, now)
        progress("staff", done, total)


async def _import_files(
    simulation: Simulation, thresholds: TierThresholds, now: dt.datetime, progress: Progress
) -> dict[str, int]:
    """Load accounts, contacts, purchases and visits through the CSV import; the tiers it
    computed."""
    today = simulation.as_of
    with tempfile.TemporaryDirectory(prefix="feedback-demo-") as directory:
        files = await asyncio.to_thread(write_csvs, simulation, Path(directory))
        await imports.import_accounts(
            files["accounts"], today, thresholds, partial(progress, "accounts")
        )
        await imports.import_contacts(files["contacts"], partial(progress, "contacts"))
        summary = await imports.import_purchases(
            files["purchases"], today, thresholds, partial(progress, "purchases")
        )
        await imports.import_visits(files["visits"], now, partial(progress, "visits"))
    assert summary.tiers is not None  # a purchase import always recomputes them
    return summary.tiers


async def seed(
    simulation: Simulation,
    now: dt.datetime,
    settings: Settings,
    progress: Progress | None = None,
) -> SeedReport:
    """Create the demo staff, import the simulated CRM files (the managers' visits, calls and
    emails among them, recorded at ``now``), tier the accounts (with the settings'
    thresholds), run the simulated past survey waves (their links built from the settings'
    base URL), then raise and handle the demo's complaints up to ``now`` under the settings'
    deadlines policy.

    Everything runs in one transaction: a failed seed leaves the database as it was.
    Tiers are computed as of the simulation's as-of date.
    """
    progress = progress or _silent
    async with transaction():
        await _create_staff(simulation, now, progress)
        tiers = await _import_files(simulation, settings.tier_thresholds, now, progress)
        waves = await run_past_waves(
            simulation.waves, settings.base_url, partial(progress, "waves")
        )
        complaints = await load_complaints(
            simulation, now, policy_of(settings), partial(progress, "complaints")
        )
        counts = await services.record_counts()
        return SeedReport(**counts, tiers=tiers, waves=waves, complaints=complaints)
