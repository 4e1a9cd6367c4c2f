"""HTTP layer of the complaint queue for staff: the queue and ticket pages, and the JSON API."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template

from feedback.accounts.roles import ALL_STAFF
from feedback.accounts.staff import StaffMember, active_members
from feedback.complaints import intake, queue, services
from feedback.complaints.deadlines import Severity
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
from feedback.errors import DomainError, InvalidInput
from feedback.mail.services import MailContext
from feedback.web.access import allow

__all__ = ["ComplaintApi", "ComplaintPages"]

StaffRequest = Request[StaffMember, Any, Any]
# "state" is a name Litestar keeps for the application state.
StateQuery = Annotated[str, QueryParameter(name="state")]
# Fields of the action form that guard the move rather than carry its content.
GUARD_FIELDS = ("action", "expected_state", "expected_version", "_csrf_token")


def _now(request: StaffRequest) -> Any:
    return request.app.state.clock.now()


def _mail_context(request: Request[Any, Any, Any]) -> MailContext:
    return MailContext(base_url=request.app.state.settings.base_url)


async def _act(request: StaffRequest, complaint_id: int, data: ActionIn) -> None:
    await services.apply_action(
        complaint_id, data.action, data.content, request.user, data.expected_state,
        data.expected_version, _now(request), request.app.state.sla_policy,
        _mail_context(request),
    )  # fmt: skip


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


def _queue_filters(
    viewer: StaffMember, view: str, state: str, severity: str, category: str, tier: str,
    assignee_id: int | None, after: int | None, limit: int,
) -> QueueFilters:  # fmt: skip
    return QueueFilters(
        view=view or queue.default_view(viewer), state=state, severity=severity,
        category=category, tier=tier, assignee_id=assignee_id, after=after, limit=limit,
    )  # fmt: skip


CHOICES = {
    "views": queue.VIEWS,
    "states": [s.value for s in ComplaintState if s.value not in ("closed", "cancelled")],
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

    @get("/", opt=allow(ALL_STAFF))
    async def queue_page(
        self, request: StaffRequest, view: FromQuery[str] = "",
        state_filter: StateQuery = "",
        severity: FromQuery[str] = "", category: FromQuery[str] = "", tier: FromQuery[str] = "",
        assignee_id: FromQuery[str] = "", after: FromQuery[int | None] = None,
    ) -> Template:  # fmt: skip
        # The filter form sends an empty assignee for "anyone".
        if assignee_id and not assignee_id.isdigit():
            raise InvalidInput("assignee_id must be a staff user's id")
        assignee = int(assignee_id) if assignee_id else None
        filters = _queue_filters(
            request.user, view, state_filter, severity, category, tier, assignee, after, 50
        )
        page = await queue.list_queue(filters, request.user, _now(request))
        context = {
            "page": page, "filters": filters, "user": request.user, "choices": CHOICES,
            "staff": await active_members(WORKERS),
        }  # fmt: skip
        return Template("complaints/queue.html", context=context)

    async def _ticket(
        self, request: StaffRequest, complaint_id: int, error: str = "", status: int = 200
    ) -> Template:
        viewer = request.user
        complaint = await queue.complaint_detail(complaint_id, viewer, _now(request))
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
    async def ticket(self, request: StaffRequest, complaint_id: FromPath[int]) -> Template:
        return await self._ticket(request, complaint_id)

    @post("/{complaint_id:int}/act", opt=allow(WORKERS), status_code=303)
    async def act(self, request: StaffRequest, complaint_id: FromPath[int]) -> Response[Any]:
        try:
            await _act(request, complaint_id, _action_from_form(await request.form()))
        except DomainError as exc:
            return await self._ticket(request, complaint_id, exc.message, exc.status_code)
        return Redirect(f"/complaints/{complaint_id}", status_code=303)

    @post("/{complaint_id:int}/assign", opt=allow(WORKERS), status_code=303)
    async def assign(self, request: StaffRequest, complaint_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        try:
            assignee = int(form["assignee_id"]) if form.get("assignee_id") else None
            version = int(form.get("expected_version", "0"))
            await services.assign(complaint_id, assignee, request.user, version, _now(request))
        except (DomainError, ValueError) as exc:
            message = getattr(exc, "message", "choose someone from the list")
            return await self._ticket(
                request, complaint_id, message, getattr(exc, "status_code", 400)
            )
        return Redirect(f"/complaints/{complaint_id}", status_code=303)

    @post("/{complaint_id:int}/notes", opt=allow(NOTE_ROLES), status_code=303)
    async def note(self, request: StaffRequest, complaint_id: FromPath[int]) -> Response[Any]:
        text = (await request.form()).get("text", "")
        try:
            await queue.add_visible_note(complaint_id, text, request.user, _now(request))
        except DomainError as exc:
            return await self._ticket(request, complaint_id, exc.message, exc.status_code)
        return Redirect(f"/complaints/{complaint_id}#history", status_code=303)

    @get("/record", opt=allow(WORKERS))
    async def record_form(self, request: StaffRequest) -> Template:
        return _record_page(request, {}, "", 200)

    @post("/record", opt=allow(WORKERS), status_code=303)
    async def record(self, request: StaffRequest) -> Response[Any]:
        form = dict(await request.form())
        try:
            contact = int(form["contact_id"]) if form.get("contact_id") else None
            complaint_id = await intake.record_staff_complaint(
                form.get("account_code", ""), form.get("channel", ""), form.get("category", ""),
                form.get("severity", ""), form.get("description", ""), contact, request.user,
                _now(request), request.app.state.sla_policy, _mail_context(request),
            )  # fmt: skip
        except (DomainError, ValueError) as exc:
            message = getattr(exc, "message", "contact must be a number")
            return _record_page(request, form, message, getattr(exc, "status_code", 400))
        return Redirect(f"/complaints/{complaint_id}", status_code=303)

    @get("/submissions", opt=allow(WORKERS))
    async def submissions(self, request: StaffRequest) -> Template:
        return await _submissions_page(request, "", 200)

    @post("/submissions/{submission_id:int}/triage", opt=allow(WORKERS), status_code=303)
    async def triage(self, request: StaffRequest, submission_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        try:
            complaint_id = await intake.triage(
                submission_id, form.get("account_code", ""), form.get("severity", ""),
                request.user, request.app.state.sla_policy, _mail_context(request),
            )  # fmt: skip
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


class ComplaintApi(Controller):
    path = "/api/v1/complaints"
    tags = ("complaints",)

    @get("/", opt=allow(ALL_STAFF))
    async def list_complaints(
        self, request: StaffRequest, view: FromQuery[str] = "team",
        state_filter: StateQuery = "",
        severity: FromQuery[str] = "", category: FromQuery[str] = "", tier: FromQuery[str] = "",
        assignee_id: FromQuery[int | None] = None,
        after: Annotated[
            int | None, QueryParameter(description="next_cursor of the last page")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=queue.MAX_PAGE)] = 50,
    ) -> QueuePage:  # fmt: skip
        """Open complaints, soonest deadline first (views: mine, unassigned, team, breached,
        due_soon); account managers see their own accounts' complaints only."""
        filters = _queue_filters(
            request.user, view, state_filter, severity, category, tier, assignee_id, after, limit
        )
        return await queue.list_queue(filters, request.user, _now(request))

    @post("/", opt=allow(WORKERS), status_code=201)
    async def create(self, request: StaffRequest, data: JSONBody[ComplaintIn]) -> ComplaintOut:
        """Record a complaint received by phone, email or a visit."""
        complaint_id = await intake.record_staff_complaint(
            data.account_code, data.channel, data.category, data.severity, data.description,
            data.contact_id, request.user, _now(request),
            request.app.state.sla_policy, _mail_context(request),
        )  # fmt: skip
        return await queue.complaint_detail(complaint_id, request.user, _now(request))

    @get("/{complaint_id:int}", opt=allow(ALL_STAFF))
    async def complaint(self, request: StaffRequest, complaint_id: FromPath[int]) -> ComplaintOut:
        """One complaint with its deadlines and the actions its state allows."""
        return await queue.complaint_detail(complaint_id, request.user, _now(request))

    @post(
        "/{complaint_id:int}/actions",
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
        self, request: StaffRequest, complaint_id: FromPath[int], data: JSONBody[ActionIn]
    ) -> ComplaintOut:
        """Apply an action. A move the state does not allow is a 409 whose body lists
        ``allowed_actions``; a stale ``expected_version`` is a 409 too."""
        await _act(request, complaint_id, data)
        return await queue.complaint_detail(complaint_id, request.user, _now(request))

    @get("/{complaint_id:int}/history", opt=allow(ALL_STAFF))
    async def history(self, request: StaffRequest, complaint_id: FromPath[int]) -> list[EventOut]:
        """Every step, note, assignment and alert, oldest first."""
        return await queue.complaint_events(complaint_id, request.user)

    @post("/{complaint_id:int}/assign", opt=allow(WORKERS), status_code=200)
    async def assign(
        self, request: StaffRequest, complaint_id: FromPath[int], data: JSONBody[AssignIn]
    ) -> ComplaintOut:
        """Assign (supervisors) or take on (agents) an open complaint."""
        await services.assign(
            complaint_id, data.assignee_id, request.user, data.expected_version, _now(request)
        )
        return await queue.complaint_detail(complaint_id, request.user, _now(request))

    @post("/{complaint_id:int}/notes", opt=allow(NOTE_ROLES), status_code=204)
    async def note(
        self, request: StaffRequest, complaint_id: FromPath[int], data: JSONBody[NoteIn]
    ) -> None:
        """Add an internal note to the history."""
        await queue.add_visible_note(complaint_id, data.text, request.user, _now(request))

    @post("/form-links", opt=allow(WORKERS), status_code=201)
    async def form_link(self, request: StaffRequest, data: JSONBody[FormLinkIn]) -> FormLinkOut:
        """A link to the public complaint form that names the account, to send a customer."""
        settings = request.app.state.settings
        link, expires_at = await intake.issue_form_link(
            data.account_code, data.contact_id, _now(request), settings.base_url
        )
        return FormLinkOut(link=link, expires_at=expires_at)
