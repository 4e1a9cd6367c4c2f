"""Survey waves on a real database: issue rules, single-use links, results and movement."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, Contact, StaffUser
from feedback.clock import FrozenClock
from feedback.db import Database
from feedback.errors import Conflict, InvalidInput
from feedback.mail.services import MailContext
from feedback.mail.tables import OutboxMessage
from feedback.surveys.answers import (
    LinkNotUsable,
    StaffAnswer,
    record_response,
    record_staff_response,
)
from feedback.surveys.history import account_answers
from feedback.surveys.issuance import issue_wave, send_reminders
from feedback.surveys.levels import Movement
from feedback.surveys.questionnaire import Answer
from feedback.surveys.results import wave_results
from feedback.surveys.services import close_wave, create_wave, save_questionnaire
from feedback.surveys.tables import Channel, Invitation, Response
from tests.support.factories import (
    BASE,
    CLOSES,
    EARLIER,
    MAIL,
    OPENS,
    PERIOD,
    PREVIOUS,
    answer_all,
    issued_links,
    make_account,
    make_wave,
    token_of,
)


async def test_issue_skips_opted_out_contacts_and_closed_accounts_and_never_invites_twice(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    await make_account("A1", [("in@a1.com", True), ("out@a1.com", False)])
    await make_account("A2", status="closed")
    await make_account("A3")
    await make_wave(clock)
    links = await issue_wave(PERIOD, clock.now(), MAIL, links_csv=tmp_path / "links.csv")
    assert [(link.account_code, link.email) for link in links] == [
        ("A1", "in@a1.com"),
        ("A3", "a3@x.com"),
    ]
    stored = {row["token_hash"] for row in await Invitation.select(Invitation.token_hash)}
    assert stored == {hashlib.sha256(token_of(link.link).encode()).hexdigest() for link in links}
    assert len(token_of(links[0].link)) >= 43
    csv_lines = (tmp_path / "links.csv").read_text().splitlines()
    assert csv_lines[0] == "account_code,email,link"
    assert csv_lines[1] == f"A1,in@a1.com,{links[0].link}"
    assert await issue_wave(PERIOD, clock.now(), MAIL) == []
    assert await Invitation.count() == 2
    assert await OutboxMessage.count() == 2
    await Contact(
        account=(await Account.select().where(Account.code == "A3").first())["id"],
        email="late@a3.com",
    ).save()
    assert [link.email for link in await issue_wave(PERIOD, clock.now(), MAIL)] == ["late@a3.com"]


async def test_mail_speaks_the_contacts_language(db: Database, clock: FrozenClock) -> None:
    zh = await make_account("Z1", [])
    await Contact(account=zh, email="li@z1.cn", name="李", language="zh").save()
    await make_wave(clock)
    links = await issue_wave(PERIOD, clock.now(), MAIL)
    assert [link.account_code for link in links] == ["Z1"]
    mail = await OutboxMessage.select().first()
    assert mail is not None
    assert mail["subject"] == f"Acme Service：您对我们满意吗？（{PERIOD}）"
    assert "我满意，并且会再次购买" in mail["text_body"]
    assert links[0].link in mail["text_body"]
    assert f'href="{links[0].link}"' in mail["html_body"]


async def test_a_link_answers_once_and_unknown_or_used_links_look_the_same(
    db: Database, clock: FrozenClock
) -> None:
    token = token_of((await issued_links(clock, "A1"))[0].link)
    answer = Answer(level=2, aspects={"quality": 4}, comment=" fine ", may_contact=True)
    await record_response(token, answer, clock.now())
    with pytest.raises(LinkNotUsable) as used:
        await record_response(token, answer, clock.now())
    with pytest.raises(LinkNotUsable) as unknown:
        await record_response("not-a-token", answer, clock.now())
    assert used.value.message == unknown.value.message
    row = await Response.select().first()
    assert row is not None
    assert (row["level"], row["quality"], row["comment"], row["may_contact"]) == (
        2,
        4,
        "fine",
        True,
    )
    assert (row["channel"], row["questionnaire_version"]) == ("web", 1)


async def test_bad_answers_are_refused(db: Database, clock: FrozenClock) -> None:
    token = token_of((await issued_links(clock, "A1"))[0].link)
    with pytest.raises(InvalidInput, match="level must be"):
        await record_response(token, Answer(level=4), clock.now())
    with pytest.raises(InvalidInput, match="rated 1 to 5"):
        await record_response(token, Answer(level=1, aspects={"delivery": 6}), clock.now())
    assert await Response.count() == 0


async def test_links_expire_after_the_closing_day_and_when_the_wave_closes(
    db: Database, clock: FrozenClock
) -> None:
    first, second = await issued_links(clock, "A1", "A2")
    clock.at = dt.datetime.combine(CLOSES + dt.timedelta(days=1), dt.time(0, 0), dt.UTC)
    with pytest.raises(LinkNotUsable):
        await record_response(token_of(first.link), Answer(level=1), clock.now())
    clock.at = dt.datetime.combine(CLOSES, dt.time(23, 59), dt.UTC)
    await close_wave(PERIOD, clock.now())
    with pytest.raises(LinkNotUsable):
        await record_response(token_of(second.link), Answer(level=1), clock.now())
    with pytest.raises(Conflict):
        await issue_wave(PERIOD, clock.now(), MAIL)
    assert await Response.count() == 0


async def test_fifty_concurrent_submits_of_one_link_store_one_response(
    db: Database, clock: FrozenClock
) -> None:
    token = token_of((await issued_links(clock, "A1"))[0].link)
    outcomes = await asyncio.gather(
        *(record_response(token, Answer(level=3), clock.now()) for _ in range(50)),
        return_exceptions=True,
    )
    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 49
    assert await Response.count() == 1


async def test_reminders_go_to_non_responders_at_most_twice_days_apart(
    db: Database, clock: FrozenClock
) -> None:
    answered, silent = await issued_links(clock, "A1", "A2")
    await record_response(token_of(answered.link), Answer(level=1), clock.now())
    assert await send_reminders(PERIOD, clock.now() + dt.timedelta(days=6), MAIL) == 0
    clock.advance(dt.timedelta(days=7))
    assert await send_reminders(PERIOD, clock.now(), MAIL) == 1
    assert await send_reminders(PERIOD, clock.now(), MAIL) == 0
    clock.advance(dt.timedelta(days=7))
    assert await send_reminders(PERIOD, clock.now(), MAIL) == 1
    assert await send_reminders(PERIOD, clock.now() + dt.timedelta(days=7), MAIL) == 0
    reminders = await OutboxMessage.select().where(
        OutboxMessage.dedupe_key.like("survey-reminder%")
    )
    assert [row["to"] for row in reminders] == ["a2@x.com", "a2@x.com"]
    link = next(word for word in reminders[1]["text_body"].split() if word.startswith(BASE))
    assert link != silent.link
    await record_response(token_of(link), Answer(level=0), clock.now())
    with pytest.raises(LinkNotUsable):
        await record_response(token_of(silent.link), Answer(level=0), clock.now())


async def test_a_new_questionnaire_version_leaves_given_answers_alone(
    db: Database, clock: FrozenClock
) -> None:
    token = token_of((await issued_links(clock, "A1"))[0].link)
    await record_response(token, Answer(level=1, aspects={"value": 3}), clock.now())
    version = await save_questionnaire([{"kind": "level", "key": "level"}], clock.now())
    assert version == 2
    row = await Response.select(Response.questionnaire_version, Response.value).first()
    assert row == {"questionnaire_version": 1, "value": 3}
    with pytest.raises(InvalidInput, match="starts with the three-level item"):
        await save_questionnaire([{"kind": "comment", "key": "comment"}], clock.now())


async def test_staff_record_a_phone_answer_which_uses_up_the_contacts_link(
    db: Database, clock: FrozenClock
) -> None:
    staff = StaffUser(
        email="s@x.com", name="S", role="agent", password_hash="x", created_at=clock.now()
    )
    await staff.save()
    agent = StaffMember(id=staff.id, email="s@x.com", name="S", role=Role.agent)
    token = token_of((await issued_links(clock, "A1"))[0].link)
    recorded = await record_staff_response(
        StaffAnswer(PERIOD, "A1", Answer(level=3), Channel.phone, contact_email="A1@x.com"),
        agent,
        clock.now(),
    )
    assert (recorded.period, recorded.channel, recorded.complaint_id) == (
        PERIOD,
        Channel.phone,
        None,
    )
    with pytest.raises(LinkNotUsable):
        await record_response(token, Answer(level=1), clock.now())
    with pytest.raises(InvalidInput):
        await record_staff_response(
            StaffAnswer(PERIOD, "A1", Answer(level=1), Channel.web), agent, clock.now()
        )
    row = await Response.select(Response.channel, Response.recorded_by).first()
    assert row == {"channel": "phone", "recorded_by": staff.id}


async def test_results_figures_are_exact_on_a_hand_made_wave(
    db: Database, clock: FrozenClock
) -> None:
    manager = StaffUser(
        email="m@x.com",
        name="Mei",
        role="account_manager",
        password_hash="x",
        created_at=clock.now(),
    )
    await manager.save()
    await make_account("A1", [("c1@a1.com", True), ("c2@a1.com", True)], manager=manager.id)
    await make_account("A2", tier="B", industry="tech")
    await make_account("A3", tier="B", industry="tech")
    await make_account("A4")
    await make_wave(clock)
    await answer_all(
        PERIOD,
        clock,
        {
            "c1@a1.com": Answer(level=3),
            "c2@a1.com": Answer(level=1),
            "a2@x.com": Answer(level=0, aspects={"quality": 2, "delivery": 4}),
            "a4@x.com": Answer(level=2, aspects={"quality": 5}),
        },
    )
    results = await wave_results(PERIOD)
    overall = results.overall
    assert (overall.invited, overall.responded, overall.response_rate) == (5, 4, 0.8)
    assert overall.level_counts == (1, 1, 1, 1)
    assert overall.level_shares == (0.25, 0.25, 0.25, 0.25)
    assert (overall.satisfaction_rate, overall.loyalty_rate, overall.advocacy_rate) == (
        0.75,
        0.5,
        0.25,
    )
    assert [(a.aspect, a.ratings, a.average) for a in results.aspects] == [
        ("quality", 2, 3.5),
        ("delivery", 1, 4.0),
        ("service_attitude", 0, None),
        ("value", 0, None),
    ]
    tiers = {g.group: g.figures for g in results.breakdowns["tier"]}
    assert (tiers["A"].invited, tiers["A"].responded, tiers["A"].level_counts) == (
        3,
        3,
        (0, 1, 1, 1),
    )
    assert (tiers["B"].invited, tiers["B"].responded, tiers["B"].level_counts) == (
        2,
        1,
        (1, 0, 0, 0),
    )
    assert tiers["B"].response_rate == 0.5
    managers = {g.group: g.figures.invited for g in results.breakdowns["manager"]}
    assert managers == {"Mei": 2, "": 3}
    assert sorted(g.group for g in results.breakdowns["industry"]) == ["retail", "tech"]
    assert results.previous_period is None
    assert {m.code: (m.current_level, m.movement) for m in results.accounts} == {
        "A1": (1, Movement.new),
        "A2": (0, Movement.new),
        "A3": (None, Movement.silent),
        "A4": (2, Movement.new),
    }


async def test_movement_between_two_waves_lists_the_accounts_that_dropped(
    db: Database, clock: FrozenClock
) -> None:
    for code in ("A1", "A2", "A3", "A5"):
        await make_account(code)
    await make_wave(clock, PREVIOUS)
    before = {"a1@x.com": 2, "a2@x.com": 1, "a3@x.com": 3, "a5@x.com": 1}
    await answer_all(PREVIOUS, clock, {k: Answer(level=v) for k, v in before.items()})
    await make_account("A4")
    await make_wave(clock)
    now = {"a1@x.com": 3, "a2@x.com": 1, "a3@x.com": 0, "a4@x.com": 2}
    await answer_all(PERIOD, clock, {k: Answer(level=v) for k, v in now.items()})
    results = await wave_results(PERIOD)
    assert results.previous_period == PREVIOUS
    assert {m.code: (m.previous_level, m.current_level, m.movement) for m in results.accounts} == {
        "A1": (2, 3, Movement.up),
        "A2": (1, 1, Movement.same),
        "A3": (3, 0, Movement.down),
        "A4": (None, 2, Movement.new),
        "A5": (1, None, Movement.silent),
    }
    assert results.movement_counts == {"up": 1, "same": 1, "down": 1, "new": 1, "silent": 1}
    assert [m.code for m in results.dropped] == ["A3"]


async def test_an_accounts_levels_and_comments_agree_with_each_waves_results(
    db: Database, clock: FrozenClock, make_staff
) -> None:
    a1 = await make_account("A1", [("c1@a1.com", True), ("c2@a1.com", True)])
    await create_wave(EARLIER, clock.now(), opens_on=OPENS, closes_on=CLOSES)  # before A1's time
    await create_wave(PREVIOUS, clock.now(), opens_on=OPENS, closes_on=CLOSES)
    h1 = {"c1@a1.com": Answer(level=3, comment="Great people"), "c2@a1.com": Answer(level=2)}
    await answer_all(PREVIOUS, clock, h1)
    await close_wave(PREVIOUS, clock.now())
    await make_wave(clock)
    clock.advance(dt.timedelta(hours=1))
    await answer_all(PERIOD, clock, {"c2@a1.com": Answer(level=1, comment="  ")})
    clock.advance(dt.timedelta(hours=1))
    visit = Answer(level=2, comment="Said on a visit: deliveries late")
    await record_staff_response(
        StaffAnswer(PERIOD, "A1", visit, "visit"), await make_staff(Role.supervisor), clock.now()
    )
    mine = await account_answers(a1)
    assert [(w.period, w.level, w.movement, w.still_open) for w in mine.waves] == [
        (PREVIOUS, 2, Movement.new, False),
        (PERIOD, 1, Movement.down, True),
    ]
    for period in (PREVIOUS, PERIOD):
        [counted] = [m for m in (await wave_results(period)).accounts if m.code == "A1"]
        [listed] = [w for w in mine.waves if w.period == period]
        assert (listed.level, listed.movement) == (counted.current_level, counted.movement)
    assert [(c.period, c.level, c.channel, c.comment) for c in mine.comments] == [
        (PERIOD, 2, "visit", "Said on a visit: deliveries late"),
        (PREVIOUS, 3, "web", "Great people"),
    ]
    assert await account_answers(await make_account("A9")) == type(mine)([], [])


async def test_no_reminder_once_consent_is_withdrawn_or_the_account_closed(
    db: Database, clock: FrozenClock
) -> None:
    await issued_links(clock, "A1", "A2", "A3")
    await Contact.update({Contact.survey_opt_in: False}).where(Contact.email == "a1@x.com")
    await Account.update({Account.status: "closed"}).where(Account.code == "A2")
    clock.advance(dt.timedelta(days=7))
    assert await send_reminders(PERIOD, clock.now(), MAIL) == 1
    reminders = await OutboxMessage.select(OutboxMessage.to).where(
        OutboxMessage.dedupe_key.like("survey-reminder%")
    )
    assert reminders == [{"to": "a3@x.com"}]


async def test_a_wave_issued_on_a_past_day_reaches_the_accounts_open_that_day(
    db: Database, clock: FrozenClock
) -> None:
    await make_account("OPEN")
    await make_account("LATER")
    await make_account("GONE", status="closed")
    await make_account("LEFT", status="closed")
    await Account.update({Account.opened_on: dt.date(2025, 6, 1)}).where(Account.code == "LATER")
    await Account.update({Account.closed_on: dt.date(2025, 2, 1)}).where(Account.code == "GONE")
    await Account.update({Account.closed_on: dt.date(2025, 4, 1)}).where(Account.code == "LEFT")
    await create_wave("2025-H1", dt.datetime(2025, 2, 15, tzinfo=dt.UTC))
    issued_at = dt.datetime(2025, 3, 1, 8, tzinfo=dt.UTC)
    links = await issue_wave("2025-H1", issued_at, MAIL)
    assert [link.account_code for link in links] == ["LEFT", "OPEN"]
    assert links[0].link == f"{BASE}/s/{links[0].token}"
    # LEFT closed on 1 April: the reminder of 10 April reaches OPEN only.
    assert await send_reminders("2025-H1", issued_at + dt.timedelta(days=40), MAIL) == 1
    reminded = await Invitation.select(Invitation.reminders_sent, Invitation.account.code)
    assert {row["account.code"]: row["reminders_sent"] for row in reminded} == {
        "LEFT": 0,
        "OPEN": 1,
    }


async def test_mail_of_a_wave_delivered_elsewhere_is_recorded_sent_never_queued(
    db: Database, clock: FrozenClock
) -> None:
    elsewhere = MailContext(base_url=BASE, company="Acme Service", delivered_elsewhere=True)
    links = await issued_links(clock, "A1", "A2", mail=elsewhere)
    await record_response(links[0].token, Answer(level=2), clock.now())
    later = clock.now() + dt.timedelta(days=8)
    assert await send_reminders(PERIOD, later, elsewhere) == 1
    rows = await OutboxMessage.select().order_by(OutboxMessage.dedupe_key)
    assert [(row["to"], row["sent_at"]) for row in rows] == [
        ("a1@x.com", clock.now()),
        ("a2@x.com", clock.now()),
        ("a2@x.com", later),
    ]
    assert {row["subject"] for row in rows} == {
        f"Acme Service: how satisfied are you? ({PERIOD})",
        f"Reminder: Acme Service would like your opinion ({PERIOD})",
    }
    assert {(row["text_body"], row["html_body"]) for row in rows} == {("", "")}
