"""HTTP layer of the complaint queue for staff: the queue and ticket pages, and the JSON API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template

from feedback.accounts.injected import Viewer
from feedback.accounts.roles import ALL_STAFF
from feedback.accounts.staff import StaffMember, active_members
from feedback.clock import Clock
from feedback.complaints import intake, queue, services
from feedback.complaints.deadlines import Severity, SlaPolicy, policy_of
from feedback.complaints.schemas import (
    ActionIn,
    AssignIn,
    ComplaintIn,
    ComplaintOut,
    EventOut,
    FormLinkIn,
    FormLinkOut,
    NoteIn,
    QueueFilters,
    QueuePage,
    RefusedMove,
)
from feedback.complaints.states import (
    ACTION_ROLES,
    FOLLOW_UP_MEANS,
    NOTE_ROLES,
    WORKERS,
    Action,
    CancelReason,
    ComplaintState,
    RootCause,
)
from feedback.config import Settings
from feedback.errors import DomainError, InvalidInput
from feedback.mail.services import MailContext
from feedback.web.access import allow
from feedback.web.api_errors import refusal
from feedback.web.injected import InjectedClock
from feedback.web.paging import PageWindow

__all__ = ["ComplaintApi", "ComplaintPages"]

StaffRequest = Request[StaffMember, Any, Any]
# "state" is a name Litestar keeps for the application state.
StateQuery = Annotated[str, QueryParameter(name="state")]
# Fields of the action form that guard the move rather than carry its content.
GUARD_FIELDS = ("action", "expected_state", "expected_version", "_csrf_token")


def _mail_context(settings: Settings) -> MailContext:
    return MailContext(base_url=settings.base_url)


async def _act(complaint_id: int, data: ActionIn, viewer: StaffMember, clock: Clock,
               settings: Settings) -> None:  # fmt: skip
    asked = services.ActionRequest(
        complaint_id, data.action, data.content, data.expected_state, data.expected_version
    )
    await services.apply_action(
        asked, viewer, clock.now(), policy_of(settings), _mail_context(settings)
    )


def _action_from_form(form: Any) -> ActionIn:
    content: dict[str, Any] = {
        key: form.get(key) for key in form if key not in GUARD_FIELDS and key != "attempts"
    }
    if "attempts" in form:
        content["attempts"] = form.getall("attempts")
    try:
        version = int(form.get("expected_version", ""))
    except ValueError:
        version = 0
    return ActionIn(
        action=form.get("action", ""),
        expected_state=form.get("expected_state", ""),
        expected_version=version,
        content=content,
    )


async def _assign_from_form(
    form: Any, complaint_id: int, viewer: StaffMember, now: dt.datetime
) -> None:
    try:
        assignee = int(form["assignee_id"]) if form.get("assignee_id") else None
        version = int(form.get("expected_version", "0"))
    except ValueError:
        raise InvalidInput("choose someone from the list") from None
    await services.assign(complaint_id, assignee, viewer, version, now)


SEARCH_HELP = (
    "a complaint number, an account's code or part of its name, a contact's email, or words "
    "of the complaint or its notes; results span every state, newest first"
)


class ComplaintMatch(msgspec.Struct, frozen=True):
    """The queue's filters on the complaints themselves; empty strings mean "any"."""

    state: str = ""
    severity: str = ""
    category: str = ""
    tier: str = ""
    account: str = ""
    q: str = ""


def _complaint_match(
    state_filter: StateQuery = "", severity: FromQuery[str] = "",
    category: FromQuery[str] = "", tier: FromQuery[str] = "",
    account: Annotated[str, QueryParameter(description="an account's code")] = "",
    q: Annotated[str, QueryParameter(description=SEARCH_HELP)] = "",
) -> ComplaintMatch:  # fmt: skip
    return ComplaintMatch(
        state=state_filter, severity=severity, category=category, tier=tier, account=account, q=q
    )


def _page_window(
    after: Annotated[int | None, QueryParameter(description="next_cursor of the last page")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=queue.MAX_PAGE)] = 50,
) -> PageWindow:
    return PageWindow(after=after, limit=limit)


def _queue_filters(
    viewer: StaffMember, view: str, match: ComplaintMatch, assignee_id: int | None,
    window: PageWindow,
) -> QueueFilters:  # fmt: skip
    return QueueFilters(
        view=view or queue.default_view(viewer), state=match.state, severity=match.severity,
        category=match.category, tier=match.tier, account=match.account.strip(), q=match.q,
        assignee_id=assignee_id, after=window.after,
        limit=window.limit,
    )  # fmt: skip


def _api_filters(
    viewer: Viewer, complaint_match: NamedDependency[ComplaintMatch],
    page_window: NamedDependency[PageWindow], view: FromQuery[str] = "team",
    assignee_id: FromQuery[int | None] = None,
) -> QueueFilters:  # fmt: skip
    return _queue_filters(viewer, view, complaint_match, assignee_id, page_window)


def _page_filters(
    viewer: Viewer, complaint_match: NamedDependency[ComplaintMatch], view: FromQuery[str] = "",
    assignee_id: FromQuery[str] = "", after: FromQuery[int | None] = None,
) -> QueueFilters:  # fmt: skip
    # The filter form sends an empty assignee for "anyone".
    if assignee_id and not assignee_id.isdigit():
        raise InvalidInput("assignee_id must be a staff user's id")
    assignee = int(assignee_id) if assignee_id else None
    return _queue_filters(viewer, view, complaint_match, assignee, PageWindow(after=after))


MATCH = Provide(_complaint_match, sync_to_thread=False)


CHOICES = {
    "states": [s.value for s in ComplaintState],
    "severities": [s.value for s in Severity],
    "categories": intake.CATEGORIES,
    "tiers": ("A", "B", "C", "D"),
    "channels": intake.STAFF_CHANNELS,
    "root_causes": [r.value for r in RootCause],
    "cancel_reasons": [r.value for r in CancelReason],
    "follow_up_means": sorted(FOLLOW_UP_MEANS),
}


class ComplaintPages(Controller):
    path = "/complaints"
    include_in_schema = False

    @get(
        "/",
        opt=allow(ALL_STAFF),
        dependencies={
            "complaint_match": MATCH,
            "filters": Provide(_page_filters, sync_to_thread=False),
        },
    )
    async def queue_page(
        self, viewer: Viewer, clock: InjectedClock, filters: NamedDependency[QueueFilters]
    ) -> Template:
        page = await queue.list_queue(filters, viewer, clock.now())
        context = {
            "page": page, "filters": filters, "user": viewer, "choices": CHOICES,
            "views": queue.views_for(viewer), "staff": await active_members(WORKERS),
        }  # fmt: skip
        return Template("complaints/queue.html", context=context)

    async def _ticket(
        self, viewer: StaffMember, clock: Clock, complaint_id: int, error: str = "",
        status: int = 200,
    ) -> Template:  # fmt: skip
        complaint = await queue.complaint_detail(complaint_id, viewer, clock.now())
        allowed = [Action(a) for a in complaint.allowed_actions]
        staff = await active_members(WORKERS)
        context = {
            "complaint": complaint,
            "events": await queue.complaint_events(complaint_id, viewer),
            "actions": [a.value for a in allowed if viewer.role in ACTION_ROLES[a]],
            "can_note": viewer.role in NOTE_ROLES,
            "can_assign": viewer.role in WORKERS and complaint.allowed_actions,
            "staff": staff, "names": {member.id: member.name for member in staff},
            "choices": CHOICES, "user": viewer, "error": error,
        }  # fmt: skip
        return Template("complaints/detail.html", context=context, status_code=status)

    @get("/{complaint_id:int}", opt=allow(ALL_STAFF))
    async def ticket(
        self, viewer: Viewer, clock: InjectedClock, complaint_id: FromPath[int]
    ) -> Template:
        return await self._ticket(viewer, clock, complaint_id)

    async def _after_change(
        self, viewer: StaffMember, clock: Clock, complaint_id: int, change: Awaitable[None],
        anchor: str = "",
    ) -> Response[Any]:  # fmt: skip
        """Back to the ticket once the change is made; a refused one shows it with the reason."""
        try:
            await change
        except DomainError as exc:
            return await self._ticket(viewer, clock, complaint_id, exc.message, exc.status_code)
        return Redirect(f"/complaints/{complaint_id}{anchor}", status_code=303)

    @post("/{complaint_id:int}/act", opt=allow(WORKERS), status_code=303)
    async def act(
        self, request: StaffRequest, viewer: Viewer, clock: InjectedClock,
        settings: NamedDependency[Settings], complaint_id: FromPath[int],
    ) -> Response[Any]:  # fmt: skip
        action = _action_from_form(await request.form())
        change = _act(complaint_id, action, viewer, clock, settings)
        return await self._after_change(viewer, clock, complaint_id, change)

    @post("/{complaint_id:int}/assign", opt=allow(WORKERS), status_code=303)
    async def assign(
        self, request: StaffRequest, viewer: Viewer, clock: InjectedClock,
        complaint_id: FromPath[int],
    ) -> Response[Any]:  # fmt: skip
        change = _assign_from_form(await request.form(), complaint_id, viewer, clock.now())
        return await self._after_change(viewer, clock, complaint_id, change)

    @post("/{complaint_id:int}/notes", opt=allow(NOTE_ROLES), status_code=303)
    async def note(
        self, request: StaffRequest, viewer: Viewer, clock: InjectedClock,
        complaint_id: FromPath[int],
    ) -> Response[Any]:  # fmt: skip
        text = (await request.form()).get("text", "")
        change = queue.add_visible_note(complaint_id, text, viewer, clock.now())
        return await self._after_change(viewer, clock, complaint_id, change, "#history")

    @get("/record", opt=allow(WORKERS))
    async def record_form(self, request: StaffRequest) -> Template:
        return _record_page(request, {}, "", 200)

    @post("/record", opt=allow(WORKERS), status_code=303)
    async def record(
        self, request: StaffRequest, clock: InjectedClock, sla_policy: NamedDependency[SlaPolicy],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:  # fmt: skip
        form = dict(await request.form())
        try:
            contact = int(form["contact_id"]) if form.get("contact_id") else None
            taken = ComplaintIn(
                form.get("account_code", ""), form.get("channel", ""), form.get("category", ""),
                form.get("severity", ""), form.get("description", ""), contact,
            )  # fmt: skip
            complaint_id = await intake.record_staff_complaint(
                taken, request.user, clock.now(), sla_policy, _mail_context(settings)
            )
        except (DomainError, ValueError) as exc:
            message = getattr(exc, "message", "contact must be a number")
            return _record_page(request, form, message, getattr(exc, "status_code", 400))
        return Redirect(f"/complaints/{complaint_id}", status_code=303)

    @get("/submissions", opt=allow(WORKERS))
    async def submissions(self, request: StaffRequest) -> Template:
        return await _submissions_page(request, "", 200)

    @post("/submissions/{submission_id:int}/triage", opt=allow(WORKERS), status_code=303)
    async def triage(
        self, request: StaffRequest, sla_policy: NamedDependency[SlaPolicy],
        settings: NamedDependency[Settings], submission_id: FromPath[int],
    ) -> Response[Any]:  # fmt: skip
        form = await request.form()
        try:
            decision = intake.TriageDecision(
                submission_id, form.get("account_code", ""), form.get("severity", "")
            )
            complaint_id = await intake.triage(
                decision, request.user, sla_policy, _mail_context(settings)
            )
        except DomainError as exc:
            return await _submissions_page(request, exc.message, exc.status_code)
        return Redirect(f"/complaints/{complaint_id}", status_code=303)


def _record_page(
    request: StaffRequest, values: dict[str, Any], error: str, status: int
) -> Template:
    context = {"values": values, "error": error, "choices": CHOICES, "user": request.user}
    return Template("complaints/record.html", context=context, status_code=status)


async def _submissions_page(request: StaffRequest, error: str, status: int) -> Template:
    context = {
        "submissions": await intake.pending_submissions(),
        "error": error, "choices": CHOICES, "user": request.user,
    }  # fmt: skip
    return Template("complaints/submissions.html", context=context, status_code=status)


# The operations that create something for the account their body names by its code.
_creates_for_an_account = partial(
    post,
    opt=allow(WORKERS),
    status_code=201,
    responses={404: refusal("No account has the account_code given.")},
)


class ComplaintApi(Controller):
    path = "/api/v1/complaints"
    tags = ("complaints",)

    @get(
        "/",
        summary="List complaints",
        opt=allow(ALL_STAFF),
        dependencies={
            "complaint_match": MATCH,
            "page_window": Provide(_page_window, sync_to_thread=False),
            "filters": Provide(_api_filters, sync_to_thread=False),
        },
    )
    async def list_complaints(
        self, viewer: Viewer, clock: InjectedClock, filters: NamedDependency[QueueFilters]
    ) -> QueuePage:
        """Open complaints, soonest deadline first (views: mine, unassigned, team, breached,
        due_soon), or with ``state=closed`` or ``state=cancelled`` those, newest first;
        ``account`` (a code) keeps one account's. Account managers see their own accounts'
        complaints only."""
        return await queue.list_queue(filters, viewer, clock.now())

    @_creates_for_an_account("/", summary="Record a complaint")
    async def create(
        self, viewer: Viewer, clock: InjectedClock, sla_policy: NamedDependency[SlaPolicy],
        settings: NamedDependency[Settings], data: JSONBody[ComplaintIn],
    ) -> ComplaintOut:  # fmt: skip
        """Record a complaint received by phone, email or a visit."""
        complaint_id = await intake.record_staff_complaint(
            data, viewer, clock.now(), sla_policy, _mail_context(settings)
        )
        return await queue.complaint_detail(complaint_id, viewer, clock.now())

    @get("/{complaint_id:int}", opt=allow(ALL_STAFF), summary="Read a complaint")
    async def complaint(
        self, viewer: Viewer, clock: InjectedClock, complaint_id: FromPath[int]
    ) -> ComplaintOut:
        """One complaint with its deadlines and the actions its state allows."""
        return await queue.complaint_detail(complaint_id, viewer, clock.now())

    @post(
        "/{complaint_id:int}/actions",
        summary="Act on a complaint",
        opt=allow(WORKERS),
        status_code=200,
        responses={
            409: ResponseSpec(
                data_container=RefusedMove,
                description="The state does not allow the action (or the version is stale)",
            )
        },
    )
    async def act(
        self, viewer: Viewer, clock: InjectedClock, settings: NamedDependency[Settings],
        complaint_id: FromPath[int], data: JSONBody[ActionIn],
    ) -> ComplaintOut:  # fmt: skip
        """Apply an action. A move the state does not allow is a 409 whose body lists
        ``allowed_actions``; a stale ``expected_version`` is a 409 too."""
        await _act(complaint_id, data, viewer, clock, settings)
        return await queue.complaint_detail(complaint_id, viewer, clock.now())

    @get("/{complaint_id:int}/history", opt=allow(ALL_STAFF), summary="Read a complaint's history")
    async def history(self, viewer: Viewer, complaint_id: FromPath[int]) -> list[EventOut]:
        """Every step, note, assignment and alert, oldest first."""
        return await queue.complaint_events(complaint_id, viewer)

    @post(
        "/{complaint_id:int}/assign",
        opt=allow(WORKERS),
        status_code=200,
        summary="Assign a complaint",
        responses={
            409: ResponseSpec(
                data_container=RefusedMove,
                description="The complaint changed since expected_version (reload it), or it "
                "is no longer open",
            )
        },
    )
    async def assign(
        self, viewer: Viewer, clock: InjectedClock, complaint_id: FromPath[int],
        data: JSONBody[AssignIn],
    ) -> ComplaintOut:  # fmt: skip
        """Assign (supervisors) or take on (agents) an open complaint."""
        await services.assign(
            complaint_id, data.assignee_id, viewer, data.expected_version, clock.now()
        )
        return await queue.complaint_detail(complaint_id, viewer, clock.now())

    @post(
        "/{complaint_id:int}/notes",
        opt=allow(NOTE_ROLES),
        status_code=204,
        summary="Add an internal note",
    )
    async def note(
        self,
        viewer: Viewer,
        clock: InjectedClock,
        complaint_id: FromPath[int],
        data: JSONBody[NoteIn],
    ) -> None:
        """Add an internal note to the history."""
        await queue.add_visible_note(complaint_id, data.text, viewer, clock.now())

    @_creates_for_an_account("/form-links", summary="Make a complaint form link")
    async def form_link(
        self, clock: InjectedClock, settings: NamedDependency[Settings], data: JSONBody[FormLinkIn]
    ) -> FormLinkOut:
        """A link to the public complaint form that names the account, to send a customer."""
        link, expires_at = await intake.issue_form_link(
            data.account_code, data.contact_id, clock.now(), settings.base_url
        )
        return FormLinkOut(link=link, expires_at=expires_at)
