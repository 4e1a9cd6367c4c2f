"""Complaint search: by number, account, contact email, and the full text of complaints and
notes, through the engine's own full-text index (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

from piccolo.columns.combination import WhereRaw

from feedback.accounts.lookup import account_ids_matching, contact_ids_with_email
from feedback.complaints.tables import Complaint
from feedback.db import bound
from feedback.errors import InvalidInput

__all__ = ["MAX_QUERY", "search_clause"]

MAX_QUERY = 200
WORD = re.compile(r"\w+")
NUMBER = re.compile(r"#?(\d{1,9})")
# The complaints whose own text or whose notes hold every word (ids, newest first).
TEXT_SQL = {
    "sqlite": "id IN (SELECT rowid FROM complaint_text WHERE complaint_text MATCH {} "
    "UNION SELECT n.complaint FROM complaint_note_text f JOIN complaint_note n "
    "ON n.id = f.rowid WHERE complaint_note_text MATCH {})",
    "postgres": "(search_vector @@ to_tsquery('simple', {}) OR id IN (SELECT complaint "
    "FROM complaint_event WHERE kind = 'note' AND note_vector @@ to_tsquery('simple', {})))",
}


def _text_query(words: list[str], kind: str) -> str:
    """Every word, taken literally: quoted for FTS5; for to_tsquery, words are letters,
    digits and underscores only, none of which its syntax gives a meaning."""
    if kind == "sqlite":
        return " ".join(f'"{word}"' for word in words)
    return " & ".join(words)


async def search_clause(text: str) -> Any:
    """The clause matching complaints by ``text``: its number, an account's code or name, a
    contact's email, or every word of it in a complaint's text or notes."""
    text = text.strip()
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"search for at most {MAX_QUERY} characters")
    clause: Any = Complaint.id == -1
    number = NUMBER.fullmatch(text)
    if number:
        clause = clause | (Complaint.id == int(number.group(1)))
    accounts = await account_ids_matching(text)
    if accounts:
        clause = clause | Complaint.account.is_in(accounts)
    contacts = await contact_ids_with_email(text)
    if contacts:
        clause = clause | Complaint.contact.is_in(contacts)
    words = [word.lower() for word in WORD.findall(text)]
    if words:
        kind = bound().kind
        query = _text_query(words, kind)
        clause = clause | WhereRaw(TEXT_SQL[kind], query, query)
    return clause
