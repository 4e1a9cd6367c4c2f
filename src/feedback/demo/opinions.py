"""What the simulated customers answered in past survey waves, agreeing with how they bought."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from feedback.demo.customers import (
    ClosingReason,
    SimulatedAccount,
    SimulatedAnswer,
    SimulatedContact,
    SimulatedWave,
)
from feedback.demo.ledger import Ledger
from feedback.demo.phrases import COMMENTS, STAFF_NOTES
from feedback.surveys.levels import ASPECTS
from feedback.surveys.waves import Period, SurveyCalendar, closing_instant

__all__ = ["WAVE_COUNT", "past_periods", "simulate_waves"]

WAVE_COUNT = 6
ISSUE_TIME = dt.time(8, 0, tzinfo=dt.UTC)
# One reminder, three weeks after the invitation (an hour later in the day); the rule would
# allow a second, left out to keep the demo quick to load.
REMINDER_DAYS = (21,)
# Share of eventual web answers before the reminder and after it.
ANSWER_PHASES = (0.7, 0.3)
# How far the latent level falls by the end of a drift, by why the account leaves.
DEPTH: dict[ClosingReason | None, float] = {
    None: 1.7,  # drifting, still open
    ClosingReason.competitor: 1.5,
    ClosingReason.own_business: 0.8,
    ClosingReason.service: 2.3,
}
# Aspects that suffer most, by why the account leaves.
SORE_ASPECTS: dict[ClosingReason | None, dict[str, float]] = {
    None: {"delivery": -0.4},
    ClosingReason.competitor: {"value": -0.9},
    ClosingReason.own_business: {},
    ClosingReason.service: {"service_attitude": -0.9, "delivery": -0.4},
}
COMMENT_CHANCE = (0.85, 0.35, 0.15, 0.3)  # by level
CONTACT_CHANCE = (0.75, 0.2, 0.04, 0.04)  # "may we contact you?", by level
ASPECT_RATED = 0.9
# A bad half year (a late delivery, a billing error) can happen to anyone, and passes.
INCIDENT, INCIDENT_DROP = 0.05, 1.3
STAFF_INTERVIEW = 0.45  # chance a tier A account gets a call or visit in a wave
VISIT = 0.4  # share of those interviews made on site
SILENT_AFTER_STOP = 0.3  # response chance left once an account has stopped buying


@dataclass(frozen=True)
class _Disposition:
    """How an account feels and answers, drawn once; the drift moves it over time."""

    base: float  # latent level while nothing is wrong
    responsiveness: float  # chance a contact answers while nothing is wrong
    onset: dt.date | None  # dissatisfaction starts before purchases fade
    end: dt.date | None  # the last purchase day, or the closing
    depth: float
    aspect_bias: dict[str, float]

    def trouble(self, day: dt.date) -> float:
        """How far the drift has gone on ``day``: 0 before its onset, 1 at its end."""
        if self.onset is None or self.end is None:
            return 0.0
        span = max((self.end - self.onset).days, 1)
        return float(np.clip((day - self.onset).days / span, 0.0, 1.0))


def past_periods(as_of: dt.date, calendar: SurveyCalendar | None = None) -> list[Period]:
    """The last ``WAVE_COUNT`` half years whose wave had closed before ``as_of``, oldest first."""
    calendar = calendar or SurveyCalendar()
    period = Period(as_of.year, 2)
    while calendar.dates(period)[1] >= as_of:
        period = period.previous
    periods = [period]
    while len(periods) < WAVE_COUNT:
        periods.append(periods[-1].previous)
    return periods[::-1]


def _disposition(rng: np.random.Generator, account: SimulatedAccount) -> _Disposition:
    tenure = (account.stopped_on or account.opened_on) - account.opened_on
    base = float(rng.normal(2.05, 0.45)) + min(tenure.days / 365 * 0.05, 0.25)
    responsiveness = float(np.clip(rng.normal(0.62, 0.15), 0.15, 0.95))
    lead = dt.timedelta(days=int(rng.integers(90, 301)))
    bias = {aspect: float(rng.normal(0, 0.3)) for aspect in ASPECTS}
    if account.drift_started_on is None:
        return _Disposition(base, responsiveness, None, None, 0.0, bias)
    reason = account.closed_reason
    for aspect, shift in SORE_ASPECTS[reason].items():
        bias[aspect] += shift
    return _Disposition(
        base,
        responsiveness,
        onset=account.drift_started_on - lead,
        end=account.stopped_on,
        depth=DEPTH[reason],
        aspect_bias=bias,
    )


def _rounded(value: float, lowest: int, highest: int) -> int:
    return min(max(round(value), lowest), highest)


def _level(rng: np.random.Generator, mood: float) -> int:
    return _rounded(mood + rng.normal(0, 0.3), 0, 3)


def _aspects(
    rng: np.random.Generator, level: int, bias: dict[str, float], everything: bool
) -> dict[str, int]:
    """Ratings 1-5 that follow the level, each aspect shifted by the account's own view."""
    noise = rng.normal(0, 0.6, len(ASPECTS)).tolist()
    rated = (rng.random(len(ASPECTS)) < ASPECT_RATED).tolist()
    return {
        aspect: _rounded(1.4 + 1.1 * level + bias[aspect] + noise[n], 1, 5)
        for n, aspect in enumerate(ASPECTS)
        if everything or rated[n]
    }


@dataclass(frozen=True)
class _WaveClock:
    """The moments of one wave: issue, reminders (an hour later in the day), closing."""

    period: Period
    opens_on: dt.date
    closes_on: dt.date
    issued_at: dt.datetime
    reminders_at: tuple[dt.datetime, ...]
    closed_at: dt.datetime

    @classmethod
    def of(cls, period: Period, calendar: SurveyCalendar) -> _WaveClock:
        opens_on, closes_on = calendar.dates(period)
        issued_at = dt.datetime.combine(opens_on, ISSUE_TIME)
        later = dt.timedelta(hours=1)
        reminders = tuple(issued_at + dt.timedelta(days=d) + later for d in REMINDER_DAYS)
        return cls(period, opens_on, closes_on, issued_at, reminders, closing_instant(closes_on))

    def web_answer_at(self, rng: np.random.Generator) -> dt.datetime:
        """Most answer soon after the mail, then after each reminder."""
        draw, phase = rng.random(), 0
        while phase < len(ANSWER_PHASES) - 1 and draw >= sum(ANSWER_PHASES[: phase + 1]):
            phase += 1
        starts = (self.issued_at, *self.reminders_at)
        ends = (*self.reminders_at, self.closed_at - dt.timedelta(hours=1))
        span = (ends[phase] - starts[phase]).total_seconds() - 120
        last = phase == len(ANSWER_PHASES) - 1
        seconds = span * rng.random() if last else min(rng.exponential(span / 5), span)
        return starts[phase] + dt.timedelta(seconds=60 + int(seconds))

    def staff_answer_at(self, rng: np.random.Generator) -> dt.datetime:
        span = (self.closed_at - self.issued_at).total_seconds() - 2 * 3600
        return self.issued_at + dt.timedelta(seconds=3600 + int(span * rng.random()))


@dataclass(frozen=True)
class _Asked:
    """An account asked in a wave: its contacts with the survey, and how it feels."""

    account: SimulatedAccount
    contacts: Sequence[SimulatedContact]
    disposition: _Disposition
    key_account: bool


@dataclass(frozen=True)
class _Reply:
    """One contact's reply: the level they give, and whether their manager interviewed them."""

    contact: SimulatedContact
    level: int
    interview: bool


def _answer(
    rng: np.random.Generator, asked: _Asked, reply: _Reply, clock: _WaveClock
) -> SimulatedAnswer:
    """A web answer, or one taken by the account's manager on a call or visit."""
    account, contact, level, interview = asked.account, reply.contact, reply.level, reply.interview
    bias = asked.disposition.aspect_bias
    if interview:
        answered_at = clock.staff_answer_at(rng)
        comment = STAFF_NOTES[contact.language][level]
        may_contact = level == 0
    else:
        answered_at = clock.web_answer_at(rng)
        comments = COMMENTS[contact.language][level]
        pick = int(rng.integers(len(comments)))
        comment = comments[pick] if rng.random() < COMMENT_CHANCE[level] else ""
        may_contact = bool(rng.random() < CONTACT_CHANCE[level])
    return SimulatedAnswer(
        account_code=account.code,
        email=contact.email,
        answered_at=answered_at,
        level=level,
        aspects=_aspects(rng, level, bias, everything=interview),
        comment=comment,
        may_contact=may_contact,
        channel=("visit" if rng.random() < VISIT else "phone") if interview else "web",
        recorded_by=account.manager_email if interview else None,
    )


def _account_answers(
    rng: np.random.Generator, asked: _Asked, clock: _WaveClock
) -> list[SimulatedAnswer]:
    """The answers of one account's invited contacts in one wave (none if it is silent)."""
    account, invited, disposition = asked.account, asked.contacts, asked.disposition
    trouble = disposition.trouble(clock.opens_on)
    # The first disappointments weigh most: the level falls early in the drift.
    mood = disposition.base + rng.normal(0, 0.3) - disposition.depth * trouble**0.5
    if rng.random() < INCIDENT:
        mood -= INCIDENT_DROP
    chance = disposition.responsiveness * (1 - 0.6 * trouble)
    if disposition.end is not None and disposition.end <= clock.opens_on:
        chance *= SILENT_AFTER_STOP
    interviewed = invited[int(rng.integers(len(invited)))] if asked.key_account else None
    if interviewed is not None and rng.random() >= STAFF_INTERVIEW:
        interviewed = None
    answers = []
    for contact in invited:
        level = _level(rng, mood)
        interview = contact is interviewed
        if not interview and rng.random() >= chance:
            continue
        answer = _answer(rng, asked, _Reply(contact, level, interview), clock)
        if account.closed_on is None or answer.answered_at.date() < account.closed_on:
            answers.append(answer)
    return answers


def _wave(
    rng: np.random.Generator,
    accounts: Sequence[SimulatedAccount],
    dispositions: Sequence[_Disposition],
    ledger: Ledger,
    clock: _WaveClock,
) -> SimulatedWave:
    tiers = ledger.tiers_on(clock.opens_on)
    key_accounts = {code for code, tier in tiers.items() if tier == "A"}
    invited: list[tuple[str, str]] = []
    answers: list[SimulatedAnswer] = []
    for account, disposition in zip(accounts, dispositions, strict=True):
        contacts = [c for c in account.contacts if c.survey_opt_in]
        if not contacts or not account.open_on(clock.opens_on):
            continue
        invited += [(account.code, contact.email) for contact in contacts]
        asked = _Asked(account, contacts, disposition, account.code in key_accounts)
        answers += _account_answers(rng, asked, clock)
    return SimulatedWave(
        period=str(clock.period),
        opens_on=clock.opens_on,
        closes_on=clock.closes_on,
        issued_at=clock.issued_at,
        reminders_at=clock.reminders_at,
        closed_at=clock.closed_at,
        invited=tuple(invited),
        answers=tuple(sorted(answers, key=lambda answer: answer.answered_at)),
    )


def simulate_waves(ledger: Ledger, as_of: dt.date, seed: int) -> tuple[SimulatedWave, ...]:
    """The six past waves before ``as_of`` of the ledger's accounts: drifting accounts answer
    lower, or not at all."""
    rng = np.random.default_rng([seed, 1])  # its own stream: the customer base stays the same
    accounts = ledger.accounts
    dispositions = [_disposition(rng, account) for account in accounts]
    calendar = SurveyCalendar()
    clocks = [_WaveClock.of(period, calendar) for period in past_periods(as_of, calendar)]
    return tuple(_wave(rng, accounts, dispositions, ledger, clock) for clock in clocks)
