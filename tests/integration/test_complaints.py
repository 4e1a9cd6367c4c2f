"""Complaints on a real database: one service applies actions, with history, deadlines and mail."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from feedback.accounts.history import NEVER
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.clock import FrozenClock
from feedback.complaints.alerts import AlertKind, due_alerts, record_alert
from feedback.complaints.deadlines import DEFAULT_POLICY, Severity, Step
from feedback.complaints.history import complaint_columns
from feedback.complaints.reporting import (
    Breakdown,
    ReopenRate,
    ReportScope,
    account_complaints,
    reopen_rates,
    root_causes,
    sla_compliance,
    time_in_steps,
)
from feedback.complaints.services import (
    ActionRequest,
    ComplaintView,
    NewComplaint,
    add_note,
    apply_action,
    assign,
    get_complaint,
    history,
    open_complaint,
)
from feedback.complaints.states import Action, RootCause
from feedback.complaints.tables import Category, Channel, Complaint
from feedback.db import Database, transaction
from feedback.errors import AccessDenied, Conflict, InvalidInput, InvalidTransition, NotFound
from feedback.mail.tables import OutboxMessage
from feedback.scoring.records import day_number
from tests.support.factories import (
    APOLOGY,
    FINDINGS,
    RESOLUTION,
    act,
    contact_of,
    make_account,
    raise_complaint,
)

HOUR = dt.timedelta(hours=1)


async def outbox() -> list[dict[str, Any]]:
    return await OutboxMessage.select().order_by(OutboxMessage.id)


async def assert_as_raised(complaint: ComplaintView) -> None:
    """The complaint is as it was raised: unchanged, its one history event (the opening) and
    its one mail (the acknowledgement)."""
    assert await get_complaint(complaint.id) == complaint
    assert len(await history(complaint.id)) == 1
    assert await OutboxMessage.count() == 1


async def test_a_new_complaint_has_deadlines_a_history_row_and_a_queued_acknowledgement(
    db: Database, clock: FrozenClock
) -> None:
    complaint = await raise_complaint(clock, await make_account("A1", tier="A", language="zh"))
    assert (complaint.state, complaint.version, complaint.tier) == ("received", 1, "A")
    # Tier A and severe: apology within 2 hours, resolution within 12.
    assert complaint.clocks.apology_due_at == clock.now() + 2 * HOUR
    assert complaint.clocks.resolution_due_at == clock.now() + 12 * HOUR
    assert complaint.clocks.next_due_at == clock.now() + 2 * HOUR
    assert complaint.clocks.next_warn_at == clock.now() + 1.5 * HOUR
    assert complaint.allowed_actions == (Action.apologise, Action.cancel)
    [event] = await history(complaint.id)
    assert (event.kind, event.from_state, event.to_state) == ("opened", None, "received")
    assert event.content == {"channel": "phone"}
    [mail] = await outbox()
    assert mail["to"] == "a1@x.com"
    assert mail["dedupe_key"] == f"complaint:{complaint.id}:1:acknowledgement"
    assert mail["subject"] == f"我们已收到您的投诉 #{complaint.id}"
    # The mail names the apology deadline (2026-11-26 11:30 UTC on the default day).
    assert f"{clock.now() + 2 * HOUR:%Y-%m-%d %H:%M} UTC" in mail["text_body"]


async def test_bad_input_for_a_new_complaint_writes_nothing(
    db: Database, clock: FrozenClock
) -> None:
    account_id = await make_account("A1")
    other = await make_account("A2")
    good = NewComplaint(account_id, Channel.email, Category.billing, Severity.minor, "Wrong bill")
    cases = [
        (replace(good, channel="fax"), "channel must be one of survey"),
        (replace(good, description="  "), "description is required"),
        (replace(good, contact_id=await contact_of(other)), "not a contact"),
    ]  # fmt: skip
    for new, message in cases:
        with pytest.raises(InvalidInput, match=message):
            await open_complaint(new, None, clock.now(), DEFAULT_POLICY)
    assert await Complaint.count() == 0
    assert await OutboxMessage.count() == 0
    opened = await open_complaint(good, None, clock.now(), DEFAULT_POLICY)
    assert opened.contact_id is None
    assert await OutboxMessage.count() == 0, "no contact, no mail"


async def test_the_whole_procedure_with_a_reopen_keeps_history_deadlines_and_mail(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    start = clock.now()
    complaint = await raise_complaint(clock, await make_account("A1", tier="A"))
    clock.advance(HOUR)
    complaint = await act(complaint, Action.apologise, APOLOGY, agent, clock)
    assert complaint.clocks.next_due_at == start + 12 * HOUR
    assert complaint.clocks.next_warn_at == start + 9 * HOUR
    clock.advance(2 * HOUR)
    complaint = await act(complaint, Action.investigate, FINDINGS, agent, clock)
    clock.advance(11 * HOUR)  # 14 h after receipt: the 12 h resolution deadline is missed
    complaint = await act(complaint, Action.resolve, RESOLUTION, agent, clock)
    assert complaint.clocks.resolution_breached
    assert complaint.clocks.follow_up_due_at == clock.now() + dt.timedelta(days=7)
    clock.advance(dt.timedelta(days=2))
    reopened_at = clock.now()
    complaint = await act(
        complaint, Action.follow_up_unsatisfied, {"note": "Still broken."}, agent, clock
    )
    assert (complaint.state, complaint.reopen_count) == ("investigating", 1)
    assert complaint.clocks.resolution_due_at == reopened_at + 12 * HOUR
    assert complaint.clocks.follow_up_due_at is None
    clock.advance(HOUR)
    complaint = await act(complaint, Action.resolve, {"resolution": "New unit."}, agent, clock)
    clock.advance(HOUR)
    complaint = await act(complaint, Action.follow_up_satisfied, {}, agent, clock)
    assert (complaint.state, complaint.version, complaint.follow_up_outcome) == (
        "closed",
        7,
        "satisfied",
    )
    assert complaint.clocks.next_due_at is None
    assert complaint.allowed_actions == (Action.reopen,)
    events = await history(complaint.id)
    assert [(e.kind, e.from_state, e.to_state, e.version) for e in events] == [
        ("opened", None, "received", 1),
        ("apologise", "received", "apologised", 2),
        ("investigate", "apologised", "investigating", 3),
        ("resolve", "investigating", "resolved", 4),
        ("follow_up_unsatisfied", "resolved", "investigating", 5),
        ("resolve", "investigating", "resolved", 6),
        ("follow_up_satisfied", "resolved", "closed", 7),
    ]
    assert [e.seconds_in_state for e in events] == [None, 3600, 7200, 39600, 172800, 3600, 3600]
    assert [(e.step, e.late) for e in events] == [
        (None, None),
        ("apology", False),
        (None, None),
        ("resolution", True),
        ("follow_up", False),
        ("resolution", False),
        ("follow_up", False),
    ]
    assert events[2].content == FINDINGS
    assert [m["dedupe_key"].split(":")[2:] for m in await outbox()] == [
        ["1", "acknowledgement"],
        ["2", "apology"],
        ["4", "resolution"],
        ["5", "reopened"],
        ["6", "resolution"],
    ]
    apology_mail = (await outbox())[1]
    assert APOLOGY["message"] in apology_mail["text_body"]


async def test_a_stale_version_or_state_gets_409_and_changes_nothing(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    complaint = await raise_complaint(clock, await make_account("A1"))
    with pytest.raises(Conflict, match="version 1, not received at version 7"):
        await apply_action(
            ActionRequest(complaint.id, "apologise", APOLOGY, "received", 7), agent, clock.now(),
            DEFAULT_POLICY,
        )  # fmt: skip
    with pytest.raises(InvalidTransition) as refused:
        await apply_action(
            ActionRequest(complaint.id, "resolve", RESOLUTION, "received", 1), agent, clock.now(),
            DEFAULT_POLICY,
        )  # fmt: skip
    assert refused.value.status_code == 409
    assert "allowed actions: apologise, cancel" in refused.value.message
    with pytest.raises(Conflict, match="is received at version 1, not apologised"):
        await apply_action(
            ActionRequest(complaint.id, "investigate", FINDINGS, "apologised", 1), agent,
            clock.now(), DEFAULT_POLICY,
        )  # fmt: skip
    with pytest.raises(NotFound, match="no complaint 999999"):
        await apply_action(
            ActionRequest(999999, "apologise", APOLOGY, "received", 1), agent, clock.now(),
            DEFAULT_POLICY,
        )  # fmt: skip
    assert await get_complaint(complaint.id) == complaint
    assert len(await history(complaint.id)) == 1


async def test_twenty_identical_concurrent_actions_one_wins_and_one_event_is_written(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agents = [await make_staff(Role.agent) for _ in range(4)]
    complaint = await raise_complaint(clock, await make_account("A1"))
    outcomes = await asyncio.gather(
        *(act(complaint, Action.apologise, APOLOGY, agents[n % 4], clock) for n in range(20)),
        return_exceptions=True,
    )
    winners = [o for o in outcomes if isinstance(o, ComplaintView)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(winners), len(losers)) == (1, 19), outcomes
    assert winners[0].version == 2
    assert [e.kind for e in await history(complaint.id)] == ["opened", "apologise"]
    assert [m["dedupe_key"].rsplit(":", 1)[1] for m in await outbox()] == [
        "acknowledgement",
        "apology",
    ]


async def test_a_failure_inside_the_transaction_writes_nothing(
    db: Database, clock: FrozenClock
) -> None:
    complaint = await raise_complaint(clock, await make_account("A1"))
    # A member whose user row does not exist: the history row's foreign key fails after the
    # complaint row was already updated in the same transaction.
    ghost = StaffMember(id=987654, email="ghost@example.com", name="Ghost", role=Role.agent)
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await act(complaint, Action.apologise, APOLOGY, ghost, clock)
    await assert_as_raised(complaint)


async def test_state_history_and_mail_join_the_callers_transaction(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    complaint = await raise_complaint(clock, await make_account("A1"))

    class Abandon(Exception):
        pass

    async def apologise_then_abandon() -> None:
        async with transaction():
            done = await act(complaint, Action.apologise, APOLOGY, agent, clock)
            assert done.state == "apologised"
            assert await OutboxMessage.count() == 2, "queued inside the transaction"
            raise Abandon

    with pytest.raises(Abandon):
        await apologise_then_abandon()
    await assert_as_raised(complaint)


async def test_only_a_supervisor_cancels_and_a_reason_is_required(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent, supervisor = await make_staff(Role.agent), await make_staff(Role.supervisor)
    complaint = await raise_complaint(clock, await make_account("A1"))
    reason = {"reason": "duplicate", "explanation": f"Same as #{complaint.id - 1}"}
    with pytest.raises(AccessDenied, match="only: supervisor"):
        await act(complaint, Action.cancel, reason, agent, clock)
    with pytest.raises(InvalidInput, match="reason must be one of duplicate, spam"):
        await act(complaint, Action.cancel, {"explanation": "no"}, supervisor, clock)
    cancelled = await act(complaint, Action.cancel, reason, supervisor, clock)
    assert (cancelled.state, cancelled.clocks.next_due_at) == ("cancelled", None)
    assert not cancelled.clocks.apology_breached
    assert await OutboxMessage.count() == 1, "a duplicate is not written to"


async def test_closing_unanswered_needs_the_follow_up_attempts(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    complaint = await raise_complaint(clock, await make_account("A1"))
    for action, content in ((Action.apologise, APOLOGY), (Action.investigate, FINDINGS),
                            (Action.resolve, RESOLUTION)):  # fmt: skip
        complaint = await act(complaint, action, content, agent, clock)
    with pytest.raises(InvalidInput, match="only after 2 follow-up attempts"):
        await act(complaint, Action.follow_up_unanswered, {"attempts": ["email"]}, agent, clock)
    clock.advance(dt.timedelta(days=8))
    closed = await act(
        complaint, Action.follow_up_unanswered, {"attempts": ["email", "phone"]}, agent, clock
    )
    assert (closed.state, closed.follow_up_outcome) == ("closed", "unanswered")
    assert closed.clocks.follow_up_breached


async def test_assignment_and_notes_are_kept_in_the_history(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent, other = await make_staff(Role.agent), await make_staff(Role.agent)
    supervisor = await make_staff(Role.supervisor)
    manager = await make_staff(Role.account_manager)
    complaint = await raise_complaint(clock, await make_account("A1"))
    with pytest.raises(AccessDenied):
        await assign(complaint.id, other.id, agent, 1, clock.now())
    taken = await assign(complaint.id, agent.id, agent, 1, clock.now())
    assert (taken.assignee_id, taken.version) == (agent.id, 2)
    with pytest.raises(InvalidInput, match="assign an agent"):
        await assign(complaint.id, manager.id, supervisor, 2, clock.now())
    with pytest.raises(Conflict):
        await assign(complaint.id, other.id, supervisor, 1, clock.now())
    moved = await assign(complaint.id, other.id, supervisor, 2, clock.now())
    await add_note(complaint.id, "Customer prefers phone calls.", manager, clock.now())
    with pytest.raises(InvalidInput, match="text is required"):
        await add_note(complaint.id, " ", manager, clock.now())
    assert (await get_complaint(complaint.id)).version == moved.version == 3
    events = await history(complaint.id)
    assert [(e.kind, e.version, e.actor_id) for e in events] == [
        ("opened", 1, None),
        ("assigned", 2, agent.id),
        ("assigned", 3, supervisor.id),
        ("note", 3, manager.id),
    ]
    assert events[2].content == {"assignee": other.id, "previous": agent.id}


async def test_warnings_and_escalations_come_once_per_step_and_flag_the_breach(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    start = clock.now()
    complaint = await raise_complaint(clock, await make_account("A1"))  # severe, tier A: 2 h
    assert await due_alerts(start + HOUR) == []
    [warning] = await due_alerts(start + 1.5 * HOUR)
    assert (warning.kind, warning.step, warning.due_at) == (
        AlertKind.warning,
        Step.apology,
        start + 2 * HOUR,
    )
    assert await record_alert(warning, start + 1.5 * HOUR)
    assert not await record_alert(warning, start + 1.6 * HOUR)
    assert await due_alerts(start + 1.9 * HOUR) == []
    [escalation] = await due_alerts(start + 2 * HOUR)
    assert escalation.kind == AlertKind.escalation
    assert await record_alert(escalation, start + 2 * HOUR)
    assert await due_alerts(start + 3 * HOUR) == []
    flagged = await get_complaint(complaint.id)
    assert flagged.clocks.apology_breached
    assert flagged.version == complaint.version, "alerts never make staff actions fail"
    clock.advance(3 * HOUR)
    apologised = await act(flagged, Action.apologise, APOLOGY, agent, clock)
    assert apologised.clocks.apology_breached
    # The resolution step has its own warning (at 9 of its 12 hours), not yet due.
    assert await due_alerts(clock.now()) == []
    [next_warning] = await due_alerts(start + 9 * HOUR)
    assert (next_warning.step, next_warning.kind) == (Step.resolution, AlertKind.warning)
    kinds = [e.kind for e in await history(complaint.id)]
    assert kinds == ["opened", "warning", "escalation", "apologise"]


async def test_finished_complaints_cannot_be_assigned(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    supervisor = await make_staff(Role.supervisor)
    complaint = await raise_complaint(clock, await make_account("A1"))
    spam = {"reason": "spam", "explanation": "An advert."}
    cancelled = await act(complaint, Action.cancel, spam, supervisor, clock)
    with pytest.raises(Conflict, match="is cancelled; it cannot be assigned"):
        await assign(complaint.id, supervisor.id, supervisor, cancelled.version, clock.now())


async def walk(
    complaint: ComplaintView,
    steps: list[tuple[dt.timedelta, Action, dict[str, Any]]],
    agent: StaffMember,
    clock: FrozenClock,
) -> ComplaintView:
    """Apply actions at the given offsets from the complaint's receipt."""
    for offset, action, content in steps:
        clock.at = complaint.received_at + offset
        complaint = await act(complaint, action, content, agent, clock)
    return complaint


async def test_reporting_hooks_give_exact_figures_for_hand_made_histories(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent, supervisor = await make_staff(Role.agent), await make_staff(Role.supervisor)
    t0 = clock.now()
    retail_a = await make_account("A1", tier="A", industry="retail")
    energy_c = await make_account("C1", tier="C", industry="energy")
    energy_c2 = await make_account("C2", tier="C", industry="energy")
    clock.at = t0 - dt.timedelta(days=10)
    await raise_complaint(clock, energy_c, Severity.minor)  # outside the period
    clock.at = t0
    x, v = await raise_complaint(clock, retail_a), await raise_complaint(clock, retail_a)
    y = await raise_complaint(clock, energy_c, Severity.minor)
    silent = await raise_complaint(clock, energy_c2, Severity.minor)  # left unanswered
    w = await raise_complaint(clock, energy_c2, Severity.minor)
    day, quality = dt.timedelta(days=1), {"findings": "Bad batch.", "root_cause": "product_quality"}
    # Tier A, severe: apology in 2 h, resolution in 12 h; tier C, minor: 24 h and 48 h.
    await walk(
        x,
        [
            (HOUR, Action.apologise, APOLOGY),
            (3 * HOUR, Action.investigate, FINDINGS),
            (14 * HOUR, Action.resolve, RESOLUTION),
            (14 * HOUR + 2 * day, Action.follow_up_unsatisfied, {"note": "No."}),
            (15 * HOUR + 2 * day, Action.resolve, RESOLUTION),
            (16 * HOUR + 2 * day, Action.follow_up_satisfied, {}),
        ],
        agent,
        clock,
    )
    await walk(
        v,
        [
            (HOUR, Action.apologise, APOLOGY),
            (2 * HOUR, Action.investigate, quality),
            (3 * HOUR, Action.resolve, RESOLUTION),
            (3 * HOUR + day, Action.follow_up_satisfied, {}),
        ],
        agent,
        clock,
    )
    billing = {"findings": "Invoice doubled.", "root_cause": "billing"}
    await walk(
        y,
        [(30 * HOUR, Action.apologise, APOLOGY), (31 * HOUR, Action.investigate, billing)],
        agent,
        clock,
    )
    await walk(w, [(HOUR, Action.cancel, {"reason": "spam", "explanation": "Advert."})],
               supervisor, clock)  # fmt: skip
    period = ReportScope(t0 - day, t0 + day)
    now = t0 + 3 * day

    assert [(s.state, s.moves, s.seconds) for s in await time_in_steps(period)] == [
        ("apologised", 3, 7200 + 3600 + 3600),
        ("investigating", 3, 39600 + 3600 + 3600),
        ("received", 4, 3600 + 3600 + 108000 + 3600),
        ("resolved", 3, 172800 + 3600 + 86400),
    ]
    assert (await time_in_steps(period))[0].mean_hours == pytest.approx(4 / 3)
    assert [
        (c.group, c.step, c.finished, c.on_time, c.overdue)
        for c in await sla_compliance(replace(period, by=Breakdown.tier), now)
    ] == [
        ("A", "apology", 2, 2, 0),
        ("A", "follow_up", 3, 3, 0),
        ("A", "resolution", 3, 2, 0),
        ("C", "apology", 1, 0, 1),
        ("C", "resolution", 0, 0, 1),
    ]
    overall = await sla_compliance(period, now)
    assert [(c.step, c.share_on_time) for c in overall] == [
        ("apology", 0.5),
        ("follow_up", 1.0),
        ("resolution", 0.5),
    ]
    assert await reopen_rates(replace(period, by=Breakdown.industry)) == [
        ReopenRate("retail", resolved=2, reopened=1)
    ]
    assert [(r.group, r.root_cause, r.complaints) for r in await root_causes(
        replace(period, by=Breakdown.tier))] == [
        ("A", "delivery", 1),
        ("A", "product_quality", 1),
        ("C", "billing", 1),
    ]  # fmt: skip
    everything = ReportScope(t0 - 30 * day, t0 + day)
    assert sum(c.overdue for c in await sla_compliance(everything, now)) == 3

    def outcomes(listed: list[Any]) -> list[tuple[int, str, list[str]]]:
        return [(c.complaint.id, c.complaint.state.value, [s.outcome.value for s in c.steps])
                for c in listed]  # fmt: skip

    # Per account, newest first; steps are apology, resolution, follow-up.
    assert outcomes(await account_complaints(retail_a, t0 - day, now)) == [
        (v.id, "closed", ["met", "met", "met"]),
        (x.id, "closed", ["met", "missed", "met"]),  # resolved at 14 h of 12
    ]
    older = await account_complaints(energy_c, t0 - 30 * day, now)
    assert [state for _, state, _ in outcomes(older)] == ["investigating", "received"]
    assert outcomes(older)[0] == (y.id, "investigating", ["missed", "missed", "not_reached"])
    assert outcomes(older)[1][2] == ["missed", "not_reached", "not_reached"]  # never apologised
    assert [c.complaint.id for c in await account_complaints(energy_c, t0 - day, now)] == [y.id]
    assert older[0].steps[1].due_at == t0 + 48 * HOUR
    spam_left_out = await account_complaints(energy_c2, t0 - day, now)
    assert [c.complaint.id for c in spam_left_out] == [silent.id]


async def test_customer_text_is_escaped_in_html_mail_and_kept_in_plain_text(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    complaint = await raise_complaint(clock, await make_account("A1"))
    message = {"message": "Sorry <b>really</b> & truly"}
    await act(complaint, Action.apologise, message, agent, clock)
    mail = (await outbox())[1]
    assert "Sorry &lt;b&gt;really&lt;/b&gt; &amp; truly" in mail["html_body"]
    assert "Sorry <b>really</b> & truly" in mail["text_body"]
    assert mail["subject"] == f"Our apology about your complaint #{complaint.id}"


async def test_one_survey_answer_raises_at_most_one_complaint(
    db: Database, clock: FrozenClock
) -> None:
    account_id = await make_account("A1")
    new = NewComplaint(
        account_id,
        Channel.survey,
        Category.service,
        Severity.major,
        "Level 0 in the survey.",
        contact_id=await contact_of(account_id),
        survey_response_id=41,
    )
    outcomes = await asyncio.gather(
        *(open_complaint(new, None, clock.now(), DEFAULT_POLICY) for _ in range(5)),
        return_exceptions=True,
    )
    [first] = [o for o in outcomes if isinstance(o, ComplaintView)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 4, outcomes
    assert "survey answer 41 already raised a complaint" in refused[0].message
    assert [c["id"] for c in await Complaint.select(Complaint.id)] == [first.id]
    assert len(await history(first.id)) == 1
    assert await OutboxMessage.count() == 1


async def test_the_bulk_read_gives_each_complaints_milestone_days(
    db: Database, clock: FrozenClock, make_staff: Any
) -> None:
    agent = await make_staff(Role.agent)
    supervisor = await make_staff(Role.supervisor)
    first, second = await make_account("A1"), await make_account("B1", tier="B")
    received = clock.now()
    complaint = await raise_complaint(clock, first)
    day = dt.timedelta(days=1)
    worked = await walk(
        complaint,
        [
            (HOUR, Action.apologise, APOLOGY),
            (day, Action.investigate, FINDINGS),
            (3 * day, Action.resolve, RESOLUTION),  # the resolution deadline is missed
            (5 * day, Action.follow_up_unsatisfied, {"note": "Still broken."}),
        ],
        agent,
        clock,
    )
    clock.at = received + 6 * day
    open_one = await raise_complaint(clock, second)
    late = clock.now() + 2 * day
    [escalation] = [
        alert
        for alert in await due_alerts(late)
        if alert.complaint_id == open_one.id and alert.kind == AlertKind.escalation
    ]
    assert await record_alert(escalation, late)
    spam = await raise_complaint(clock, second)
    await act(
        spam, Action.cancel, {"reason": "spam", "explanation": "An advert."}, supervisor, clock
    )
    columns = await complaint_columns()
    on = day_number
    assert columns.account_ids.tolist() == [first, second]
    assert columns.received.tolist() == [on(received.date()), on(open_one.received_at.date())]
    assert columns.closed.tolist() == [NEVER, NEVER]
    assert worked.state == "investigating"
    assert columns.breached.tolist() == [
        on((received + 3 * day).date()),
        on(late.date()),
    ]
    assert columns.unsatisfied.tolist() == [on((received + 5 * day).date()), NEVER]
    assert columns.investigated.tolist() == [on((received + day).date()), NEVER]
    assert columns.root_cause.tolist() == [list(RootCause).index(RootCause.delivery), -1]
