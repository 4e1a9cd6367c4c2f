"""Running the simulated past survey waves through the survey services, as they ran back then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feedback.accounts import staff
from feedback.demo.customers import SimulatedAnswer, SimulatedWave
from feedback.mail.services import MailContext
from feedback.surveys import issuance, services
from feedback.surveys.batches import BatchAnswer, record_answers
from feedback.surveys.questionnaire import Answer

__all__ = ["WaveSummary", "run_past_waves"]

PLANNED_AHEAD = dt.timedelta(days=14)  # waves are created two weeks before they open


@dataclass(frozen=True)
class WaveSummary:
    period: str
    invited: int
    answered: int


async def _staff_ids(waves: Sequence[SimulatedWave]) -> dict[str, int]:
    """Ids of the staff members who recorded calls and visits, by email."""
    emails = {a.recorded_by for wave in waves for a in wave.answers if a.recorded_by}
    return {email: (await staff.find_user(email)).id for email in sorted(emails)}


def _batch_answer(answer: SimulatedAnswer, token: str, staff_ids: dict[str, int]) -> BatchAnswer:
    return BatchAnswer(
        token=token,
        answer=Answer(answer.level, answer.aspects, answer.comment, answer.may_contact),
        answered_at=answer.answered_at,
        channel=answer.channel,
        recorded_by=staff_ids[answer.recorded_by] if answer.recorded_by else None,
    )


async def _run_wave(
    wave: SimulatedWave, context: MailContext, staff_ids: dict[str, int]
) -> WaveSummary:
    """Create, issue, answer, remind and close one wave, each step at its own past moment."""
    period = wave.period
    await services.create_wave(
        period, wave.issued_at - PLANNED_AHEAD, wave.opens_on, wave.closes_on
    )
    links = await issuance.issue_wave(period, wave.issued_at, context)
    tokens = {(link.account_code, link.email): link.token for link in links}
    pending = list(wave.answers)  # in the order they were given
    answered = 0
    for reminder_at in (*wave.reminders_at, None):
        until = reminder_at or wave.closed_at
        given = [answer for answer in pending if answer.answered_at < until]
        pending = pending[len(given) :]
        answered += await record_answers(
            period,
            [_batch_answer(a, tokens[(a.account_code, a.email)], staff_ids) for a in given],
        )
        if reminder_at is not None:
            await issuance.send_reminders(period, reminder_at, context)
    await services.close_wave(period, wave.closed_at)
    return WaveSummary(period, len(links), answered)


async def run_past_waves(
    waves: Sequence[SimulatedWave], base_url: str, progress: Callable[[int, int], None]
) -> list[WaveSummary]:
    """Every simulated wave, oldest first, through the services a real wave goes through."""
    # That mail went out back then: the outbox shows it sent and never sends it again.
    context = MailContext(base_url=base_url, delivered_elsewhere=True)
    staff_ids = await _staff_ids(waves)
    summaries = []
    progress(0, len(waves))
    for done, wave in enumerate(waves, start=1):
        summaries.append(await _run_wave(wave, context, staff_ids))
        progress(done, len(waves))
    return summaries
