"""Survey link tokens: the shared personal-link tokens, and the survey link built from them."""

from __future__ import annotations

from feedback.links import link_to, new_token, token_hash

__all__ = ["new_token", "survey_link", "token_hash"]


def survey_link(base_url: str, token: str) -> str:
    """The customer's personal link, always built from the configured base URL."""
    return link_to(base_url, f"/s/{token}")
