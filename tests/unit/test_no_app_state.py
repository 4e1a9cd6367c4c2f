"""Handlers get the settings, clock and sections by dependency injection, not from app.state.

Only app.py, which registers the providers, and the session middleware in web/access.py
(which runs before any handler, so has no injection) read ``.app.state``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "feedback"
MAY_READ_APP_STATE = {Path("app.py"), Path("web/access.py")}


def app_state_reads(source: str) -> list[int]:
    """The lines of every ``<anything>.app.state`` in the source."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr == "state"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "app"
    ]


def test_the_scan_finds_app_state_however_it_is_reached() -> None:
    sample = (
        "def handler(request, connection):\n"
        "    settings = request.app.state.settings\n"
        "    clock = getattr(connection.app.state, 'clock')\n"
        "    state = request.app_state\n"
    )
    assert app_state_reads(sample) == [2, 3]


def test_only_app_and_the_session_middleware_read_app_state() -> None:
    readers = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE) not in MAY_READ_APP_STATE
        for line in app_state_reads(path.read_text(encoding="utf-8"))
    }
    assert readers == set()
