"""HTTP layer of a manager's week: the staff page /my-week and GET /api/v1/my-week."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter, SkipValidation
from litestar.response import Template

from feedback.accounts.injected import Viewer
from feedback.config import Settings
from feedback.errors import InvalidInput
from feedback.scoring.risk import RISK_READERS
from feedback.site.my_week import WEEK, ShownWeek, shown_week
from feedback.site.schemas import MyWeek
from feedback.surveys.result_charts import LEVEL_LABELS
from feedback.web.access import allow
from feedback.web.injected import InjectedClock

__all__ = ["MyWeekApi", "MyWeekPages"]

MANAGER = QueryParameter(
    description="The staff id of the manager whose week to read (supervisors and admins; by "
    "default their own portfolio). Account managers read their own only."
)
Shown = NamedDependency[SkipValidation[ShownWeek]]


async def _shown(
    viewer: Viewer,
    clock: InjectedClock,
    settings: NamedDependency[Settings],
    manager: Annotated[int | None, MANAGER] = None,
) -> ShownWeek:
    return await shown_week(viewer, manager, clock.now(), settings.contact_standards)


WEEK_DEPENDENCIES = {"shown": Provide(_shown)}


class MyWeekPages(Controller):
    include_in_schema = False
    # A portfolio's week is churn-risk work: the readers of /drifting. Agents get 403.
    opt = allow(RISK_READERS)

    @get("/my-week", dependencies=WEEK_DEPENDENCIES)
    async def my_week_page(self, viewer: Viewer, shown: Shown) -> Template:
        holder = shown.choice.holder
        context = {
            "week": shown.week,
            "choices": shown.choice.choices,
            "own": holder is not None and holder.id == viewer.id,
            "days": WEEK.days,
            "levels": {int(level): label for level, label in LEVEL_LABELS.items()},
            "user": viewer,
        }
        return Template("my_week.html", context=context)


class MyWeekApi(Controller):
    tags = ("my week",)
    opt = allow(RISK_READERS)

    @get("/api/v1/my-week", dependencies=WEEK_DEPENDENCIES, summary="Read a manager's week")
    async def my_week(self, shown: Shown) -> MyWeek:
        """A manager's week: the portfolio's accounts whose contact standard is overdue, then
        due, most valuable first; its open complaints, soonest deadline first; the answers of
        the last 7 days below the account's level in the wave before, and the accounts whose
        risk band rose since the latest scored day at least 7 days earlier.

        Account managers read their own portfolio (another manager's is a 403); supervisors
        and admins name a manager with ``manager``, else read their own portfolio if they
        hold one (400 when they hold none)."""
        if shown.week is None:
            raise InvalidInput("you hold no portfolio: choose a manager with ?manager=<staff id>")
        return shown.week
