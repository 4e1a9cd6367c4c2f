"""Where a page of a list starts and how long it is, as the list routes read it."""

from __future__ import annotations

import msgspec

__all__ = ["PageWindow"]


class PageWindow(msgspec.Struct, frozen=True):
    """``after`` is the next_cursor of the last page (None: the first); ``limit`` the rows."""

    after: int | None = None
    limit: int = 50
