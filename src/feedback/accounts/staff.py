"""Staff users and their server-side sessions (use cases; the only code touching those tables)."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from feedback.accounts.roles import Role
from feedback.accounts.tables import Account, StaffSession, StaffUser
from feedback.addresses import email_problem
from feedback.db import transaction
from feedback.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from feedback.links import token_hash
from feedback.web.logs import security_log

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "StaffMember",
    "active_members",
    "create_user",
    "end_session",
    "find_member",
    "find_user",
    "log_in",
    "member_for_session",
    "portfolio_holders",
    "set_active",
    "staff_members",
    "staff_names",
]

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures take the same time.
_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class StaffMember:
    """The logged-in staff user, as the web layer sees it."""

    id: int
    email: str
    name: str
    role: Role


def _member(row: dict[str, object]) -> StaffMember:
    return StaffMember(
        id=int(row["id"]),  # type: ignore[call-overload]
        email=str(row["email"]),
        name=str(row["name"]),
        role=Role(row["role"]),
    )


def _normalise_email(email: str) -> str:
    email = email.strip().lower()
    if email_problem(email):
        raise InvalidInput(f"not an email address: {email!r}")
    return email


async def create_user(
    email: str, name: str, role: Role | str, password: str, now: dt.datetime
) -> StaffMember:
    """Add a staff user; the password is hashed off the event loop."""
    email = _normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {role!r}; choose one of {allowed}") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    async with transaction():
        if await StaffUser.exists().where(StaffUser.email == email):
            raise Conflict(f"a staff user with email {email} already exists")
        user = StaffUser(
            email=email,
            name=name.strip() or email,
            role=role.value,
            password_hash=password_hash,
            active=True,
            created_at=now,
        )
        await user.save()
    security_log.info("staff user created: %s as %s", email, role.value)
    return StaffMember(id=user.id, email=email, name=user.name, role=role)


async def find_user(email: str) -> StaffMember:
    row = await StaffUser.select().where(StaffUser.email == email.strip().lower()).first()
    if row is None:
        raise NotFound(f"no staff user with email {email}")
    return _member(row)


async def find_member(user_id: int) -> StaffMember:
    """The active staff user with this id, or NotFound."""
    row = (
        await StaffUser.select()
        .where((StaffUser.id == user_id) & StaffUser.active.eq(True))
        .first()
    )
    if row is None:
        raise NotFound(f"no active staff user with id {user_id}")
    return _member(row)


async def staff_names(user_ids: Collection[int]) -> dict[int, str]:
    """Display names of the given staff users (active or not), by id."""
    return {user_id: member.name for user_id, member in (await staff_members(user_ids)).items()}


async def staff_members(user_ids: Collection[int]) -> dict[int, StaffMember]:
    """The given staff users (active or not), by id."""
    if not user_ids:
        return {}
    rows = await StaffUser.select(
        StaffUser.id, StaffUser.email, StaffUser.name, StaffUser.role
    ).where(StaffUser.id.is_in(sorted(set(user_ids))))
    return {int(row["id"]): _member(row) for row in rows}


async def active_members(roles: Collection[Role]) -> list[StaffMember]:
    """Active staff users of the given roles, by name."""
    rows = (
        await StaffUser.select()
        .where(StaffUser.active.eq(True) & StaffUser.role.is_in([r.value for r in roles]))
        .order_by(StaffUser.name)
    )
    return [_member(row) for row in rows]


async def portfolio_holders() -> list[StaffMember]:
    """Active staff who hold a portfolio, by name: every account manager, and anyone else
    some account names as its manager."""
    managers = Account.select(Account.manager).where(Account.manager.is_not_null())
    rows = (
        await StaffUser.select()
        .where(
            StaffUser.active.eq(True)
            & ((StaffUser.role == Role.account_manager.value) | StaffUser.id.is_in(managers))
        )
        .order_by(StaffUser.name)
        .order_by(StaffUser.id)
    )
    return [_member(row) for row in rows]


async def log_in(
    email: str, password: str, now: dt.datetime, hours: int
) -> tuple[StaffMember, str]:
    """Check the password and open a new session; returns the member and the cookie token."""
    email = email.strip().lower()
    row = await StaffUser.select().where(StaffUser.email == email).first()
    stored = row["password_hash"] if row else _UNKNOWN_USER_HASH
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
        valid = row is not None and bool(row["active"])
    except (VerificationError, InvalidHashError):
        valid = False
    if not valid or row is None:
        security_log.warning("login failed for %r", email)
        raise NotAuthenticated("wrong email or password, or the account is inactive")
    token = secrets.token_urlsafe(32)
    async with transaction():
        await StaffSession.insert(
            StaffSession(
                token_hash=token_hash(token),
                user=row["id"],
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours),
            )
        )
        await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == row["id"])
    security_log.info("login: %s", email)
    return _member(row), token


async def member_for_session(token: str, now: dt.datetime) -> StaffMember | None:
    """The active staff member behind a session cookie, or None."""
    row = (
        await StaffSession.select(
            StaffSession.user.id.as_alias("id"),
            StaffSession.user.email.as_alias("email"),
            StaffSession.user.name.as_alias("name"),
            StaffSession.user.role.as_alias("role"),
        )
        .where(
            (StaffSession.token_hash == token_hash(token))
            & (StaffSession.expires_at > now)
            & (StaffSession.user.active == True)  # noqa: E712
        )
        .first()
    )
    return _member(row) if row else None


async def end_session(token: str) -> None:
    await StaffSession.delete().where(StaffSession.token_hash == token_hash(token))


async def set_active(email: str, active: bool) -> None:
    """Activate or deactivate a user; deactivation ends every session of theirs."""
    member = await find_user(email)
    async with transaction():
        await StaffUser.update({StaffUser.active: active}).where(StaffUser.id == member.id)
        if not active:
            await StaffSession.delete().where(StaffSession.user == member.id)
    security_log.info("staff user %s: %s", "activated" if active else "deactivated", member.email)
