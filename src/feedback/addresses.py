"""Email addresses: one rule for every address the service takes in, from email-validator."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

__all__ = ["MAX_EMAIL", "email_problem"]

MAX_EMAIL = 254  # RFC 5321's limit on a forward path


def email_problem(address: str) -> str | None:
    """Why ``address`` cannot receive mail, in plain words; None when it can.

    Only its form is checked (no DNS lookups): imports and forms must not wait on the network.
    """
    if len(address) > MAX_EMAIL:
        return f"it is longer than {MAX_EMAIL} characters"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None
