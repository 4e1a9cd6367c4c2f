"""HTTP layer of the accounts domain: the accounts list and account pages, and their API."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from feedback.accounts import services
from feedback.accounts.roles import ALL_STAFF
from feedback.accounts.schemas import AccountDetail, AccountFilters, AccountPage
from feedback.accounts.sections import account_sections
from feedback.accounts.staff import StaffMember
from feedback.web.access import allow

__all__ = ["AccountApi", "AccountPages"]

StaffRequest = Request[StaffMember, Any, Any]


def _filters(
    q: str, tier: str, industry: str, region: str, status: str,
    manager_id: int | None, after: int | None, limit: int,
) -> AccountFilters:  # fmt: skip
    return AccountFilters(
        q=q[:200], tier=tier, industry=industry, region=region, status=status,
        manager_id=manager_id, after=after, limit=limit,
    )  # fmt: skip


class AccountPages(Controller):
    path = "/accounts"
    include_in_schema = False
    opt = allow(ALL_STAFF)

    @get("/")
    async def accounts_list(
        self,
        request: StaffRequest,
        q: FromQuery[str] = "",
        tier: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        region: FromQuery[str] = "",
        status: FromQuery[str] = "",
        manager_id: FromQuery[int | None] = None,
        after: FromQuery[int | None] = None,
    ) -> Template:
        filters = _filters(q, tier, industry, region, status, manager_id, after, 50)
        page = await services.list_accounts(filters, request.user)
        return Template(
            "accounts/list.html",
            context={
                "page": page,
                "filters": filters,
                "industries": await services.distinct_values("industry"),
                "regions": await services.distinct_values("region"),
                "user": request.user,
            },
        )

    @get("/{code:str}")
    async def account_page(self, request: StaffRequest, code: FromPath[str]) -> Template:
        now = request.app.state.clock.now()
        account = await services.account_detail(code, request.user, now.date())
        sources = request.app.state.account_sections
        sections = await account_sections(sources, account, request.user, now)
        context = {"account": account, "sections": sections, "user": request.user}
        return Template("accounts/detail.html", context=context)


class AccountApi(Controller):
    path = "/api/v1/accounts"
    tags = ("accounts",)
    opt = allow(ALL_STAFF)

    @get("/")
    async def list_accounts(
        self,
        request: StaffRequest,
        q: FromQuery[str] = "",
        tier: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        region: FromQuery[str] = "",
        status: FromQuery[str] = "",
        manager_id: FromQuery[int | None] = None,
        after: Annotated[
            int | None, QueryParameter(description="next_cursor of the last page")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=services.MAX_PAGE)] = 50,
    ) -> AccountPage:
        """Accounts ordered by name; account managers see only their own portfolio."""
        filters = _filters(q, tier, industry, region, status, manager_id, after, limit)
        return await services.list_accounts(filters, request.user)

    @get("/{code:str}")
    async def account(self, request: StaffRequest, code: FromPath[str]) -> AccountDetail:
        """One account with contacts and purchase summary."""
        return await services.account_detail(code, request.user, request.app.state.clock.today())
