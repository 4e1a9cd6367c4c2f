"""Staff roles and what each may do."""

from __future__ import annotations

from enum import Enum

__all__ = ["ALL_STAFF", "LEADS", "Role"]


class Role(str, Enum):
    agent = "agent"
    supervisor = "supervisor"
    account_manager = "account_manager"
    admin = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# Every staff role: the audience of pages any logged-in member may use.
ALL_STAFF = frozenset(Role)
# Supervisors and admins: the company-wide view (the wave report for management).
LEADS = frozenset({Role.supervisor, Role.admin})
