"""Fixtures shared by the integration tests: a real SMTP server in this process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.mail import SmtpServerFixture


@pytest.fixture
def smtp() -> Iterator[SmtpServerFixture]:
    server = SmtpServerFixture()
    server.start()
    yield server
    server.stop()
