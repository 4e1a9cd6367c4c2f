"""Point-in-time churn features: what was known about each account at the end of a day.

Every feature at day D reads only purchases on or before D, closings on or before D,
waves that closed on or before D, complaints' milestones on or before D and contacts on
or before D; ``features_at`` is a pure function of those. Windows are the ``w`` days
ending on D: (D - w, D]. Money is the sum of purchase amounts; a "purchase day" is a day
with at least one purchase (see records.PurchaseDays).

The table is built from blocks (purchases, profile, surveys, complaints, contacts), each
a function of the records, the day and the configured rules (tier thresholds, contact
standards).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from feedback.accounts.standards import previous_period
from feedback.accounts.tiers import tier_array, trailing_window
from feedback.complaints.states import RootCause
from feedback.config import ContactRequirement, ContactStandards, TierThresholds
from feedback.scoring.records import CustomerRecords, date_of, day_number

__all__ = [
    "CONTACT_RECENCY_KINDS",
    "FEATURE_BLOCKS",
    "WINDOWS",
    "FeatureBlock",
    "FeatureRules",
    "FeatureTable",
    "Shortfall",
    "features_at",
    "latest_answered_waves",
    "missed_contact_standards",
]

WINDOWS = (30, 90, 180, 365)
# Trends compare the last `recent` days with the account's own rate over the `normal` days
# before them: its normal, not the customer base's.
TRENDS = ((90, 365), (180, 365))
COMPLAINT_WINDOWS = (90, 365)
# The kinds of contact whose recency is a feature, as the contact log names them.
CONTACT_RECENCY_KINDS = ("visit", "call")
FloatArray = npt.NDArray[np.float64]
TextArray = npt.NDArray[np.str_]


@dataclass(frozen=True)
class FeatureRules:
    """The configured rules some features follow: the tier thresholds (tiers are recomputed
    at each snapshot) and each tier's contact standard."""

    thresholds: TierThresholds = field(default_factory=TierThresholds)
    standards: ContactStandards = field(default_factory=ContactStandards.defaults)


@dataclass(frozen=True)
class FeatureBlock:
    """Some features of every account position: numeric (NaN = unknown) and categorical."""

    numeric: dict[str, FloatArray]
    categorical: dict[str, TextArray]


@dataclass(frozen=True)
class FeatureTable:
    """Features of the accounts in a snapshot, one row per account, named columns."""

    account_ids: npt.NDArray[np.int64]
    numeric_names: tuple[str, ...]
    numeric: FloatArray  # rows x numeric_names
    categorical_names: tuple[str, ...]
    categorical: TextArray  # rows x categorical_names

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in the order of ``matrix()``: numeric, then categorical."""
        return self.numeric_names + self.categorical_names

    def matrix(self) -> npt.NDArray[np.object_]:
        """All columns in one object array, as the model pipelines take them."""
        out = np.empty((len(self.account_ids), len(self.names)), dtype=object)
        out[:, : len(self.numeric_names)] = self.numeric
        out[:, len(self.numeric_names) :] = self.categorical
        return out

    def column(self, name: str) -> FloatArray:
        return self.numeric[:, self.numeric_names.index(name)]

    def rows(self, selected: npt.NDArray[np.bool_] | npt.NDArray[np.int64]) -> FeatureTable:
        return FeatureTable(
            self.account_ids[selected],
            self.numeric_names,
            self.numeric[selected],
            self.categorical_names,
            self.categorical[selected],
        )


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, np.nan)


@dataclass(frozen=True)
class _Window:
    """Purchase days and money of each account in (start, end]."""

    days: FloatArray
    money: FloatArray


def _window(records: CustomerRecords, start: int, end: int) -> _Window:
    purchases = records.purchases
    low = purchases.rows_up_to(records.size, start)
    high = purchases.rows_up_to(records.size, end)
    return _Window((high - low).astype(np.float64), purchases.money(low, high))


def _windows(records: CustomerRecords, day: int) -> dict[str, FloatArray]:
    found: dict[str, FloatArray] = {}
    for width in WINDOWS:
        window = _window(records, day - width, day)
        found[f"purchase_days_{width}d"] = window.days
        found[f"revenue_{width}d"] = window.money
    found["average_purchase_365d"] = _ratio(found["revenue_365d"], found["purchase_days_365d"])
    return found


def _trends(records: CustomerRecords, day: int) -> dict[str, FloatArray]:
    """log(1 + recent) - log(1 + normal rate x recent days): 0 at the account's usual pace."""
    found: dict[str, FloatArray] = {}
    for recent, normal in TRENDS:
        now = _window(records, day - recent, day)
        before = _window(records, day - recent - normal, day - recent)
        scale = recent / normal
        found[f"frequency_trend_{recent}d"] = np.log1p(now.days) - np.log1p(before.days * scale)
        # Refunds can leave a window's money below zero; the trend treats that as nothing.
        money_now, money_before = np.maximum(now.money, 0), np.maximum(before.money, 0)
        found[f"revenue_trend_{recent}d"] = np.log1p(money_now) - np.log1p(money_before * scale)
    return found


def _history(records: CustomerRecords, day: int) -> dict[str, FloatArray]:
    """Recency, gaps between consecutive purchase days, totals and tenure, up to ``day``."""
    purchases = records.purchases
    start = purchases.starts(records.size)
    end = purchases.rows_up_to(records.size, day)
    count = (end - start).astype(np.float64)
    days = np.append(purchases.day, 0)  # a sentinel, so empty accounts index safely
    gap = np.diff(purchases.day, prepend=0).astype(np.float64)
    gap[start[start < len(gap)]] = 0.0  # an account's first day has no gap before it
    gap_sum = np.concatenate([[0.0], np.cumsum(gap)])
    square_sum = np.concatenate([[0.0], np.cumsum(gap**2)])
    first_gap = np.minimum(start + 1, end)
    mean = _ratio(gap_sum[end] - gap_sum[first_gap], count - 1)
    mean_square = _ratio(square_sum[end] - square_sum[first_gap], count - 1)
    since_last = np.where(count > 0, day - days[end - 1], np.nan)
    first = np.where(count > 0, days[start], np.nan)
    opened = np.where(records.opened > np.iinfo(np.int32).min, records.opened, first)
    return {
        "purchase_days_total": count,
        "revenue_total": purchases.money(start, end),
        "days_since_last_purchase": since_last,
        "days_since_first_purchase": day - first,
        "mean_gap_days": mean,
        "gap_variation": _ratio(np.sqrt(np.maximum(mean_square - mean**2, 0.0)), mean),
        "last_gap_days": np.where(count > 1, days[end - 1] - days[np.maximum(end - 2, 0)], np.nan),
        "overdue_ratio": _ratio(since_last, mean),
        "tenure_days": day - opened,
    }


def _tiers(records: CustomerRecords, day: int, thresholds: TierThresholds) -> TextArray:
    """Each account's tier as it would have been computed on ``day`` (trailing 12 months)."""
    first, last = trailing_window(date_of(day))
    revenue = _window(records, day_number(first) - 1, day_number(last)).money
    return tier_array(np.where(records.active_at(day), revenue, 0.0), thresholds)


def purchase_block(records: CustomerRecords, day: int, rules: FeatureRules) -> FeatureBlock:
    """Recency, frequency and money over each window, trends, gaps, tenure and the tier."""
    numeric = _windows(records, day) | _trends(records, day) | _history(records, day)
    return FeatureBlock(numeric, {"tier": _tiers(records, day, rules.thresholds)})


def profile_block(records: CustomerRecords, day: int, rules: FeatureRules) -> FeatureBlock:
    """Industry, region and every custom attribute, as the CRM holds them now."""
    return FeatureBlock(
        {f"attribute:{name}": values for name, values in records.numeric_attributes.items()},
        {
            "industry": records.industry,
            "region": records.region,
            **{
                f"attribute:{name}": values
                for name, values in records.categorical_attributes.items()
            },
        },
    )


def survey_block(records: CustomerRecords, day: int, rules: FeatureRules) -> FeatureBlock:
    """Levels in the waves closed on or before ``day``: latest, change, silence, waves asked."""
    surveys = records.surveys
    known = surveys.closing_day <= day
    account, closing, level = (
        surveys.account[known],
        surveys.closing_day[known],
        surveys.level[known],
    )
    asked = np.bincount(account, minlength=records.size).astype(np.float64)
    answered = level >= 0
    latest, previous = _last_two(account[answered], level[answered], records.size)
    silent = np.full(records.size, np.nan)
    if len(closing):
        last_wave = closing == closing.max()
        silent[account[last_wave]] = (level[last_wave] < 0).astype(np.float64)
    return FeatureBlock(
        {
            "survey_waves_asked": asked,
            "survey_latest_level": latest,
            "survey_level_change": latest - previous,
            "survey_silent_last_wave": silent,
        },
        {},
    )


def latest_answered_waves(records: CustomerRecords, day: int) -> npt.NDArray[np.object_]:
    """The period of each account's latest answered wave closed by ``day`` (None: none).

    Not a feature (a wave's name says nothing by itself); reasons name the wave with it.
    """
    surveys = records.surveys
    answered = (surveys.closing_day <= day) & (surveys.level >= 0)
    account, wave = surveys.account[answered], surveys.wave[answered]
    periods = np.full(records.size, None, dtype=object)
    if len(account):
        # Rows are sorted by account, then closing day: an account's last row is its latest.
        is_last = np.append(account[1:] != account[:-1], True)
        periods[account[is_last]] = [surveys.periods[int(w)] for w in wave[is_last]]
    return periods


def _last_two(
    account: npt.NDArray[np.int64], level: npt.NDArray[np.int64], size: int
) -> tuple[FloatArray, FloatArray]:
    """Each account's last and second-to-last value (rows sorted by account, then time)."""
    latest, previous = np.full(size, np.nan), np.full(size, np.nan)
    if len(account) == 0:
        return latest, previous
    is_last = np.append(account[1:] != account[:-1], True)
    latest[account[is_last]] = level[is_last]
    before = np.flatnonzero(is_last) - 1
    has_before = (before >= 0) & (account[np.maximum(before, 0)] == account[is_last])
    previous[account[is_last][has_before]] = level[before[has_before]]
    return latest, previous


def complaint_block(records: CustomerRecords, day: int, rules: FeatureRules) -> FeatureBlock:
    """Complaints received in each window, open at ``day``, breached, unsatisfied, by cause.

    Breaches and root causes count the complaints received in the last 365 days whose
    breach or investigation happened on or before ``day``.
    """
    complaints = records.complaints

    def count(selected: npt.NDArray[np.bool_]) -> FloatArray:
        return np.bincount(complaints.account[selected], minlength=records.size).astype(float)

    received = complaints.received <= day
    numeric: dict[str, FloatArray] = {}
    for width in COMPLAINT_WINDOWS:
        recent = received & (complaints.received > day - width)
        numeric[f"complaints_{width}d"] = count(recent)
        numeric[f"complaints_breached_{width}d"] = count(recent & (complaints.breached <= day))
    numeric["complaints_open"] = count(received & (complaints.closed > day))
    year = received & (complaints.received > day - 365)
    numeric["follow_ups_unsatisfied_365d"] = count(year & (complaints.unsatisfied <= day))
    investigated = year & (complaints.investigated <= day)
    for position, cause in enumerate(RootCause):
        selected = investigated & (complaints.root_cause == position)
        numeric[f"root_cause:{cause.value}_365d"] = count(selected)
    return FeatureBlock(numeric, {})


@dataclass(frozen=True)
class Shortfall:
    """A requirement of the contact standard that a whole period held too few contacts for."""

    requirement: ContactRequirement
    done: int


def _standard_counts(
    records: CustomerRecords, day: int, rules: FeatureRules
) -> Iterator[tuple[ContactRequirement, npt.NDArray[np.bool_], npt.NDArray[np.int64]]]:
    """Each tier's requirements with the tier's accounts on ``day`` (tiers as of that day)
    and each account's contacts of the requirement's kind in the last whole period (month
    or quarter) before the one holding ``day``: the period accounts.standards'
    missed_last_period counts."""
    contacts = records.contacts
    tiers = _tiers(records, day, rules.thresholds)
    counted: dict[tuple[str, int], npt.NDArray[np.int64]] = {}
    for tier, requirements in rules.standards.by_tier:
        of_tier = tiers == tier
        for requirement in requirements:
            key = (requirement.kind, requirement.months)
            if key not in counted:
                first, last = previous_period(date_of(day), requirement.months)
                selected = (
                    (contacts.kind == contacts.kinds.index(requirement.kind))
                    & (contacts.day >= day_number(first))
                    & (contacts.day <= day_number(last))
                )
                counted[key] = np.bincount(contacts.account[selected], minlength=records.size)
            yield requirement, of_tier, counted[key]


def contact_block(records: CustomerRecords, day: int, rules: FeatureRules) -> FeatureBlock:
    """Days since the last visit and the last call on or before ``day`` (NaN: none logged),
    and whether the tier's contact standard was missed in the last whole period before the
    one holding ``day`` (1; 0 when every requirement was met, or the tier has none)."""
    contacts = records.contacts
    known = contacts.day <= day
    numeric: dict[str, FloatArray] = {}
    for kind in CONTACT_RECENCY_KINDS:
        selected = known & (contacts.kind == contacts.kinds.index(kind))
        last, _ = _last_two(contacts.account[selected], contacts.day[selected], records.size)
        numeric[f"days_since_last_{kind}"] = day - last
    missed = np.zeros(records.size, dtype=np.bool_)
    for requirement, of_tier, done in _standard_counts(records, day, rules):
        missed |= of_tier & (done < requirement.count)
    numeric["contact_standard_missed"] = missed.astype(np.float64)
    return FeatureBlock(numeric, {})


def missed_contact_standards(
    records: CustomerRecords, day: int, rules: FeatureRules
) -> npt.NDArray[np.object_]:
    """Each account's shortfalls in the last whole periods before ``day``'s (a tuple of
    Shortfall, empty when none), as ``contact_standard_missed`` counts them.

    Not a feature (the feature says whether); reasons say with it what was missed.
    """
    found: npt.NDArray[np.object_] = np.empty(records.size, dtype=object)
    found.fill(())
    for requirement, of_tier, done in _standard_counts(records, day, rules):
        for position in np.flatnonzero(of_tier & (done < requirement.count)).tolist():
            found[position] += (Shortfall(requirement, int(done[position])),)
    return found


Block = Callable[[CustomerRecords, int, FeatureRules], FeatureBlock]
FEATURE_BLOCKS: tuple[Block, ...] = (
    purchase_block,
    profile_block,
    survey_block,
    complaint_block,
    contact_block,
)


def features_at(
    records: CustomerRecords,
    day: int,
    rules: FeatureRules | None = None,
    blocks: tuple[Block, ...] = FEATURE_BLOCKS,
) -> FeatureTable:
    """The features of every account active at ``day``, from what was known on that day."""
    rules = rules or FeatureRules()
    active = records.active_at(day)
    built = [block(records, day, rules) for block in blocks]
    numeric = {name: values for part in built for name, values in part.numeric.items()}
    categorical = {name: values for part in built for name, values in part.categorical.items()}
    size = int(active.sum())
    return FeatureTable(
        account_ids=records.account_ids[active],
        numeric_names=tuple(numeric),
        numeric=np.column_stack([values[active] for values in numeric.values()])
        if numeric
        else np.empty((size, 0)),
        categorical_names=tuple(categorical),
        categorical=np.column_stack([values[active] for values in categorical.values()])
        if categorical
        else np.empty((size, 0), dtype=np.str_),
    )
