"""Piccolo tables of the accounts domain."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from feedback.accounts.contact_entries import MAX_PERSON, ContactKind
from feedback.accounts.roles import Role
from feedback.languages import Language

__all__ = [
    "Account",
    "AccountStatus",
    "AttributeDefinition",
    "AttributeKind",
    "Contact",
    "ContactLog",
    "DisplayName",
    "NameKind",
    "Purchase",
    "StaffSession",
    "StaffUser",
    "Tier",
]


class AccountStatus(str, Enum):
    active = "active"
    closed = "closed"


class Tier(str, Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class AttributeKind(str, Enum):
    numeric = "numeric"
    categorical = "categorical"


class StaffUser(Table, tablename="staff_user"):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True, help_text="Login name, lower case.")
    name = Varchar(length=200)
    role = Varchar(length=20, choices=Role)
    password_hash = Varchar(length=200, secret=True, help_text="Argon2id hash.")
    active = Boolean(default=True, help_text="Inactive users cannot log in.")
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class StaffSession(Table, tablename="staff_session"):
    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the session cookie.")
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class Account(Table, tablename="account"):
    id = Serial(primary_key=True)
    code = Varchar(length=64, unique=True, help_text="The CRM's account code.")
    name = Varchar(length=300)
    industry = Varchar(length=100, default="", index=True)
    region = Varchar(length=100, default="", index=True)
    manager = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null, index=True)
    opened_on = Date(null=True, default=None)
    status = Varchar(length=10, choices=AccountStatus, default=AccountStatus.active)
    closed_on = Date(null=True, default=None)
    closed_reason = Varchar(length=300, default="")
    attributes = JSON(default="{}", help_text="Custom attributes imported from the CRM.")
    tier = Varchar(length=1, choices=Tier, default=Tier.D, index=True)
    trailing_revenue = Numeric(
        digits=(16, 2), default=Decimal(0), help_text="Revenue of the last 12 months."
    )


class AttributeDefinition(Table, tablename="attribute_definition"):
    id = Serial(primary_key=True)
    name = Varchar(length=100, unique=True)
    kind = Varchar(length=12, choices=AttributeKind)


class Contact(Table, tablename="contact"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    email = Varchar(length=254)
    name = Varchar(length=200, default="")
    language = Varchar(length=2, choices=Language, default=Language.en)
    phone = Varchar(length=50, default="")
    survey_opt_in = Boolean(default=True, help_text="Receives the twice-yearly questionnaire.")


class Purchase(Table, tablename="purchase"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    occurred_on = Date()
    amount = Numeric(digits=(14, 2))
    quantity = Integer(default=1)
    external_ref = Varchar(
        length=100, unique=True, help_text="The CRM's reference, or one derived from the row."
    )


class ContactLog(Table, tablename="contact_log"):
    """A visit, call or email between staff and an account: the timeline and the standards."""

    id = Serial(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    kind = Varchar(length=10, choices=ContactKind)
    happened_on = Date()
    contact = ForeignKey(
        Contact, null=True, on_delete=OnDelete.set_null, help_text="The contact met, if known."
    )
    person_met = Varchar(
        length=MAX_PERSON, default="", help_text="The person met, as written down."
    )
    done_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    notes = Text(default="")
    external_ref = Varchar(
        length=100, unique=True, help_text="The import's reference, or one derived from the row."
    )
    recorded_at = Timestamptz()


class NameKind(str, Enum):
    """What a display name names: an account's industry or region, or a custom attribute."""

    industry = "industry"
    region = "region"
    attribute = "attribute"


class DisplayName(Table, tablename="display_name"):
    """How a CRM value (an industry, a region, an attribute's name) is shown in a language."""

    id = Serial(primary_key=True)
    kind = Varchar(length=10, choices=NameKind)
    value = Varchar(length=100, help_text="The value as the CRM writes it.")
    language = Varchar(length=2, choices=Language)
    name = Varchar(length=200)
    updated_at = Timestamptz()
    updated_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
