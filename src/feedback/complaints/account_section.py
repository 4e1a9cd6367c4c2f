"""Open complaints on the account page: what to settle before, or at, the next visit."""

from __future__ import annotations

import datetime as dt

from feedback.accounts.schemas import AccountDetail
from feedback.accounts.sections import AccountSection
from feedback.accounts.staff import StaffMember
from feedback.complaints.queue import open_complaints_of_account

__all__ = ["open_complaints_section"]


async def open_complaints_section(
    account: AccountDetail, viewer: StaffMember, now: dt.datetime
) -> AccountSection:
    """The account's open complaints with their time left, for every staff role (the
    account page has already kept account managers to their portfolio)."""
    complaints = await open_complaints_of_account(account.id, now)
    return AccountSection("complaints/account_section.html", {"complaints": complaints})
