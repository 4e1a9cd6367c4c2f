"""Customers' personal link tokens: 256 random bits, only their SHA-256 kept."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["link_to", "new_token", "token_hash"]


def new_token() -> str:
    """A fresh link token (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_to(base_url: str, path: str) -> str:
    """A link for a customer, always built from the configured base URL, never the Host header."""
    return f"{base_url.rstrip('/')}{path}"
