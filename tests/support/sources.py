"""The repository's own Python files, scanned for what the suite's rules about its code forbid
(reading the real clock, importing a test module)."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from pathlib import Path

__all__ = ["ROOT", "found_in_sources"]

ROOT = Path(__file__).resolve().parents[2]


def found_in_sources(
    find: Callable[[str], Iterable[object]], *folders: str, skip: Container[str] = ()
) -> list[str]:
    """``path:what`` for each thing ``find`` finds in the text of each Python file under the
    folders (named from the repository root, as the paths are); the files in ``skip`` are
    not read."""
    return sorted(
        {
            f"{name}:{what}"
            for folder in folders
            for path in sorted((ROOT / folder).rglob("*.py"))
            if (name := str(path.relative_to(ROOT))) not in skip
            for what in find(path.read_text(encoding="utf-8"))
        }
    )
