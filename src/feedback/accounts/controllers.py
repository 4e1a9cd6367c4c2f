"""HTTP layer of the accounts domain: the accounts list and account pages, and their API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter, SkipValidation
from litestar.response import Redirect, Template

from feedback.accounts import contact_log, display_names, sections, services
from feedback.accounts.contact_entries import CONTACT_KINDS
from feedback.accounts.injected import Viewer
from feedback.accounts.roles import ALL_STAFF, Role
from feedback.accounts.schemas import (
    AccountDetail,
    AccountFilters,
    AccountMatch,
    AccountPage,
    ContactEntryIn,
    ContactEntryOut,
    ContactTimeline,
    DisplayNameIn,
    DisplayNameOut,
)
from feedback.accounts.sections import SectionSource
from feedback.accounts.staff import StaffMember
from feedback.config import ContactStandards, Settings
from feedback.errors import DomainError, InvalidInput
from feedback.languages import LANGUAGES
from feedback.web.access import allow
from feedback.web.injected import InjectedClock
from feedback.web.paging import PageWindow

__all__ = ["AccountApi", "AccountPages", "DisplayNameApi", "DisplayNamePages"]

CONTACT_FIELDS = ("kind", "happened_on", "contact_email", "person_met", "notes")


def _contact_entry(sent: Mapping[str, str]) -> ContactEntryIn:
    """The contact form's fields checked by the API's schema, so both refuse the same entries."""
    if not sent["happened_on"]:
        raise InvalidInput("give the day of the visit, call or email")
    try:
        return msgspec.convert(dict(sent), ContactEntryIn, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"the contact does not fit the form: {exc}") from exc


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


@dataclass(frozen=True)
class AccountPageParts:
    """What the account page shows besides the account: the sections of the domains built on
    accounts, and its contact timeline judged by the configured standards."""

    sections: Sequence[SectionSource]
    standards: ContactStandards


def _page_parts(
    account_sections: NamedDependency[SkipValidation[Sequence[SectionSource]]],
    settings: NamedDependency[Settings],
) -> AccountPageParts:
    return AccountPageParts(account_sections, settings.contact_standards)


PAGE_PARTS = {"page_parts": Provide(_page_parts, sync_to_thread=False)}


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

    async def _account_page(
        self,
        code: str,
        viewer: StaffMember,
        now: dt.datetime,
        parts: AccountPageParts,
        form: Mapping[str, Any] | None = None,
    ) -> Template:
        account = await services.account_detail(code, viewer, now.date())
        shown = await sections.account_sections(parts.sections, account, viewer, now)
        timeline = await contact_log.contact_timeline(
            account.id, account.tier, parts.standards, now.date()
        )
        context = {
            "account": account,
            "sections": shown,
            "timeline": timeline,
            "contact_kinds": CONTACT_KINDS,
            "today": now.date(),
            "user": viewer,
            **(form or {}),
        }
        status = int((form or {}).get("status", 200))
        return Template("accounts/detail.html", context=context, status_code=status)

    @get("/{code:str}", dependencies=PAGE_PARTS)
    async def account_page(
        self,
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
        page_parts: NamedDependency[SkipValidation[AccountPageParts]],
        contact: Annotated[str, QueryParameter(description="recorded: say the contact is")] = "",
    ) -> Template:
        recorded = {"contact_recorded": contact == "recorded"}
        return await self._account_page(code, viewer, clock.now(), page_parts, recorded)

    @post("/{code:str}/contacts", status_code=303, dependencies=PAGE_PARTS)
    async def record_contact(
        self,
        request: Request[StaffMember, Any, Any],
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
        page_parts: NamedDependency[SkipValidation[AccountPageParts]],
    ) -> Response[Any]:
        form = await request.form()
        sent = {name: str(form.get(name, "")).strip() for name in CONTACT_FIELDS}
        try:
            await contact_log.record_contact(code, _contact_entry(sent), viewer, clock.now())
        except DomainError as exc:
            failed = {"contact_sent": sent, "contact_error": exc.message, "status": exc.status_code}
            return await self._account_page(code, viewer, clock.now(), page_parts, failed)
        return Redirect(f"/accounts/{code}?contact=recorded#contacts", status_code=303)


class AccountApi(Controller):
    path = "/api/v1/accounts"
    tags = ("accounts",)
    opt = allow(ALL_STAFF)

    @get(
        "/",
        summary="List accounts",
        dependencies=_list_dependencies(
            _api_filters, page_window=Provide(_page_window, sync_to_thread=False)
        ),
    )
    async def list_accounts(
        self, viewer: Viewer, filters: NamedDependency[AccountFilters]
    ) -> AccountPage:
        """Accounts ordered by name; account managers see only their own portfolio."""
        return await services.list_accounts(filters, viewer)

    @get("/{code:str}", summary="Read an account")
    async def account(
        self,
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
    ) -> AccountDetail:
        """One account with contacts and purchase summary."""
        return await services.account_detail(code, viewer, clock.today())

    @get("/{code:str}/contacts", summary="List an account's visits and calls")
    async def contacts(
        self,
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
        settings: NamedDependency[Settings],
    ) -> ContactTimeline:
        """The account's latest visits, calls and emails, newest first, and whether its tier's
        contact standard is met, due or overdue this period."""
        account = await services.account_detail(code, viewer, clock.today())
        return await contact_log.contact_timeline(
            account.id, account.tier, settings.contact_standards, clock.today()
        )

    @post("/{code:str}/contacts", status_code=201, summary="Record a visit or call")
    async def record_contact(
        self,
        code: FromPath[str],
        viewer: Viewer,
        clock: InjectedClock,
        data: JSONBody[ContactEntryIn],
    ) -> ContactEntryOut:
        """Record a visit, call or email with the account, done by the caller. Account managers
        record contacts with their own accounts only."""
        return await contact_log.record_contact(code, data, viewer, clock.now())


class DisplayNameApi(Controller):
    path = "/api/v1/display-names"
    tags = ("accounts",)
    opt = allow(ALL_STAFF)

    @get("/", summary="List display names")
    async def names(self) -> list[DisplayNameOut]:
        """Every industry, region and attribute name the accounts use, with its display name
        in each language so far (reports show it in their language, else the value)."""
        return await display_names.named_values()

    @put("/", opt=allow({Role.admin}), summary="Replace the display names")
    async def set_names(
        self, viewer: Viewer, clock: InjectedClock, data: JSONBody[list[DisplayNameIn]]
    ) -> list[DisplayNameOut]:
        """Set display names, all or none; an empty name removes one. Administrators only."""
        return await display_names.set_display_names(data, viewer, clock.now())


class DisplayNamePages(Controller):
    path = "/admin/display-names"
    include_in_schema = False
    opt = allow({Role.admin})

    def _page(
        self, viewer: StaffMember, values: list[DisplayNameOut], status: int = 200, **notes: Any
    ) -> Template:
        context = {"user": viewer, "values": values, "languages": LANGUAGES, **notes}
        return Template("accounts/display_names.html", context=context, status_code=status)

    @get("/")
    async def names_page(self, viewer: Viewer, saved: FromQuery[str] = "") -> Template:
        return self._page(viewer, await display_names.named_values(), saved=saved == "1")

    @post("/", status_code=303)
    async def save_names(
        self, request: Request[StaffMember, Any, Any], viewer: Viewer, clock: InjectedClock
    ) -> Response[Any]:
        form = await request.form()
        entries = [
            DisplayNameIn(
                kind=value.kind,
                value=value.value,
                names={
                    lang: str(form.get(f"{value.kind}:{value.value}:{lang}", ""))
                    for lang in LANGUAGES
                },
            )
            for value in await display_names.named_values()
        ]
        try:
            await display_names.set_display_names(entries, viewer, clock.now())
        except DomainError as exc:
            values = await display_names.named_values()
            return self._page(viewer, values, exc.status_code, error=exc.message)
        return Redirect("/admin/display-names?saved=1", status_code=303)
