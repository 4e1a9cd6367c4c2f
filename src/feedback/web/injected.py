"""How handlers and providers declare the values app.py injects by name."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.params import SkipValidation

from feedback.accounts.staff import StaffMember
from feedback.clock import Clock

__all__ = ["InjectedClock", "Viewer"]

# The logged-in staff member (the "viewer" dependency).
Viewer = NamedDependency[StaffMember]
# A Clock is a protocol, which validation cannot check; the provider's clock is the app's own.
InjectedClock = NamedDependency[SkipValidation[Clock]]
