"""Customers' complaint links: the follow-up question after a resolution, and the web-form link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.complaints.tables import ComplaintLink, LinkKind
from feedback.links import LinkNotUsable, claim_sql, link_to, new_token, token_hash

__all__ = [
    "FollowUpLink",
    "LinkNotUsable",
    "claim_follow_up",
    "follow_up_link",
    "follow_up_url",
    "form_url",
    "intake_sender",
    "issue_follow_up",
    "issue_intake",
]

CLAIM_SQL = claim_sql("complaint_link", "used_at")


@dataclass(frozen=True)
class FollowUpLink:
    """A usable follow-up link: which resolution of which complaint it asks about."""

    id: int
    complaint_id: int
    version: int
    contact_id: int | None


def follow_up_url(base_url: str, token: str) -> str:
    return link_to(base_url, f"/f/{token}")


def form_url(base_url: str, token: str) -> str:
    return link_to(base_url, f"/complaints/new?account={token}")


@dataclass(frozen=True)
class LinkTarget:
    """Whom a link is for, and for a follow-up the complaint and resolved version it asks about."""

    account_id: int
    contact_id: int | None
    complaint_id: int | None = None
    version: int | None = None


async def _issue(
    kind: LinkKind, target: LinkTarget, now: dt.datetime, expires_at: dt.datetime
) -> str:
    token = new_token()
    await ComplaintLink.insert(
        ComplaintLink(
            kind=kind,
            token_hash=token_hash(token),
            account=target.account_id,
            contact=target.contact_id,
            complaint=target.complaint_id,
            version=target.version,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return token


async def issue_follow_up(target: LinkTarget, now: dt.datetime, expires_at: dt.datetime) -> str:
    """A single-use link asking whether the resolution (the target's complaint at its version)
    satisfied the customer."""
    return await _issue(LinkKind.follow_up, target, now, expires_at)


async def issue_intake(account_id: int, contact_id: int | None, now: dt.datetime, days: int) -> str:
    """A link to the public form that names the account (reusable until it expires)."""
    target = LinkTarget(account_id, contact_id)
    return await _issue(LinkKind.intake, target, now, now + dt.timedelta(days=days))


async def _usable(token: str, kind: LinkKind, now: dt.datetime) -> dict[str, object]:
    row = (
        await ComplaintLink.select()
        .where((ComplaintLink.token_hash == token_hash(token)) & (ComplaintLink.kind == kind))
        .first()
    )
    if row is None or row["used_at"] is not None or row["expires_at"] <= now:
        raise LinkNotUsable
    return row


async def follow_up_link(token: str, now: dt.datetime) -> FollowUpLink:
    """The unused, unexpired follow-up link behind a token, or LinkNotUsable."""
    row = await _usable(token, LinkKind.follow_up, now)
    return FollowUpLink(
        id=int(row["id"]),  # type: ignore[call-overload]
        complaint_id=int(row["complaint"]),  # type: ignore[call-overload]
        version=int(row["version"]),  # type: ignore[call-overload]
        contact_id=row["contact"],  # type: ignore[arg-type]
    )


async def claim_follow_up(link_id: int, now: dt.datetime) -> None:
    """Mark a follow-up link used; of two answers at once only one claims it."""
    if not await ComplaintLink.raw(CLAIM_SQL, now, link_id, now):
        raise LinkNotUsable


async def intake_sender(token: str, now: dt.datetime) -> tuple[int, int | None] | None:
    """The account and contact a form link names, or None for no, unknown or expired links."""
    if not token:
        return None
    try:
        row = await _usable(token, LinkKind.intake, now)
    except LinkNotUsable:
        return None
    return int(row["account"]), row["contact"]  # type: ignore[call-overload, return-value]
