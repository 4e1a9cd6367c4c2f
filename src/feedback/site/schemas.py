"""API shapes of a manager's week (msgspec structs)."""

from __future__ import annotations

import datetime as dt

import msgspec

from feedback.accounts.schemas import RequirementOut, TierName
from feedback.complaints.schemas import QueueRow
from feedback.scoring.schemas import BandName

__all__ = ["ContactDueOut", "LevelDropOut", "ManagerOut", "MyWeek", "RiskRiseOut", "WeekAccount"]


class ManagerOut(msgspec.Struct, frozen=True):
    id: int
    name: str
    email: str


class WeekAccount(msgspec.Struct, frozen=True):
    """How the week's lists name an account; ``trailing_revenue`` is its last 12 months'."""

    code: str
    name: str
    tier: TierName
    trailing_revenue: float


class ContactDueOut(WeekAccount, frozen=True):
    """An account whose tier's contact standard is overdue or due this period, and the
    requirements it has not met yet (e.g. 1 of 2 visits this quarter)."""

    state: str
    last_visit: dt.date | None
    last_call: dt.date | None
    missing: list[RequirementOut]


class LevelDropOut(WeekAccount, frozen=True):
    """An answer recorded in the week below the account's level in the wave it was asked in
    before (levels 0 to 3)."""

    period: str
    answered_at: dt.datetime
    level: int
    level_before: int


class RiskRiseOut(WeekAccount, frozen=True):
    """An account whose risk band on ``as_of`` is higher than on ``earlier_on``."""

    as_of: dt.date
    probability: float
    band: BandName
    earlier_on: dt.date
    earlier_probability: float
    earlier_band: BandName
    risk_value: float


class MyWeek(msgspec.Struct, frozen=True):
    """A manager's week: contacts overdue and due, open complaints, and the accounts that
    dropped a level or rose a risk band since last week.

    ``more_complaints`` says the portfolio has more open complaints than the soonest listed.
    ``answers_since`` is when the week's answers start; ``scored_on`` the latest scored day
    and ``compared_with`` the latest scored day at least 7 days before it (None: none).
    """

    manager: ManagerOut
    today: dt.date
    accounts: int
    overdue_contacts: list[ContactDueOut]
    due_contacts: list[ContactDueOut]
    open_complaints: list[QueueRow]
    more_complaints: bool
    answers_since: dt.datetime
    dropped: list[LevelDropOut]
    scored_on: dt.date | None
    compared_with: dt.date | None
    rose: list[RiskRiseOut]
