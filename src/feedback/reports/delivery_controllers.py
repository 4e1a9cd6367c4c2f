"""HTTP layer of mailed reports: a staff member's own choice about them (/my-settings and
/api/v1/my-settings/report-mail), and what was mailed to whom (/admin/report-deliveries and
/api/v1/report-deliveries, administrators only)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template

from feedback.accounts.injected import Viewer
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.errors import DomainError
from feedback.languages import LANGUAGES
from feedback.reports.delivery import SETTINGS_PATH
from feedback.reports.delivery_log import MAX_PAGE, delivery_page
from feedback.reports.mail_choices import mail_choice, set_mail_choice
from feedback.reports.schedule import period_words
from feedback.reports.schemas import DeliveryPage, ReportMailIn, ReportMailOut
from feedback.scoring.risk import RISK_READERS
from feedback.web.access import allow
from feedback.web.injected import InjectedClock
from feedback.web.paging import PageWindow

__all__ = ["ReportDeliveryApi", "ReportDeliveryPages", "ReportMailApi", "ReportMailPages"]

# Reports are mailed to the readers of reports: account managers, supervisors, admins.
RECIPIENTS = RISK_READERS
ADMINS = {Role.admin}


def _delivery_window(
    after: Annotated[int | None, QueryParameter(description="next_cursor of the last page")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
) -> PageWindow:
    return PageWindow(after=after, limit=limit)


WINDOW = {"delivery_window": Provide(_delivery_window, sync_to_thread=False)}


class ReportMailPages(Controller):
    path = SETTINGS_PATH
    include_in_schema = False
    opt = allow(RECIPIENTS)

    def _page(
        self, viewer: StaffMember, choice: ReportMailOut, status: int = 200, **notes: Any
    ) -> Template:
        context = {"user": viewer, "choice": choice, "languages": LANGUAGES, **notes}
        return Template("my_settings.html", context=context, status_code=status)

    @get("/")
    async def settings_page(self, viewer: Viewer, saved: FromQuery[str] = "") -> Template:
        return self._page(viewer, await mail_choice(viewer), saved=saved == "1")

    @post("/", status_code=303)
    async def save_settings(
        self, request: Request[StaffMember, Any, Any], viewer: Viewer, clock: InjectedClock
    ) -> Response[Any]:
        form = await request.form()
        choice = ReportMailIn(form.get("mailed") == "on", str(form.get("language", "")))
        try:
            await set_mail_choice(viewer, choice, clock.now())
        except DomainError as exc:
            shown = ReportMailOut(choice.mailed, choice.language)
            return self._page(viewer, shown, exc.status_code, error=exc.message)
        return Redirect(f"{SETTINGS_PATH}?saved=1", status_code=303)


class ReportMailApi(Controller):
    path = "/api/v1/my-settings/report-mail"
    tags = ("reports",)
    opt = allow(RECIPIENTS)

    @get("/", summary="Read your choice of mailed reports")
    async def my_report_mail(self, viewer: Viewer) -> ReportMailOut:
        """Whether the reports due to you are mailed to you, and in which language."""
        return await mail_choice(viewer)

    @put("/", summary="Turn your mailed reports off or on")
    async def set_my_report_mail(
        self, viewer: Viewer, clock: InjectedClock, data: JSONBody[ReportMailIn]
    ) -> ReportMailOut:
        """Turn your mailed reports off (``mailed: false``) or on, and choose their language
        (en or zh); it holds from the next report due."""
        return await set_mail_choice(viewer, data, clock.now())


class ReportDeliveryPages(Controller):
    path = "/admin/report-deliveries"
    include_in_schema = False
    opt = allow(ADMINS)

    @get("/", dependencies=WINDOW)
    async def deliveries_page(
        self, viewer: Viewer, delivery_window: NamedDependency[PageWindow]
    ) -> Template:
        page = await delivery_page(delivery_window)
        context = {"user": viewer, "page": page, "period_words": period_words}
        return Template("report_deliveries.html", context=context)


class ReportDeliveryApi(Controller):
    path = "/api/v1/report-deliveries"
    tags = ("reports",)
    opt = allow(ADMINS)

    @get("/", dependencies=WINDOW, summary="List the reports mailed to staff")
    async def deliveries(self, delivery_window: NamedDependency[PageWindow]) -> DeliveryPage:
        """The reports mailed on the schedule, newest first: kind, period, recipient, when
        queued and sent, and the last delivery error of those not sent yet."""
        return await delivery_page(delivery_window)
