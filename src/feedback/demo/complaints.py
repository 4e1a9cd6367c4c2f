"""Running the demo's complaints through the complaint services, each step at its own past time."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from feedback.accounts import directory, staff
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.complaints.deadlines import SlaPolicy, Step
from feedback.complaints.periodic import run_complaint_work
from feedback.complaints.services import (
    ActionRequest,
    Category,
    Channel,
    ComplaintView,
    NewComplaint,
    apply_action,
    assign,
    get_complaint,
    open_complaint,
)
from feedback.demo.complaint_cases import (
    ComplaintCase,
    Handling,
    complaint_cases,
    survey_handling,
)
from feedback.demo.customers import Simulation
from feedback.mail.services import MailContext
from feedback.surveys.complaint_intake import open_for_past_answers

__all__ = ["ComplaintSummary", "load_complaints"]

# That mail went out back then: the outbox shows it sent and never sends it again.
CONTEXT = MailContext(delivered_elsewhere=True)
# How often the demo's past ran the deadline alerts (`feedback jobs run` runs every minute).
ALERT_EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ComplaintSummary:
    """The demo's complaints by state, how many missed a deadline, how many the survey raised."""

    states: dict[str, int]
    breached: int
    from_survey: int


@dataclass
class _Run:
    """One complaint being handled: its handling, how far it got, and what it looks like now."""

    complaint: ComplaintView
    plan: Handling
    at: dt.datetime
    done: int = -1  # -1: not yet assigned

    def steps_before(self, now: dt.datetime) -> int:
        """How many of its moves (assignment included) happen before ``now``."""
        moment, count = self.at, 0
        if self.plan.assignee is None:
            return 0
        for after in (self.plan.assign_after, *(step.after for step in self.plan.steps)):
            moment += after
            if moment >= now:
                break
            count += 1
        return count

    def next_at(self) -> dt.datetime | None:
        if self.done == -1:
            return self.at + self.plan.assign_after if self.plan.assignee else None
        if self.done < len(self.plan.steps):
            return self.at + self.plan.steps[self.done].after
        return None


async def _open_case(case: ComplaintCase, now: dt.datetime, policy: SlaPolicy) -> ComplaintView:
    account_id = await directory.account_id_for_code(case.account_code)
    contacts = await directory.contact_ids_of_account(account_id, case.contact_email)
    new = NewComplaint(
        account_id=account_id,
        channel=Channel(case.channel),
        category=Category(case.category),
        severity=case.severity,
        description=case.description,
        contact_id=contacts[0] if contacts else None,
    )
    return await open_complaint(new, None, case.received_at, policy, CONTEXT)


async def _survey_runs(
    simulation: Simulation, now: dt.datetime, policy: SlaPolicy, people: list[tuple[str, Role]]
) -> list[_Run]:
    """The complaints the most recent wave's answers raised, each handled from its receipt."""
    rng = np.random.default_rng([simulation.seed, 3])
    fates = {a.code: a.fate for a in simulation.accounts}
    if not simulation.waves:
        return []
    opened = await open_for_past_answers(simulation.waves[-1].period, policy, CONTEXT)
    complaints = [await get_complaint(complaint_id) for complaint_id, _ in opened]
    codes = await directory.account_dimensions({c.account_id for c in complaints})
    return [
        _Run(
            c,
            survey_handling(rng, fates[codes[c.account_id].code], people, now - c.received_at),
            c.received_at,
        )
        for c in complaints
    ]


async def _step(
    run: _Run, members: dict[str, StaffMember], at: dt.datetime, policy: SlaPolicy
) -> None:
    complaint, plan = run.complaint, run.plan
    if run.done == -1:
        assert plan.assignee is not None
        run.complaint = await assign(
            complaint.id, members[plan.assignee].id, members[plan.supervisor], complaint.version, at
        )
    else:
        step = plan.steps[run.done]
        actor = members[plan.supervisor if step.by_supervisor else plan.assignee or plan.supervisor]
        request = ActionRequest(
            complaint.id, step.action, step.content, complaint.state, complaint.version
        )
        run.complaint = await apply_action(request, actor, at, policy, CONTEXT)
    run.done, run.at = run.done + 1, at


def _timeline(runs: list[_Run], now: dt.datetime) -> Iterator[tuple[dt.datetime, _Run]]:
    """Every complaint's next step, all complaints together in the order they happened."""
    queue = [(at, n) for n, run in enumerate(runs) if (at := run.next_at()) and at < now]
    heapq.heapify(queue)
    while queue:
        at, n = heapq.heappop(queue)
        yield at, runs[n]
        following = runs[n].next_at()
        if following is not None and following < now:
            heapq.heappush(queue, (following, n))


async def load_complaints(
    simulation: Simulation,
    now: dt.datetime,
    policy: SlaPolicy,
    progress: Callable[[int, int], None],
) -> ComplaintSummary:
    """Open the demo's complaints (the latest wave's among them) and handle each up to ``now``,
    with the deadline alerts of the time recorded and all their mail recorded as sent."""
    people = [(member.email, member.role) for member in simulation.staff]
    members = {email: await staff.find_user(email) for email, _ in people}
    runs = await _survey_runs(simulation, now, policy, people)
    from_survey = len(runs)
    for case in complaint_cases(simulation, now):
        runs.append(_Run(await _open_case(case, now, policy), case.handling, case.received_at))
    total = sum(run.steps_before(now) for run in runs)
    progress(0, total)
    alerts_at = min((run.at for run in runs), default=now)
    for done, (at, run) in enumerate(_timeline(runs, now), start=1):
        if at - alerts_at >= ALERT_EVERY:
            await run_complaint_work(at, CONTEXT)
            alerts_at = at
        await _step(run, members, at, policy)
        progress(done, total)
    await run_complaint_work(now, CONTEXT)
    final = [await get_complaint(run.complaint.id) for run in runs]
    return ComplaintSummary(
        states=dict(Counter(c.state.value for c in final)),
        breached=sum(_breached(c, now) for c in final),
        from_survey=from_survey,
    )


def _breached(complaint: ComplaintView, now: dt.datetime) -> bool:
    """A step finished late, or the current one is past its deadline."""
    clocks = complaint.clocks
    overdue = clocks.next_due_at is not None and clocks.next_due_at <= now
    return overdue or any(clocks.breached(step) for step in Step)
