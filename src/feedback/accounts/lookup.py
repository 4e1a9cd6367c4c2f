"""Finding accounts and contacts by what staff type: a code, part of a name, an email."""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from feedback.accounts.tables import Account, Contact

__all__ = ["account_ids_matching", "contact_ids_with_email"]

MAX_MATCHES = 1_000


def _like_pattern(text: str) -> str:
    """``text`` anywhere, with LIKE's own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def account_ids_matching(text: str) -> list[int]:
    """Accounts whose code is ``text`` or whose name contains it (in any case)."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    rows = await (
        Account.select(Account.id)
        .where(
            WhereRaw("lower(code) = {}", wanted)
            | WhereRaw("lower(name) LIKE {} ESCAPE '\\'", _like_pattern(wanted))
        )
        .limit(MAX_MATCHES)
    )
    return [int(row["id"]) for row in rows]


async def contact_ids_with_email(email: str) -> list[int]:
    """The contacts with this email (compared in lower case)."""
    wanted = email.strip().lower()
    if "@" not in wanted:
        return []
    rows = await Contact.select(Contact.id).where(WhereRaw("lower(email) = {}", wanted))
    return [int(row["id"]) for row in rows]
