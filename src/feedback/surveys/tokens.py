"""The survey link: a personal link (feedback.links) to the survey page."""

from __future__ import annotations

from feedback.links import link_to

__all__ = ["survey_link"]


def survey_link(base_url: str, token: str) -> str:
    """The customer's personal link, always built from the configured base URL."""
    return link_to(base_url, f"/s/{token}")
