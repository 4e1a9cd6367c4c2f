"""Staff passwords are hashed with Argon2id at the production cost; the cheap hasher some tests
use (tests/support/passwords.py) is theirs alone."""

from __future__ import annotations

from argon2 import Type

from feedback.accounts import staff
from tests.support.passwords import CHEAP_HASHER, cheap_password_hashing


def test_the_service_hashes_staff_passwords_with_the_production_argon2id_parameters() -> None:
    hasher = staff._hasher
    assert hasher.type is Type.ID
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    assert (hasher.hash_len, hasher.salt_len) == (32, 16)
    assert hasher.hash("correct horse battery").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_cheap_hasher_is_given_back_when_its_block_ends() -> None:
    production = staff._hasher
    with cheap_password_hashing():
        assert staff._hasher is CHEAP_HASHER
    assert staff._hasher is production
