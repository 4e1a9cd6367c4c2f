"""A batch of answers to one wave: the same rules as one answer at a time, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from feedback.accounts.tables import StaffUser
from feedback.clock import FrozenClock
from feedback.db import Database
from feedback.errors import Conflict, InvalidInput
from feedback.surveys.answers import LinkNotUsable, record_response
from feedback.surveys.batches import BatchAnswer, record_answers
from feedback.surveys.issuance import issue_wave, send_reminders
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import close_wave
from feedback.surveys.tables import Channel, Invitation, ReminderLink, Response
from feedback.surveys.waves import Period
from tests.conftest import NOW, TODAY
from tests.support.factories import MAIL, PERIOD, issued_links, make_wave

# The half year after the suite's today's: another wave, whose links do not answer this one.
NEXT = str(Period.of(TODAY).next)

GOOD = Answer(level=2, aspects={"quality": 4, "value": 3}, comment=" ok ", may_contact=False)


async def _tokens(clock: FrozenClock, codes: list[str]) -> list[str]:
    return [link.token for link in await issued_links(clock, *codes)]


async def test_a_batch_stores_every_answer_at_its_own_time(
    db: Database, clock: FrozenClock
) -> None:
    tokens = await _tokens(clock, ["A1", "A2", "A3"])
    manager = StaffUser(email="m@x.com", name="M", role="account_manager", password_hash="x")
    await manager.save()
    times = [clock.now() + dt.timedelta(hours=n) for n in (1, 2, 3)]
    batch = [
        BatchAnswer(tokens[0], GOOD, times[0]),
        BatchAnswer(tokens[1], Answer(level=0, comment="late again"), times[1]),
        BatchAnswer(tokens[2], Answer(level=3), times[2], Channel.visit, manager.id),
    ]
    assert await record_answers(PERIOD, batch) == 3
    rows = await Response.select(
        Response.account.code, Response.level, Response.quality, Response.comment,
        Response.channel, Response.recorded_by, Response.created_at,
    ).order_by(Response.account.code)  # fmt: skip
    assert [
        (r["account.code"], r["level"], r["quality"], r["comment"], r["channel"], r["recorded_by"])
        for r in rows
    ] == [
        ("A1", 2, 4, "ok", "web", None),
        ("A2", 0, None, "late again", "web", None),
        ("A3", 3, None, "", "visit", manager.id),
    ]
    assert [r["created_at"] for r in rows] == times
    answered = await Invitation.select(Invitation.responded_at).order_by(Invitation.id)
    assert [row["responded_at"] for row in answered] == times
    with pytest.raises(LinkNotUsable):  # each link is used up, as after one answer
        await record_response(tokens[0], GOOD, clock.now())


async def test_a_reminder_link_answers_for_its_invitation(db: Database, clock: FrozenClock) -> None:
    await _tokens(clock, ["A1"])
    later = clock.now() + dt.timedelta(days=8)
    assert await send_reminders(PERIOD, later, MAIL) == 1
    # The reminder's token is only in its mail; answering through it goes via the page.
    assert await ReminderLink.count() == 1
    body = await Invitation.raw("SELECT text_body FROM outbox_message WHERE dedupe_key LIKE {}",
                                "survey-reminder%")  # fmt: skip
    token = body[0]["text_body"].split(f"{MAIL.base_url}/s/")[1].split()[0]
    await record_answers(PERIOD, [BatchAnswer(token, GOOD, later + dt.timedelta(hours=1))])
    assert await Response.count() == 1


@pytest.mark.parametrize(
    "problem",
    ["used", "twice", "unknown", "expired", "other wave", "closed"],
)
async def test_one_unusable_link_refuses_the_whole_batch(
    db: Database, clock: FrozenClock, problem: str
) -> None:
    tokens = await _tokens(clock, ["A1", "A2"])
    soon = clock.now() + dt.timedelta(hours=1)
    second = BatchAnswer(tokens[1], GOOD, soon)
    if problem == "used":
        await record_response(tokens[1], GOOD, clock.now())
    elif problem == "twice":
        second = BatchAnswer(tokens[0], GOOD, soon)
    elif problem == "unknown":
        second = BatchAnswer("not-a-token", GOOD, soon)
    elif problem == "expired":
        second = BatchAnswer(tokens[1], GOOD, clock.now() + dt.timedelta(days=60))
    elif problem == "other wave":
        await make_wave(clock, NEXT)
        other = await issue_wave(NEXT, clock.now(), MAIL)
        second = BatchAnswer(other[0].token, GOOD, soon)
    elif problem == "closed":
        await close_wave(PERIOD, clock.now())
    before = await Response.count()
    expected: type[Exception] = Conflict if problem == "closed" else LinkNotUsable
    with pytest.raises(expected):
        await record_answers(PERIOD, [BatchAnswer(tokens[0], GOOD, soon), second])
    assert await Response.count() == before
    claimed = await Invitation.count().where(Invitation.responded_at.is_not_null())
    assert claimed == before


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (BatchAnswer("t", Answer(level=4), NOW + dt.timedelta(days=5)), "level"),
        (
            BatchAnswer("t", Answer(level=1, aspects={"speed": 3}), NOW),
            "speed",
        ),
        (BatchAnswer("t", Answer(level=1), NOW, Channel.phone), "staff"),
        (BatchAnswer("t", Answer(level=1), NOW, Channel.web, 1), "staff"),
        (BatchAnswer("t", Answer(level=1), NOW, "fax"), "channel"),
    ],
)
async def test_bad_answers_refuse_the_batch_naming_the_answer(
    db: Database, clock: FrozenClock, entry: BatchAnswer, message: str
) -> None:
    tokens = await _tokens(clock, ["A1"])
    good = BatchAnswer(tokens[0], GOOD, clock.now() + dt.timedelta(hours=1))
    with pytest.raises(InvalidInput, match=f"answer 2: .*{message}"):
        await record_answers(PERIOD, [good, entry])
    assert await Response.count() == 0
    assert await Invitation.count().where(Invitation.responded_at.is_not_null()) == 0
