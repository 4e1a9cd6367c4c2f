"""HTTP layer of the accounts domain: the accounts list and account pages, and their API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter, SkipValidation
from litestar.response import Template

from feedback.accounts import sections, services
from feedback.accounts.injected import Viewer
from feedback.accounts.roles import ALL_STAFF
from feedback.accounts.schemas import AccountDetail, AccountFilters, AccountMatch, AccountPage
from feedback.accounts.sections import SectionSource
from feedback.web.access import allow
from feedback.web.injected import InjectedClock
from feedback.web.paging import PageWindow

__all__ = ["AccountApi", "AccountPages"]


def _account_match(
    q: FromQuery[str] = "", tier: FromQuery[str] = "", industry: FromQuery[str] = "",
    region: FromQuery[str] = "", status: FromQuery[str] = "",
) -> AccountMatch:  # fmt: skip
    return AccountMatch(q=q[:200], tier=tier, industry=industry, region=region, status=status)


def _page_window(
    after: Annotated[int | None, QueryParameter(description="next_cursor of the last page")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=services.MAX_PAGE)] = 50,
) -> PageWindow:
    return PageWindow(after=after, limit=limit)


def _filters(match: AccountMatch, manager_id: int | None, window: PageWindow) -> AccountFilters:
    return AccountFilters(
        **msgspec.structs.asdict(match),
        manager_id=manager_id,
        after=window.after,
        limit=window.limit,
    )


def _api_filters(
    account_match: NamedDependency[AccountMatch],
    page_window: NamedDependency[PageWindow],
    manager_id: FromQuery[int | None] = None,
) -> AccountFilters:
    return _filters(account_match, manager_id, page_window)


def _page_filters(
    account_match: NamedDependency[AccountMatch],
    manager_id: FromQuery[int | None] = None,
    after: FromQuery[int | None] = None,
) -> AccountFilters:
    return _filters(account_match, manager_id, PageWindow(after=after))


def _list_dependencies(
    filters: Callable[..., AccountFilters], **readers: Provide
) -> dict[str, Provide]:
    """What a list route is given: the match, what else its ``filters`` read, the filters."""
    return {
        "account_match": Provide(_account_match, sync_to_thread=False),
        **readers,
        "filters": Provide(filters, sync_to_thread=False),
    }


class AccountPages(Controller):
    path = "/accounts"
    include_in_schema = False
    opt = allow(ALL_STAFF)

    @get("/", dependencies=_list_dependencies(_page_filters))
    async def accounts_list(
        self, viewer: Viewer, filters: NamedDependency[AccountFilters]
    ) -> Template:
        page = await services.list_accounts(filters, viewer)
        return Template(
            "accounts/list.html",
            context={
                "page": page,
                "filters": filters,
                "industries": await services.distinct_values("industry"),
                "regions": await services.distinct_values("region"),
                "user": viewer,
            },
        )

    @get("/{code:str}")
    async def account_page(
        self,
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
        account_sections: NamedDependency[SkipValidation[Sequence[SectionSource]]],
    ) -> Template:
        now = clock.now()
        account = await services.account_detail(code, viewer, now.date())
        shown = await sections.account_sections(account_sections, account, viewer, now)
        context = {"account": account, "sections": shown, "user": viewer}
        return Template("accounts/detail.html", context=context)


class AccountApi(Controller):
    path = "/api/v1/accounts"
    tags = ("accounts",)
    opt = allow(ALL_STAFF)

    @get(
        "/",
        dependencies=_list_dependencies(
            _api_filters, page_window=Provide(_page_window, sync_to_thread=False)
        ),
    )
    async def list_accounts(
        self, viewer: Viewer, filters: NamedDependency[AccountFilters]
    ) -> AccountPage:
        """Accounts ordered by name; account managers see only their own portfolio."""
        return await services.list_accounts(filters, viewer)

    @get("/{code:str}")
    async def account(
        self,
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
    ) -> AccountDetail:
        """One account with contacts and purchase summary."""
        return await services.account_detail(code, viewer, clock.today())
