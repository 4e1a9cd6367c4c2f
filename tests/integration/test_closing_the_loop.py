"""Survey answers that open complaints, and accounts with an open complaint left unsurveyed."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from feedback.accounts.roles import Role
from feedback.accounts.services import account_detail
from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.complaints.states import Action
from feedback.complaints.tables import Complaint
from feedback.db import Database
from feedback.mail.tables import OutboxMessage
from feedback.surveys.account_section import satisfaction_section
from feedback.surveys.answers import StaffAnswer, record_response, record_staff_response
from feedback.surveys.history import account_answers
from feedback.surveys.issuance import issue_wave, send_reminders
from feedback.surveys.levels import Movement
from feedback.surveys.questionnaire import Answer
from feedback.surveys.results import wave_results
from feedback.surveys.services import close_wave
from feedback.surveys.tables import Invitation, Response
from tests.support.factories import (
    APOLOGY,
    EARLIER,
    FINDINGS,
    MAIL,
    PERIOD,
    PREVIOUS,
    RESOLUTION,
    act,
    issued_links,
    make_account,
    make_wave,
    raise_complaint,
    token_of,
)


async def _tokens(clock: FrozenClock, period: str = PERIOD) -> dict[str, str]:
    return {link.email: token_of(link.link) for link in await issue_wave(period, clock.now(), MAIL)}


async def _close(complaint: Any, agent: StaffMember, clock: FrozenClock) -> Any:
    """Take a complaint through every step to closed, the customer satisfied."""
    for action, content in (
        (Action.apologise, APOLOGY),
        (Action.investigate, FINDINGS),
        (Action.resolve, RESOLUTION),
        (Action.follow_up_satisfied, {}),
    ):
        complaint = await act(complaint, action, content, agent, clock)
    return complaint


async def _complaints() -> list[dict[str, object]]:
    return await Complaint.select(
        Complaint.account.code.as_alias("code"),
        Complaint.contact.email.as_alias("email"),
        Complaint.channel,
        Complaint.severity,
        Complaint.state,
        Complaint.survey_response,
        Complaint.description,
    ).order_by(Complaint.id)


async def test_level_0_and_commented_contact_requests_open_complaints_and_others_do_not(
    db: Database, clock: FrozenClock
) -> None:
    for code in ("A1", "A2", "A3", "A4"):
        await make_account(code)
    await make_wave(clock)
    tokens = await _tokens(clock)
    unhappy = await record_response(tokens["a1@x.com"], Answer(level=0), clock.now())
    call_me = await record_response(
        tokens["a2@x.com"], Answer(level=2, comment="Call me about the invoice", may_contact=True),
        clock.now(),
    )  # fmt: skip
    await record_response(tokens["a3@x.com"], Answer(level=3, comment="Great"), clock.now())
    await record_response(tokens["a4@x.com"], Answer(level=1, may_contact=True), clock.now())
    assert await _complaints() == [
        {"code": "A1", "email": "a1@x.com", "channel": "survey", "severity": "major",
         "state": "received", "survey_response": unhappy,
         "description": f"Answered 'I am not satisfied' in the {PERIOD} survey."},
        {"code": "A2", "email": "a2@x.com", "channel": "survey", "severity": "minor",
         "state": "received", "survey_response": call_me,
         "description": f"Asked to be contacted in the {PERIOD} survey.\n\n"
                        "Call me about the invoice"},
    ]  # fmt: skip
    acknowledgements = await OutboxMessage.select(OutboxMessage.to).where(
        OutboxMessage.dedupe_key.like("complaint%")
    )
    assert sorted(row["to"] for row in acknowledgements) == ["a1@x.com", "a2@x.com"]


async def test_a_staff_answer_opens_a_complaint_for_the_contact_it_names(
    db: Database, clock: FrozenClock, make_staff
) -> None:  # type: ignore[no-untyped-def]
    await make_account("K1", [("boss@k1.com", True), ("buyer@k1.com", True)])
    await make_wave(clock)
    await _tokens(clock)
    agent = await make_staff(Role.agent)
    recorded = await record_staff_response(
        StaffAnswer(
            PERIOD, "K1", Answer(level=0, comment="Late again"), "visit",
            contact_email="buyer@k1.com",
        ),
        agent, clock.now(),
    )  # fmt: skip
    without_contact = await record_staff_response(
        StaffAnswer(PERIOD, "K1", Answer(level=0), "phone"), agent, clock.now()
    )
    complaints = await _complaints()
    assert [(c["email"], c["survey_response"]) for c in complaints] == [
        ("buyer@k1.com", recorded.response_id),
        (None, without_contact.response_id),
    ]
    ids = [row["id"] for row in await Complaint.select(Complaint.id).order_by(Complaint.id)]
    assert ids == [recorded.complaint_id, without_contact.complaint_id]


async def test_an_answer_and_its_complaint_are_written_together_or_not_at_all(
    db: Database, clock: FrozenClock
) -> None:
    token = token_of((await issued_links(clock, "A1"))[0].link)
    # Take the complaint history away: the complaint's last write fails after the answer's.
    await db.engine.run_ddl("ALTER TABLE complaint_event RENAME TO complaint_event_away")
    try:
        with pytest.raises(Exception, match="complaint_event"):
            await record_response(token, Answer(level=0), clock.now())
    finally:
        await db.engine.run_ddl("ALTER TABLE complaint_event_away RENAME TO complaint_event")
    assert (await Response.count(), await Complaint.count()) == (0, 0)
    assert await Invitation.count().where(Invitation.responded_at.is_not_null()) == 0
    await record_response(token, Answer(level=0), clock.now())
    assert (await Response.count(), await Complaint.count()) == (1, 1)


async def test_many_submits_of_one_level_0_link_open_one_complaint(
    db: Database, clock: FrozenClock
) -> None:
    token = token_of((await issued_links(clock, "A1"))[0].link)
    await asyncio.gather(
        *(record_response(token, Answer(level=0), clock.now()) for _ in range(20)),
        return_exceptions=True,
    )
    assert (await Response.count(), await Complaint.count()) == (1, 1)


async def test_an_account_with_an_open_complaint_is_neither_invited_nor_reminded(
    db: Database, clock: FrozenClock, make_staff
) -> None:  # type: ignore[no-untyped-def]
    held = await make_account("H1")
    reminded = await make_account("R1")
    await make_account("Z1")
    await make_wave(clock)
    complaint = await raise_complaint(clock, held)
    assert [link.account_code for link in await issue_wave(PERIOD, clock.now(), MAIL)] == [
        "R1",
        "Z1",
    ]
    await raise_complaint(clock, reminded)
    clock.advance(dt.timedelta(days=8))
    assert await send_reminders(PERIOD, clock.now(), MAIL) == 1  # Z1 only

    agent = await make_staff(Role.agent)
    complaint = await _close(complaint, agent, clock)
    assert complaint.state == "closed"
    again = await issue_wave(PERIOD, clock.now(), MAIL)
    assert [link.account_code for link in again] == ["H1"], "invited once its complaint closed"


async def test_a_wave_an_account_was_left_out_of_is_skipped_alike_on_its_page_report_and_results(
    db: Database, clock: FrozenClock, make_staff
) -> None:  # type: ignore[no-untyped-def]
    held = await make_account("H1")
    await make_account("Z1")
    await make_wave(clock, EARLIER)
    await record_response((await _tokens(clock, EARLIER))["h1@x.com"], Answer(level=2), clock.now())
    await close_wave(EARLIER, clock.now())
    await make_wave(clock, PREVIOUS)
    complaint = await raise_complaint(clock, held)
    assert [link.account_code for link in await issue_wave(PREVIOUS, clock.now(), MAIL)] == ["Z1"]
    await close_wave(PREVIOUS, clock.now())
    agent = await make_staff(Role.agent)
    complaint = await _close(complaint, agent, clock)
    await make_wave(clock)
    await record_response((await _tokens(clock))["h1@x.com"], Answer(level=0), clock.now())

    supervisor = await make_staff(Role.supervisor)
    detail = await account_detail("H1", supervisor, clock.today())
    section = await satisfaction_section(detail, supervisor, clock.now())
    assert section is not None
    on_the_page = [(w.period, w.level, w.movement) for w in section.context["waves"][::-1]]
    in_the_report = [(w.period, w.level, w.movement) for w in (await account_answers(held)).waves]
    assert (
        on_the_page
        == in_the_report
        == [
            (EARLIER, 2, Movement.new),
            (PERIOD, 0, Movement.down),
        ]
    )
    [counted] = [m for m in (await wave_results(PERIOD)).accounts if m.code == "H1"]
    assert (counted.previous_level, counted.current_level, counted.movement) == (
        2,
        0,
        Movement.down,
    )
