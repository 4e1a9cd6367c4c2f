"""Piccolo app of the accounts domain."""

from __future__ import annotations

from feedback.accounts.tables import (
    Account,
    AttributeDefinition,
    Contact,
    ContactLog,
    DisplayName,
    Purchase,
    StaffSession,
    StaffUser,
)
from feedback.db import app_config

APP_CONFIG = app_config(
    __file__,
    [
        StaffUser,
        StaffSession,
        Account,
        AttributeDefinition,
        Contact,
        Purchase,
        ContactLog,
        DisplayName,
    ],
)
