"""The surveys' periodic work: close waves whose closing day is over, remind non-responders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from feedback.errors import Conflict
from feedback.mail.services import MailContext
from feedback.surveys.issuance import send_reminders
from feedback.surveys.services import close_wave, open_waves
from feedback.surveys.waves import ReminderRule, closing_instant

__all__ = ["SurveyWork", "run_survey_work"]


@dataclass(frozen=True)
class SurveyWork:
    """What one run did: the waves it closed and the reminders it queued per wave."""

    closed: list[str] = field(default_factory=list)
    reminded: dict[str, int] = field(default_factory=dict)


async def _close_overdue(now: dt.datetime) -> list[str]:
    closed = []
    for wave in await open_waves():
        if closing_instant(wave.closes_on) > now:
            continue
        try:
            await close_wave(wave.period, now)
        except Conflict:
            continue  # closed meanwhile, by an admin or another run
        closed.append(wave.period)
    return closed


async def run_survey_work(
    now: dt.datetime, context: MailContext, rule: ReminderRule | None = None
) -> SurveyWork:
    """Close open waves past their closing day, then queue the reminders due in the rest.

    Only open waves are touched: creating, opening and issuing a wave stay an admin's
    decision (`feedback waves create` / `issue`), and a planned wave is left as it is.
    Running this again at once finds nothing more to do.
    """
    closed = await _close_overdue(now)
    reminded = {}
    for wave in await open_waves():
        try:
            reminded[wave.period] = await send_reminders(wave.period, now, context, rule)
        except Conflict:
            continue  # closed since it was listed
    return SurveyWork(closed=closed, reminded=reminded)
