"""How handlers and providers declare the clock app.py injects by name."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.params import SkipValidation

from feedback.clock import Clock

__all__ = ["InjectedClock"]

# A Clock is a protocol, which validation cannot check; the provider's clock is the app's own.
InjectedClock = NamedDependency[SkipValidation[Clock]]
