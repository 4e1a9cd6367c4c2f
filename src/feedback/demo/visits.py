"""The simulated contact log: account managers visit, call and write to their accounts about
as often as the tier's contact standard asks, some accounts are neglected, and accounts on
their way out are contacted less in their last months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from feedback.accounts.tiers import TIER_NAMES
from feedback.config import DEFAULT_CONTACT_STANDARDS, ContactStandards
from feedback.demo.customers import Fate, SimulatedAccount, SimulatedContactEntry
from feedback.demo.ledger import Ledger
from feedback.demo.phrases import CONTACT_NOTES, PEOPLE_MET, TROUBLE_NOTES

__all__ = ["simulate_contact_log"]

# Chance that a manager makes each contact the standard asks for, drawn once per account:
# most keep to it, some let an account slide.
DILIGENT, NEGLECTFUL = (0.8, 1.0), (0.05, 0.35)
NEGLECTED = 0.12  # share of accounts their manager neglects
EXTRA = 0.15  # chance of one contact more than asked in a period
# Beyond the standard: a call now and then to a tier D account, and emails, a quarter.
OCCASIONAL: dict[str, tuple[tuple[str, float], ...]] = {
    "A": (("email", 0.6),),
    "B": (("email", 0.5),),
    "C": (("email", 0.3),),
    "D": (("call", 0.15), ("email", 0.1)),
}
# An account on its way out is contacted less from the start of its drift (at least four
# months before its last purchase) down to this share at the end, and after.
FADE_FLOOR = 0.2
FADE_MONTHS_AT_LEAST = 120
TROUBLE_NOTE = 0.5  # chance a contact in the second half of the fade notes why it fades
NOT_ON_RECORD = 0.12  # share of visits and calls with someone who is not a contact
# Tiers are ranked by the purchases of the history: its first month counts as the first days
# of that ranking.
FIRST_RANKING = dt.timedelta(days=30)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class _Aim:
    """``count`` contacts of ``kind`` in every period of ``months``, each made by ``chance``."""

    kind: str
    count: int
    months: int
    chance: float = 1.0


def _aims() -> dict[str, tuple[_Aim, ...]]:
    standards = ContactStandards.parse(DEFAULT_CONTACT_STANDARDS)
    return {
        tier: (
            *(_Aim(r.kind, r.count, r.months) for r in standards.of(tier)),
            *(_Aim(kind, 1, 3, chance) for kind, chance in OCCASIONAL[tier]),
        )
        for tier in TIER_NAMES
    }


AIMS = _aims()


@dataclass(frozen=True)
class _Period:
    """A calendar month or quarter of the history, cut to it, and the quarter it lies in."""

    first: dt.date
    last: dt.date
    quarter: int
    days: int
    middle: dt.date


def _periods(start: dt.date, end: dt.date, months: int) -> list[_Period]:
    periods = []
    year, month = start.year, (start.month - 1) // months * months + 1
    quarter_of: dict[tuple[int, int], int] = {}
    while dt.date(year, month, 1) <= end:
        first = dt.date(year, month, 1)
        year, month = (year, month + months) if month + months <= 12 else (year + 1, 1)
        last = dt.date(year, month, 1) - dt.timedelta(days=1)
        quarter = quarter_of.setdefault((first.year, (first.month - 1) // 3), len(quarter_of))
        first, last = max(first, start), min(last, end)
        days = (last - first).days + 1
        periods.append(_Period(first, last, quarter, days, first + dt.timedelta(days=days // 2)))
    return periods


class _Attention:
    """How closely a manager follows one account on a day: the diligence drawn for it, cut
    down over the account's last months when it drifts away or closes."""

    def __init__(self, rng: np.random.Generator, account: SimulatedAccount) -> None:
        low, high = NEGLECTFUL if rng.random() < NEGLECTED else DILIGENT
        self.diligence = float(rng.uniform(low, high))
        self.fade: tuple[dt.date, dt.date] | None = None
        if account.fate is not Fate.steady and account.stopped_on and account.drift_started_on:
            least = account.stopped_on - dt.timedelta(days=FADE_MONTHS_AT_LEAST)
            self.fade = (min(account.drift_started_on, least), account.stopped_on)

    def trouble(self, day: dt.date) -> float:
        """How far the account's fade has gone on ``day``: 0 before it, 1 at its end."""
        if self.fade is None:
            return 0.0
        start, end = self.fade
        return min(max((day - start).days / max((end - start).days, 1), 0.0), 1.0)

    def on(self, day: dt.date) -> float:
        return self.diligence * (1 - (1 - FADE_FLOOR) * self.trouble(day))


# Saturday's contact moves to Friday, Sunday's to Monday.
TO_WEEKDAY = (*(dt.timedelta(0),) * 5, -ONE_DAY, ONE_DAY)


def _weekday(day: dt.date) -> dt.date:
    return day + TO_WEEKDAY[day.weekday()]


@dataclass(frozen=True)
class _Account:
    """One account as its manager sees it over the history."""

    account: SimulatedAccount
    tiers: Sequence[str]  # by quarter of the history
    attention: _Attention
    language: str
    first: dt.date  # the first and last day it can be contacted
    last: dt.date


# The most contacts one aim can make in a period: all it asks for, and the extra one.
MOST = max(aim.count for aims in AIMS.values() for aim in aims) + 1


def _planned(
    rng: np.random.Generator, seen: _Account, periods: dict[int, list[_Period]]
) -> list[tuple[dt.date, str]]:
    """The days and kinds of an account's contacts: in each period, each contact the aims of
    its tier then ask for is made by chance, and one more now and then; they are spread over
    the period, on weekdays."""
    slots = [
        (period, aim)
        for months, spans in periods.items()
        for period in spans
        if period.last >= seen.first and period.first <= seen.last
        for aim in AIMS[seen.tiers[period.quarter]]
        if aim.months == months
    ]
    if not slots:
        return []
    chances = np.array([aim.chance * seen.attention.on(period.middle) for period, aim in slots])
    asked = np.array([aim.count for _, aim in slots])
    limits = np.where(np.arange(MOST) < asked[:, None], chances[:, None], 0.0)
    limits[:, -1] = EXTRA * chances
    made = (rng.random(limits.shape) < limits).sum(axis=1).tolist()
    offsets = iter(rng.random(sum(made)).tolist())
    planned = []
    for (period, aim), count in zip(slots, made, strict=True):
        for n in range(count):
            day = period.first + dt.timedelta(days=int((n + next(offsets)) * period.days / count))
            day = _weekday(day)
            if max(seen.first, period.first) <= day <= seen.last:
                planned.append((day, aim.kind))
    return sorted(planned)


def _account_log(
    rng: np.random.Generator, seen: _Account, periods: dict[int, list[_Period]]
) -> list[SimulatedContactEntry]:
    """The account's contacts with whom was met (one of its contacts, or a person as written
    down) and the manager's notes, in the contact's language."""
    account, language = seen.account, seen.language
    planned = _planned(rng, seen, periods)
    draws = rng.random((len(planned), 4)).tolist()
    log = []
    for n, ((day, kind), draw) in enumerate(zip(planned, draws, strict=True), start=1):
        other, who, troubled, what = draw
        contact_email, person_met = "", ""
        if kind == "email" or other >= NOT_ON_RECORD:
            contact_email = account.contacts[int(who * len(account.contacts))].email
        else:
            person_met = PEOPLE_MET[language][int(who * len(PEOPLE_MET[language]))]
        notes = CONTACT_NOTES[language][kind]
        if troubled < TROUBLE_NOTE and seen.attention.trouble(day) > 0.5:
            notes = TROUBLE_NOTES[language][account.closed_reason]
        log.append(
            SimulatedContactEntry(
                account.code, kind, day, account.manager_email, contact_email, person_met,
                notes[int(what * len(notes))], f"{account.code}-L{n:04d}",
            )
        )  # fmt: skip
    return log


def simulate_contact_log(
    ledger: Ledger, history_start: dt.date, as_of: dt.date, seed: int
) -> tuple[SimulatedContactEntry, ...]:
    """The visits, calls and emails of the ledger's accounts from ``history_start`` to
    ``as_of``, by the tier each was in at the start of each quarter (its trailing 12 months,
    as then)."""
    rng = np.random.default_rng([seed, 4])  # its own stream: the rest of the demo stays the same
    periods = {months: _periods(history_start, as_of, months) for months in (1, 3)}
    ranked_from = history_start + FIRST_RANKING
    quarter_tiers = [ledger.tiers_on(max(quarter.first, ranked_from)) for quarter in periods[3]]
    log: list[SimulatedContactEntry] = []
    for account in ledger.accounts:
        if not account.contacts:
            continue
        seen = _Account(
            account,
            tiers=[tiers.get(account.code, "D") for tiers in quarter_tiers],
            attention=_Attention(rng, account),
            language=account.contacts[0].language,
            first=max(account.opened_on, history_start),
            last=as_of if account.closed_on is None else min(as_of, account.closed_on - ONE_DAY),
        )
        log += _account_log(rng, seen, periods)
    return tuple(log)
