"""How handlers declare the logged-in staff member app.py injects (the "viewer")."""

from __future__ import annotations

from litestar.di import NamedDependency

from feedback.accounts.staff import StaffMember

__all__ = ["Viewer"]

Viewer = NamedDependency[StaffMember]
