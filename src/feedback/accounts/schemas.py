"""Typed shapes of the accounts API (msgspec structs, unknown fields rejected)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from feedback.accounts.tiers import TIER_NAMES
from feedback.web.schema_values import one_of

__all__ = [
    "AccountBase",
    "AccountDetail",
    "AccountFilters",
    "AccountMatch",
    "AccountPage",
    "AccountSummary",
    "ContactEntryIn",
    "ContactEntryOut",
    "ContactOut",
    "ContactStandardOut",
    "ContactTimeline",
    "DisplayNameIn",
    "DisplayNameOut",
    "LoginIn",
    "MeOut",
    "PurchaseSummary",
    "RequirementOut",
    "TierName",
    "YearRevenue",
]

# A tier as the API writes it: A, B, C or D.
TierName = Annotated[str, one_of(TIER_NAMES)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str = msgspec.field()
    password: str = msgspec.field()


class MeOut(msgspec.Struct):
    id: int
    email: str
    name: str
    role: str


class AccountMatch(msgspec.Struct, frozen=True):
    """What the accounts list matches on the accounts themselves; empty strings mean "any"."""

    q: str = ""
    tier: str = ""
    industry: str = ""
    region: str = ""
    status: str = ""


class AccountFilters(AccountMatch, frozen=True, forbid_unknown_fields=True):
    """Filters of the accounts list: the match, the manager and the page."""

    manager_id: int | None = None
    after: int | None = None
    limit: int = 50


class AccountBase(msgspec.Struct):
    """What the accounts list and an account's page both show of it."""

    id: int
    code: str
    name: str
    industry: str
    region: str
    tier: TierName
    status: str


class AccountSummary(AccountBase):
    manager: str | None
    trailing_revenue: float


class AccountPage(msgspec.Struct):
    items: list[AccountSummary]
    next_cursor: int | None


class ContactOut(msgspec.Struct):
    email: str
    name: str
    language: str
    phone: str
    survey_opt_in: bool


class YearRevenue(msgspec.Struct):
    year: int
    purchases: int
    revenue: float


class PurchaseSummary(msgspec.Struct):
    """All purchases, the last 12 months to today (trailing) and the 12 months before them."""

    purchases: int
    revenue: float
    first_on: dt.date | None
    last_on: dt.date | None
    trailing_revenue: float
    trailing_purchases: int
    prior_revenue: float
    prior_purchases: int
    by_year: list[YearRevenue]


class AccountDetail(AccountBase):
    opened_on: dt.date | None
    closed_on: dt.date | None
    closed_reason: str
    manager: str | None
    manager_email: str | None
    attributes: dict[str, float | str | None]
    contacts: list[ContactOut]
    purchases: PurchaseSummary


class ContactEntryIn(msgspec.Struct, forbid_unknown_fields=True):
    """A visit, call or email to record; ``contact_email`` names the contact met, if on record."""

    kind: str
    happened_on: dt.date
    contact_email: str = ""
    person_met: str = ""
    notes: str = ""


class ContactEntryOut(msgspec.Struct):
    id: int
    kind: str
    happened_on: dt.date
    person_met: str
    contact_email: str | None
    done_by: str | None
    notes: str
    recorded_at: dt.datetime


class RequirementOut(msgspec.Struct):
    """One requirement of the tier's standard in the current period, e.g. 2 visits a quarter."""

    kind: str
    count: int
    period: str
    period_start: dt.date
    period_end: dt.date
    done: int
    last: dt.date | None
    state: str


class ContactStandardOut(msgspec.Struct):
    """The tier's contact standard this period: met, due, overdue, or none (no standard)."""

    state: str
    last_visit: dt.date | None
    last_call: dt.date | None
    requirements: list[RequirementOut]


class ContactTimeline(msgspec.Struct):
    standard: ContactStandardOut
    entries: list[ContactEntryOut]


class DisplayNameIn(msgspec.Struct, forbid_unknown_fields=True):
    """The names of one CRM value (an industry, region or attribute name) per language; an
    empty name removes it, so the value shows as the CRM writes it."""

    kind: str
    value: str
    names: dict[str, str]


class DisplayNameOut(msgspec.Struct):
    kind: str
    value: str
    names: dict[str, str]
