"""Survey link tokens: 256 random bits, only their SHA-256 kept, links from the base URL."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_token", "survey_link", "token_hash"]


def new_token() -> str:
    """A fresh link token (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(base_url: str, token: str) -> str:
    """The customer's personal link, always built from the configured base URL."""
    return f"{base_url.rstrip('/')}/s/{token}"
