"""The suite's today: one fixed day, so that every run builds the same data whatever the real
date. FEEDBACK_TEST_TODAY (`scripts/test --today YYYY-MM-DD`) moves it, to check the suite on
another day; the `feedback` commands and servers the tests start run on it too. Tests take it
from tests.conftest, which also gives the clock fixture."""

from __future__ import annotations

import datetime as dt
import os

__all__ = ["NOW", "TODAY"]

TODAY = dt.date.fromisoformat(os.environ.get("FEEDBACK_TEST_TODAY") or "2026-11-26")
NOW = dt.datetime.combine(TODAY, dt.time(9, 30), tzinfo=dt.UTC)
