"""The service's clock: real in production, settable in tests."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["Clock", "FrozenClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    """The real clock; given ``today``, moved by whole days so that it runs from that day.

    A moved clock keeps the real time of day and runs on, so sessions and deadlines age as
    they would; demos and tests use it to run the service on a chosen day.
    """

    def __init__(self, today: dt.date | None = None) -> None:
        real = dt.datetime.now(dt.UTC)
        self.offset = dt.timedelta(days=(today - real.date()).days) if today else dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def today(self) -> dt.date:
        return self.now().date()


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta
