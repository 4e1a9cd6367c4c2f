"""Satisfaction on the account page: the account's level in each wave it was asked in."""

from __future__ import annotations

import datetime as dt

from feedback.accounts.roles import Role
from feedback.accounts.schemas import AccountDetail
from feedback.accounts.sections import AccountSection
from feedback.accounts.staff import StaffMember
from feedback.surveys.history import account_waves
from feedback.surveys.result_charts import LEVEL_LABELS

__all__ = ["satisfaction_section"]


async def satisfaction_section(
    account: AccountDetail, viewer: StaffMember, now: dt.datetime
) -> AccountSection | None:
    """Levels wave by wave, newest first; agents work complaints and see no account's levels,
    as in wave results."""
    if viewer.role is Role.agent:
        return None
    waves = await account_waves(account.id)
    labels = {int(level): label for level, label in LEVEL_LABELS.items()}
    return AccountSection("surveys/account_section.html", {"waves": waves[::-1], "labels": labels})
