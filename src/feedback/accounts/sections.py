"""Sections of the account page that the domains built on accounts supply.

An account manager reads an account's satisfaction, complaints and churn risk on its
page, yet the accounts domain may not import surveys, complaints or scoring. So the page
shows the sections it is given: ``feedback.site.account_sections`` composes the sources,
each a small function of the account (found and checked against the viewer's portfolio),
the viewer and the current time that returns a template with its context, or None when
it has nothing for this viewer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feedback.accounts.schemas import AccountDetail
from feedback.accounts.staff import StaffMember

__all__ = ["AccountSection", "SectionSource", "account_sections"]


@dataclass(frozen=True)
class AccountSection:
    """A template rendered into the account page; it reads its values as ``section.context``."""

    template: str
    context: Mapping[str, Any]


SectionSource = Callable[
    [AccountDetail, StaffMember, dt.datetime], Awaitable[AccountSection | None]
]


async def account_sections(
    sources: Sequence[SectionSource], account: AccountDetail, viewer: StaffMember, now: dt.datetime
) -> list[AccountSection]:
    """Each source's section, in the sources' order; those with nothing to show are left out."""
    found = [await source(account, viewer, now) for source in sources]
    return [section for section in found if section is not None]
