"""Argon2id at its lowest cost, for tests and benchmarks that create or log in many staff
users; the passwords themselves are tested at the production cost (tests/unit/test_passwords.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from argon2 import PasswordHasher

from feedback.accounts import staff

__all__ = ["CHEAP_HASHER", "cheap_password_hashing"]

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@contextlib.contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Staff passwords are hashed with CHEAP_HASHER until the block ends."""
    production = staff._hasher
    staff._hasher = CHEAP_HASHER
    try:
        yield
    finally:
        staff._hasher = production
