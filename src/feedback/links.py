"""Customers' personal link tokens: 256 random bits, only their SHA-256 kept."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from feedback.errors import Conflict

__all__ = ["LinkNotUsable", "claim_sql", "link_to", "new_token", "token_hash"]


class LinkNotUsable(Conflict):
    """Unknown, used and expired links get the same answer, so links cannot be probed."""

    link: ClassVar[str] = "link"

    def __init__(self) -> None:
        super().__init__(f"this {self.link} has already been used or is no longer valid")


def new_token() -> str:
    """A fresh link token (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_to(base_url: str, path: str) -> str:
    """A link for a customer, always built from the configured base URL, never the Host header."""
    return f"{base_url.rstrip('/')}{path}"


def claim_sql(table: str, used_column: str) -> str:
    """The update that uses up a single-use link (parameters: now, the link's id, now) if it
    is unused and unexpired, returning its id: of two claims at once only one gets it.

    ``table`` and ``used_column`` are names written in the code, never input.
    """
    return (
        f"UPDATE {table} SET {used_column} = {{}} "  # noqa: S608
        f"WHERE id = {{}} AND {used_column} IS NULL AND expires_at > {{}} RETURNING id"
    )
