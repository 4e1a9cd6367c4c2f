"""What an entry of the contact log may hold: its kinds and the lengths kept.

Free of the database, so that the page, the API and the CSV import check entries alike.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["CONTACT_KINDS", "MAX_NOTES", "MAX_PERSON", "ContactKind"]


class ContactKind(str, Enum):
    """How staff were in touch with an account."""

    visit = "visit"
    call = "call"
    email = "email"


CONTACT_KINDS = tuple(kind.value for kind in ContactKind)
MAX_NOTES = 5_000
MAX_PERSON = 200
