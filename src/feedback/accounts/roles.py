"""Staff roles and what each may do."""

from __future__ import annotations

from enum import Enum

__all__ = ["Role"]


class Role(str, Enum):
    agent = "agent"
    supervisor = "supervisor"
    account_manager = "account_manager"
    admin = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")
