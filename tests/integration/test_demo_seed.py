"""Seeding the demo: the simulation lands in the database, the demo staff can log in, and the
six past survey waves look as if the survey services had run them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from feedback.accounts import staff
from feedback.accounts.contact_log import contact_days, standards_of
from feedback.accounts.roles import Role
from feedback.accounts.services import account_detail
from feedback.accounts.tables import Account, Contact, ContactLog, Purchase, StaffUser
from feedback.clock import FrozenClock
from feedback.complaints.periodic import ComplaintWork, run_complaint_work
from feedback.complaints.states import TRANSITIONS, Action, ComplaintState
from feedback.complaints.tables import Complaint, ComplaintEvent
from feedback.config import Settings
from feedback.db import Database
from feedback.demo.command import demo_command
from feedback.demo.complaint_cases import complaint_cases
from feedback.demo.complaints import ComplaintSummary
from feedback.demo.customers import Fate, Simulation
from feedback.demo.seed import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, database_is_empty, seed
from feedback.demo.simulator import simulate
from feedback.errors import DomainError
from feedback.mail.services import MailContext, deliver_due
from feedback.mail.tables import OutboxMessage
from feedback.surveys.results import wave_results
from feedback.surveys.tables import Invitation, ReminderLink, Response, Wave
from feedback.surveys.waves import Period, SurveyCalendar
from tests.conftest import NOW, TODAY, command_env

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

BASE = "https://survey.demo.example"
SETTINGS = Settings(base_url=BASE)
CENT = Decimal("0.01")
YEAR = dt.timedelta(days=365)


@pytest.fixture(scope="module")
def small() -> Simulation:
    return simulate(TODAY, accounts=60, seed=5)


async def _revenue_by_code() -> dict[str, tuple[int, Decimal]]:
    rows = await Purchase.raw(
        "SELECT account.code AS code, COUNT(*) AS n, SUM(purchase.amount) AS revenue "
        "FROM purchase JOIN account ON account.id = purchase.account GROUP BY account.code"
    )
    return {row["code"]: (row["n"], Decimal(str(row["revenue"])).quantize(CENT)) for row in rows}


CONTACT_LOG_SQL = (
    "SELECT a.code AS code, l.kind AS kind, l.happened_on AS day, s.email AS staff, "
    "c.email AS contact, l.notes AS notes, l.external_ref AS ref, l.person_met AS person_met, "
    "c.name AS name FROM contact_log l JOIN account a ON a.id = l.account "
    "LEFT JOIN staff_user s ON s.id = l.done_by LEFT JOIN contact c ON c.id = l.contact"
)


async def _contact_log() -> Counter[tuple[Any, ...]]:
    """The stored contact log; the person met is the contact's name when one was met."""
    rows = await ContactLog.raw(CONTACT_LOG_SQL)
    assert all(row["person_met"] == row["name"] for row in rows if row["contact"])
    return Counter(
        (r["code"], r["kind"], r["day"], r["staff"], r["contact"], r["notes"], r["ref"])
        for r in rows
    )


async def test_seeding_loads_the_simulation_and_the_demo_admin_logs_in(
    db: Database, clock: FrozenClock, small: Simulation
) -> None:
    assert await database_is_empty()
    steps: list[tuple[str, int, int]] = []
    report = await seed(small, clock.now(), SETTINGS, lambda *step: steps.append(step))

    assert (report.staff, report.accounts) == (15, 60)
    assert (report.contacts, report.purchases) == (small.contact_count, small.purchase_count)
    assert await Contact.count() == small.contact_count
    assert await Purchase.count() == small.purchase_count
    assert await StaffUser.count().where(StaffUser.role == "account_manager") == 8
    closed = sum(account.closed_on is not None for account in small.accounts)
    assert closed > 0
    assert await Account.count().where(Account.status == "closed") == closed
    zh = sum(c.language == "zh" for account in small.accounts for c in account.contacts)
    assert zh > 0
    assert await Contact.count().where(Contact.language == "zh") == zh
    assert await _revenue_by_code() == {
        a.code: (len(a.purchases), a.revenue) for a in small.accounts if a.purchases
    }
    assert sum(report.tiers.values()) == 60
    assert report.tiers["A"] >= 1
    assert ("staff", 15, 15) in steps
    assert {step for step, _, _ in steps} == {
        "staff", "accounts", "contacts", "purchases", "visits", "waves", "complaints"
    }  # fmt: skip
    assert report.contact_log == len(small.contact_log) == await ContactLog.count()
    assert await _contact_log() == Counter(
        (e.account_code, e.kind, e.day, e.staff_email, e.contact_email or None, e.notes, e.ref)
        for e in small.contact_log
    )
    assert ("waves", 6, 6) in steps
    assert not await database_is_empty()

    member, _ = await staff.log_in(DEMO_ADMIN_EMAIL, DEMO_PASSWORD, clock.now(), hours=1)
    assert member.role is Role.admin
    account = next(a for a in small.accounts if a.closed_reason is not None)
    detail = await account_detail(account.code, member, TODAY)
    assert (detail.name, detail.manager_email) == (account.name, account.manager_email)
    assert (detail.closed_on, detail.status) == (account.closed_on, "closed")
    assert detail.closed_reason == account.closed_reason.value
    assert detail.attributes == account.attributes


async def test_a_failed_seed_leaves_the_database_as_it_was(
    db: Database, clock: FrozenClock, small: Simulation
) -> None:
    # Without its account managers, the accounts file names unknown staff and is refused.
    admin_only = dataclasses.replace(small, staff=small.staff[:1])
    with pytest.raises(DomainError):
        await seed(admin_only, clock.now(), SETTINGS)
    assert await StaffUser.count() == 0
    assert await Account.count() == 0
    assert await database_is_empty()


def _demo(database: Path, *args: str, environment: str = "demo") -> tuple[int, str]:
    env = {
        **command_env(f"sqlite:///{database}"),
        "FEEDBACK_ENV": environment,
        "FEEDBACK_SECRET_KEY": "a-production-secret-that-is-long-enough-1234",
    }
    if environment == "production":
        del env["FEEDBACK_TODAY"]  # production runs on the real clock only
    result = CliRunner().invoke(demo_command, args, env=env)
    return result.exit_code, result.output


def test_the_demo_command_rebuilds_sqlite_and_refuses_to_mix_with_data(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    database.write_text("an old file that --reset deletes")

    code, output = _demo(database, "--accounts", "12", "--seed", "3", "--reset")
    assert code == 0, output
    assert "admin@demo.example" in output
    assert "demo-password" in output
    assert "loaded 12 accounts" in output

    code, output = _demo(database, "--accounts", "12")
    assert code == 1
    assert "already holds" in output
    assert "--reset" in output


def test_the_demo_command_refuses_production(tmp_path: Path) -> None:
    database = tmp_path / "production.sqlite3"
    database.write_text("precious")
    code, output = _demo(database, "--reset", environment="production")
    assert code == 1
    assert "FEEDBACK_ENV=demo" in output
    assert database.read_text() == "precious"


# The six past survey waves, as the survey services left them.

ANSWERS_SQL = (
    "SELECT w.period AS period, a.code AS code, c.email AS email, r.level AS level, "
    "r.channel AS channel, r.comment AS comment, r.may_contact AS may_contact, "
    "r.created_at AS created_at, r.recorded_by AS recorded_by, s.email AS manager, "
    "i.reminders_sent AS reminders "
    "FROM response r JOIN invitation i ON i.id = r.invitation JOIN wave w ON w.id = r.wave "
    "JOIN contact c ON c.id = i.contact JOIN account a ON a.id = r.account "
    "JOIN staff_user s ON s.id = a.manager"
)


@pytest.fixture(scope="module")
def medium() -> Simulation:
    return simulate(TODAY, accounts=400, seed=5)


async def _waves_were_created_issued_answered_and_closed_in_their_time(
    simulation: Simulation,
) -> None:
    waves = await Wave.select().order_by(Wave.period)
    assert [w["period"] for w in waves] == [w.period for w in simulation.waves]
    # The six half years whose waves, on the default calendar, closed before today.
    last = Period.of(TODAY)
    if SurveyCalendar().dates(last)[1] >= TODAY:
        last = last.previous
    six = [last]
    while len(six) < 6:
        six.append(six[-1].previous)
    assert [w["period"] for w in waves] == [str(period) for period in reversed(six)]
    for row, simulated in zip(waves, simulation.waves, strict=True):
        assert row["status"] == "closed"
        assert (row["opens_on"], row["closes_on"]) == (simulated.opens_on, simulated.closes_on)
        assert row["created_at"] < row["issued_at"] == simulated.issued_at
        assert row["closed_at"] == simulated.closed_at
    stored = await Response.raw(ANSWERS_SQL)
    assert Counter(
        (r["period"], r["code"], r["email"], r["level"], r["channel"], r["comment"],
         bool(r["may_contact"]), r["created_at"])
        for r in stored
    ) == Counter(
        (w.period, a.account_code, a.email, a.level, a.channel, a.comment, a.may_contact,
         a.answered_at)
        for w in simulation.waves
        for a in w.answers
    )  # fmt: skip
    interviews = [r for r in stored if r["channel"] != "web"]
    assert interviews
    assert all(
        r["recorded_by"] is not None and r["manager"].endswith("@demo.example") for r in interviews
    )
    assert await Response.count().where(Response.recorded_by.is_not_null()) == len(interviews)


async def _reminders_went_to_non_responders_only(simulation: Simulation) -> None:
    stored = await Response.raw(ANSWERS_SQL)
    first = {w.period: w.reminders_at[0] for w in simulation.waves}
    early = [r for r in stored if r["created_at"] < first[r["period"]]]
    assert early
    assert all(r["reminders"] == 0 for r in early)
    assert any(r["reminders"] > 0 for r in stored)
    reminded = await Invitation.raw(
        "SELECT reminders_sent, COUNT(*) AS n FROM invitation GROUP BY reminders_sent"
    )
    counts = {int(row["reminders_sent"]): int(row["n"]) for row in reminded}
    assert set(counts) == {0, 1}
    assert await ReminderLink.count() == counts[1]


async def _no_mail_of_a_past_wave_is_left_to_send(now: dt.datetime) -> None:
    invitations, reminders = await Invitation.count(), await ReminderLink.count()
    survey_mail = OutboxMessage.count().where(OutboxMessage.dedupe_key.not_like("complaint:%"))
    assert await survey_mail == invitations + reminders
    assert await OutboxMessage.count().where(OutboxMessage.dedupe_key.like("complaint:%")) > 0
    assert await OutboxMessage.count().where(OutboxMessage.sent_at.is_null()) == 0
    leftovers = await OutboxMessage.count().where(OutboxMessage.text_body != "")
    assert leftovers == 0
    report = await deliver_due("smtp://127.0.0.1:9", now)  # nothing to connect for
    assert report.claimed == 0


async def _wave_results_show_realistic_rates_and_movement(simulation: Simulation) -> None:
    for number, simulated in enumerate(simulation.waves):
        results = await wave_results(simulated.period)
        overall = results.overall
        assert overall.invited == len(simulated.invited)
        assert overall.responded == len(simulated.answers)
        assert overall.response_rate is not None
        assert 0.4 <= overall.response_rate <= 0.7
        levels = Counter(a.level for a in simulated.answers)
        assert overall.level_counts == tuple(levels[level] for level in range(4))
        assert overall.loyalty_rate is not None
        assert 0.6 <= overall.loyalty_rate <= 0.9
        averages = [a.average for a in results.aspects]
        assert all(average is not None and 3 <= average <= 4.5 for average in averages)
        if number == 0:
            assert results.previous_period is None
            continue
        assert results.previous_period == simulation.waves[number - 1].period
        assert all(results.movement_counts[kind] > 0 for kind in ("up", "down", "new", "silent"))


async def _accounts_that_churn_answer_lower_in_the_year_before(simulation: Simulation) -> None:
    fate = {a.code: a.fate for a in simulation.accounts}
    stopped = {a.code: a.stopped_on for a in simulation.accounts}
    levels: dict[str, list[int]] = {"steady": [], "leaving": []}
    for row in await Response.raw(ANSWERS_SQL):
        wave = next(w for w in simulation.waves if w.period == row["period"])
        if fate[row["code"]] is Fate.steady:
            levels["steady"].append(row["level"])
        elif (stop := stopped[row["code"]]) and wave.opens_on < stop <= wave.opens_on + YEAR:
            levels["leaving"].append(row["level"])
    assert len(levels["leaving"]) >= 30
    assert statistics.mean(levels["leaving"]) < statistics.mean(levels["steady"]) - 0.3


def _share(rows: list[dict[str, Any]], key: str) -> float:
    return sum(bool(row[key]) for row in rows) / len(rows)


async def _unhappy_answers_carry_comments_in_the_contacts_language(simulation: Simulation) -> None:
    stored = await Response.raw(ANSWERS_SQL)
    unhappy = [r for r in stored if r["level"] == 0]
    assert unhappy
    assert _share(unhappy, "comment") >= 0.6
    assert _share(unhappy, "may_contact") >= 0.4
    language = {(a.code, c.email): c.language for a in simulation.accounts for c in a.contacts}
    commented = [r for r in stored if r["comment"]]
    chinese = [r for r in commented if language[(r["code"], r["email"])] == "zh"]
    assert chinese
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r["comment"]) for r in chinese)


async def test_the_demo_waves_look_as_if_the_service_had_run_them(
    db: Database, clock: FrozenClock, medium: Simulation
) -> None:
    """One seed, several views of it: seeding is the slow part."""
    report = await seed(medium, clock.now(), SETTINGS)
    assert [(w.period, w.invited, w.answered) for w in report.waves] == [
        (w.period, len(w.invited), len(w.answers)) for w in medium.waves
    ]
    await _waves_were_created_issued_answered_and_closed_in_their_time(medium)
    await _reminders_went_to_non_responders_only(medium)
    await _no_mail_of_a_past_wave_is_left_to_send(clock.now())
    await _wave_results_show_realistic_rates_and_movement(medium)
    await _accounts_that_churn_answer_lower_in_the_year_before(medium)
    await _unhappy_answers_carry_comments_in_the_contacts_language(medium)
    await _complaints_are_in_every_state_and_some_breached(report.complaints)
    await _complaint_histories_replay_to_their_state()
    await _the_last_wave_raised_its_complaints_when_answered(medium)
    await _drifting_accounts_complain_more_and_about_competitors(medium)
    await _the_contact_standards_show_met_due_and_overdue_accounts()
    assert await run_complaint_work(clock.now(), MailContext()) == ComplaintWork()
    await _no_mail_of_a_past_wave_is_left_to_send(clock.now())


def test_the_demo_complaints_are_the_same_for_the_same_seed(small: Simulation) -> None:
    now = dt.datetime.combine(TODAY, dt.time(9, 30), dt.UTC)
    cases = complaint_cases(small, now)
    assert cases == complaint_cases(small, now)
    assert cases != complaint_cases(simulate(TODAY, accounts=60, seed=6), now)
    assert all(case.received_at + case.handling.span == now for case in cases)


# The demo's complaints, as the complaint services left them.


async def _complaints_are_in_every_state_and_some_breached(summary: ComplaintSummary) -> None:
    rows = await Complaint.select()
    assert Counter(row["state"] for row in rows) == Counter(summary.states)
    assert set(summary.states) == {s.value for s in ComplaintState}
    closed = Counter(row["follow_up_outcome"] for row in rows if row["state"] == "closed")
    assert closed["satisfied"] > 0
    assert closed["unanswered"] > 0
    assert any(row["reopen_count"] > 0 and row["state"] == "resolved" for row in rows)
    flags = ("apology_breached", "resolution_breached", "follow_up_breached")
    late = [row for row in rows if any(row[flag] for flag in flags)]
    assert late
    assert summary.breached >= len(late)
    assert any(row["state"] == "closed" for row in late), "breaches stay on closed complaints"
    overdue = [row for row in rows if row["next_due_at"] and row["next_due_at"] <= NOW]
    assert overdue
    assert all(row["escalated_at"] is not None for row in overdue)
    assignees = {row["assignee"] for row in rows if row["assignee"] is not None}
    roles = await StaffUser.select(StaffUser.role).where(StaffUser.id.is_in(list(assignees)))
    assert {row["role"] for row in roles} <= {"agent", "supervisor"}
    assert any(row["assignee"] is None and row["state"] == "received" for row in rows)


async def _complaint_histories_replay_to_their_state() -> None:
    events = await ComplaintEvent.select().order_by(ComplaintEvent.id)
    by_complaint: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        by_complaint.setdefault(event["complaint"], []).append(event)
    for row in await Complaint.select():
        history = by_complaint[row["id"]]
        assert (history[0]["kind"], history[0]["to_state"]) == ("opened", "received")
        state, moments = ComplaintState.received, [history[0]["created_at"]]
        for event in history[1:]:
            assert event["from_state"] == state.value, (row["id"], event)
            if event["kind"] in {a.value for a in Action}:
                state = TRANSITIONS[(state, Action(event["kind"]))]
            assert event["to_state"] == state.value
            moments.append(event["created_at"])
        assert state.value == row["state"]
        assert moments == sorted(moments)
        assert moments[-1] <= NOW
        assert history[-1]["version"] <= row["version"]


async def _the_last_wave_raised_its_complaints_when_answered(simulation: Simulation) -> None:
    calls = [a for a in simulation.waves[-1].answers
             if a.level == 0 or (a.may_contact and a.comment.strip())]  # fmt: skip
    assert calls
    raised = await Complaint.select().where(Complaint.channel == "survey")
    assert sorted(row["received_at"] for row in raised) == sorted(a.answered_at for a in calls)
    assert all(row["survey_response"] is not None for row in raised)


async def _drifting_accounts_complain_more_and_about_competitors(simulation: Simulation) -> None:
    fate = {a.code: a.fate for a in simulation.accounts}
    rows = await Complaint.raw(
        "SELECT a.code AS code, c.root_cause AS cause FROM complaint c "
        "JOIN account a ON a.id = c.account"
    )
    active = [a for a in simulation.accounts if a.closed_on is None]
    drifting_share = sum(a.fate is Fate.drifting for a in active) / len(active)
    complained = {row["code"] for row in rows}
    assert sum(fate[code] is Fate.drifting for code in complained) / len(complained) > (
        drifting_share * 1.5
    )
    competitor = [row["code"] for row in rows if row["cause"] == "competitor_offer"]
    assert competitor
    assert all(fate[code] is Fate.drifting for code in competitor)


async def _the_contact_standards_show_met_due_and_overdue_accounts() -> None:
    """As the account pages and the contacts API show them today: tier A, B and C accounts
    met, due or overdue (the neglected ones), tier D with no standard."""
    rows = await Account.select(Account.id, Account.tier).where(Account.status == "active")
    tiers = {row["id"]: row["tier"] for row in rows}
    days = await contact_days(list(tiers), TODAY)
    standards = standards_of(tiers, days, SETTINGS.contact_standards, TODAY)
    states = Counter((tiers[account], s.state.value) for account, s in standards.items())
    for tier in "ABC":
        kept = states[tier, "met"] + states[tier, "due"]  # which of them depends on the day
        assert kept > states[tier, "overdue"] > 0, states
    assert {state for tier, state in states if tier == "D"} == {"none"}


def test_the_demo_command_trains_a_churn_model_and_keeps_four_weeks_of_scores(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.sqlite3"
    code, output = _demo(database, "--accounts", "400", "--seed", "5", "--reset")
    assert code == 0, output
    with sqlite3.connect(database) as connection:
        days = connection.execute(
            "SELECT as_of, COUNT(*) FROM scoring_score GROUP BY as_of ORDER BY as_of"
        ).fetchall()
        (models,) = connection.execute("SELECT COUNT(*) FROM scoring_model").fetchone()
    assert models == 1
    assert [dt.date.fromisoformat(day) for day, _ in days] == [
        TODAY - dt.timedelta(days=back) for back in (56, 28, 0)
    ]
    assert f"scored {days[-1][1]} account(s) on {days[-1][0]} with model version 1" in output


def test_a_demo_too_small_to_learn_from_says_why_it_has_no_scores(tmp_path: Path) -> None:
    code, output = _demo(tmp_path / "demo.sqlite3", "--accounts", "12", "--seed", "3")
    assert code == 0, output
    assert "no churn scores: " in output
