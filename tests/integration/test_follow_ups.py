"""The follow-up list on both databases: written with the answer, listed, handled once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.db import Database
from feedback.errors import Conflict, InvalidInput, NotFound
from feedback.surveys.answers import record_response, record_staff_response
from feedback.surveys.follow_up_list import FollowUpQuery, list_follow_ups, mark_handled
from feedback.surveys.follow_ups import FollowUpStatus
from feedback.surveys.issuance import issue_wave
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave, create_wave
from feedback.surveys.tables import FollowUp, Invitation, Response
from tests.integration.test_surveys import MAIL, account, token_of, wave

OPEN = FollowUpQuery()


@pytest.fixture
async def people(make_staff) -> dict[str, StaffMember]:  # type: ignore[no-untyped-def]
    return {
        "agent": await make_staff(Role.agent, "agent@x.com"),
        "mei": await make_staff(Role.account_manager, "mei@x.com"),
        "max": await make_staff(Role.account_manager, "max@x.com"),
        "admin": await make_staff(Role.admin, "admin@x.com"),
    }


async def _tokens(clock: FrozenClock) -> dict[str, str]:
    return {
        link.email: token_of(link.link) for link in await issue_wave("2026-H2", clock.now(), MAIL)
    }


async def test_answers_that_need_a_follow_up_are_listed_oldest_first_with_their_context(
    db: Database, clock: FrozenClock, people: dict[str, StaffMember]
) -> None:
    await account("A1", manager=people["mei"].id)
    await account("A2", manager=people["max"].id)
    await account("A3")
    await wave(clock)
    tokens = await _tokens(clock)
    await record_response(tokens["a2@x.com"], Answer(level=2, comment="call me", may_contact=True),
                          clock.now())  # fmt: skip
    clock.advance(dt.timedelta(hours=1))
    await record_response(tokens["a1@x.com"], Answer(level=0), clock.now())
    await record_response(tokens["a3@x.com"], Answer(level=3, comment="great"), clock.now())
    clock.advance(dt.timedelta(hours=1))
    visit = await record_staff_response(
        "2026-H2", "A3", Answer(level=0, comment="late again"), "visit", people["agent"],
        clock.now(),
    )  # fmt: skip
    assert visit.follow_up_id is not None
    page = await list_follow_ups(OPEN, people["admin"])
    assert [(f.account_code, f.level, f.reason) for f in page.items] == [
        ("A2", 2, "contact_request"),
        ("A1", 0, "not_satisfied"),
        ("A3", 0, "not_satisfied"),
    ]
    first, _, staff_recorded = page.items
    assert (first.contact_email, first.period, first.comment, first.may_contact) == (
        "a2@x.com", "2026-H2", "call me", True,
    )  # fmt: skip
    assert first.created_at == clock.now() - dt.timedelta(hours=2)
    assert (first.channel, first.recorded_by, first.status) == ("web", None, "open")
    assert (staff_recorded.channel, staff_recorded.recorded_by) == ("visit", "Agent")
    assert staff_recorded.contact_email is None
    assert await Response.count() == 4
    assert await FollowUp.count() == 3


async def test_account_managers_see_only_their_accounts_and_others_may_ask_for_theirs(
    db: Database, clock: FrozenClock, people: dict[str, StaffMember]
) -> None:
    await account("A1", manager=people["mei"].id)
    await account("A2", manager=people["max"].id)
    await account("A3", manager=people["admin"].id)
    await wave(clock)
    for token in (await _tokens(clock)).values():
        await record_response(token, Answer(level=0), clock.now())
    codes = {
        name: [f.account_code for f in (await list_follow_ups(OPEN, member)).items]
        for name, member in people.items()
    }
    assert codes == {"agent": ["A1", "A2", "A3"], "mei": ["A1"], "max": ["A2"],
                     "admin": ["A1", "A2", "A3"]}  # fmt: skip
    mine = FollowUpQuery(mine=True)
    assert [f.account_code for f in (await list_follow_ups(mine, people["admin"])).items] == ["A3"]
    assert (await list_follow_ups(mine, people["agent"])).items == []
    mei_item = (await list_follow_ups(OPEN, people["mei"])).items[0]
    with pytest.raises(NotFound):
        await mark_handled(mei_item.id, "called", people["max"], clock.now())


async def test_pages_continue_after_the_cursor(
    db: Database, clock: FrozenClock, people: dict[str, StaffMember]
) -> None:
    for n in range(5):
        await account(f"A{n}")
    await wave(clock)
    for token in (await _tokens(clock)).values():
        clock.advance(dt.timedelta(minutes=1))
        await record_response(token, Answer(level=0), clock.now())
    first = await list_follow_ups(FollowUpQuery(limit=2), people["agent"])
    second = await list_follow_ups(FollowUpQuery(limit=2, after=first.next_cursor), people["agent"])
    third = await list_follow_ups(FollowUpQuery(limit=2, after=second.next_cursor), people["agent"])
    seen = [f.account_code for page in (first, second, third) for f in page.items]
    assert seen == ["A0", "A1", "A2", "A3", "A4"]
    assert third.next_cursor is None
    with pytest.raises(InvalidInput, match="cursor"):
        await list_follow_ups(FollowUpQuery(after=999_999), people["agent"])


async def test_handling_keeps_who_when_and_the_note_and_only_one_of_many_wins(
    db: Database, clock: FrozenClock, people: dict[str, StaffMember]
) -> None:
    await account("A1")
    await wave(clock)
    token = (await _tokens(clock))["a1@x.com"]
    await record_response(token, Answer(level=0, comment="<b>broken</b>"), clock.now())
    item = (await list_follow_ups(OPEN, people["agent"])).items[0]
    with pytest.raises(InvalidInput, match="write a note"):
        await mark_handled(item.id, "  \r\n ", people["agent"], clock.now())
    clock.advance(dt.timedelta(days=1))
    outcomes = await asyncio.gather(
        *(mark_handled(item.id, f"called back {n}", people["agent"], clock.now())
          for n in range(10)),
        return_exceptions=True,
    )  # fmt: skip
    won = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    assert len(won) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, BaseException))
    handled = won[0]
    assert (handled.status, handled.handled_at, handled.handled_by) == (
        "handled", clock.now(), "Agent",
    )  # fmt: skip
    assert handled.note.startswith("called back ")
    assert (await list_follow_ups(OPEN, people["agent"])).items == []
    done = await list_follow_ups(FollowUpQuery(status=FollowUpStatus.handled), people["admin"])
    assert [(f.id, f.note, f.comment) for f in done.items] == [
        (item.id, handled.note, "<b>broken</b>")
    ]
    with pytest.raises(NotFound):
        await mark_handled(999_999, "x", people["agent"], clock.now())


async def test_an_answer_and_its_follow_up_are_written_together_or_not_at_all(
    db: Database, clock: FrozenClock
) -> None:
    await account("A1")
    await wave(clock)
    token = (await _tokens(clock))["a1@x.com"]
    # Take the list away so that writing the follow-up fails after the answer was written.
    await db.engine.run_ddl("ALTER TABLE follow_up RENAME TO follow_up_away")
    try:
        with pytest.raises(Exception, match="follow_up"):
            await record_response(token, Answer(level=0), clock.now())
    finally:
        await db.engine.run_ddl("ALTER TABLE follow_up_away RENAME TO follow_up")
    assert await Response.count() == 0
    assert await Invitation.count().where(Invitation.responded_at.is_not_null()) == 0
    await record_response(token, Answer(level=0), clock.now())
    assert (await Response.count(), await FollowUp.count()) == (1, 1)


async def test_many_submits_of_one_level_0_link_make_one_follow_up(
    db: Database, clock: FrozenClock
) -> None:
    await account("A1")
    await wave(clock)
    token = (await _tokens(clock))["a1@x.com"]
    await asyncio.gather(
        *(record_response(token, Answer(level=0), clock.now()) for _ in range(20)),
        return_exceptions=True,
    )
    assert (await Response.count(), await FollowUp.count()) == (1, 1)


async def test_staff_answers_are_refused_clearly_and_write_nothing(
    db: Database, clock: FrozenClock, people: dict[str, StaffMember]
) -> None:
    await account("A1", manager=people["mei"].id)
    await account("A2", manager=people["max"].id)
    await create_wave("2026-H1", clock.now(), opens_on=dt.date(2026, 3, 1),
                      closes_on=dt.date(2026, 4, 15))  # fmt: skip
    level0 = Answer(level=0)
    with pytest.raises(Conflict, match="has not opened yet"):
        await record_staff_response("2026-H1", "A1", level0, "phone", people["agent"], clock.now())
    await wave(clock)
    await _tokens(clock)
    with pytest.raises(NotFound, match="no account with code A2"):
        await record_staff_response("2026-H2", "A2", level0, "visit", people["mei"], clock.now())
    with pytest.raises(NotFound, match="not a contact"):
        await record_staff_response("2026-H2", "A1", level0, "visit", people["mei"], clock.now(),
                                    contact_email="nobody@x.com")  # fmt: skip
    with pytest.raises(InvalidInput, match="does not ask about"):
        await record_staff_response("2026-H2", "A1", Answer(level=0, aspects={"taste": 3}),
                                    "visit", people["mei"], clock.now())  # fmt: skip
    recorded = await record_staff_response(
        "2026-H2", "A1", level0, "visit", people["mei"], clock.now(), contact_email="A1@X.com"
    )
    with pytest.raises(Conflict, match="no unanswered invitation"):
        await record_staff_response("2026-H2", "A1", level0, "phone", people["agent"],
                                    clock.now(), contact_email="a1@x.com")  # fmt: skip
    await close_wave("2026-H2", clock.now())
    with pytest.raises(Conflict, match="is closed"):
        await record_staff_response("2026-H2", "A1", level0, "phone", people["agent"], clock.now())
    assert await Response.count() == 1
    assert [row["id"] for row in await FollowUp.select(FollowUp.id)] == [recorded.follow_up_id]
