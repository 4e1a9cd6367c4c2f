"""Logs: the security log, and personal survey, follow-up and complaint-form links kept out of
every log line."""

from __future__ import annotations

import logging
import re

__all__ = ["TokenRedactingFilter", "redact_links", "security_log"]

# Logins, sessions, refusals and exports: who did what, for the operators.
security_log = logging.getLogger("feedback.security")

SURVEY_LINK = re.compile(r"/s/(?!thanks\b)[^/?\s\"']+")
FOLLOW_UP_LINK = re.compile(r"/f/(?!thanks\b)[^/?\s\"']+")
FORM_LINK = re.compile(r"([?&]account=)[^&#\s\"']+")


def redact_links(text: str) -> str:
    """Replace the token of every personal link in ``text``."""
    text = SURVEY_LINK.sub("/s/[link]", text)
    text = FOLLOW_UP_LINK.sub("/f/[link]", text)
    return FORM_LINK.sub(r"\1[link]", text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites link tokens in a record's arguments (uvicorn's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_links(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = redact_links(record.msg)
        return True
