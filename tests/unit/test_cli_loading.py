"""The command line loads a domain's commands, and their libraries, only when they are named."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from click.testing import CliRunner
from feedback.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
assert result.exit_code == 0, result.output
print(" ".join(sorted(name for name in ("sklearn", "weasyprint") if name in sys.modules)))
"""


def loaded_by(*args: str) -> set[str]:
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, timeout=60
    )
    return set(run.stdout.split())


def test_import_and_waves_commands_load_neither_scikit_learn_nor_weasyprint() -> None:
    assert loaded_by("import", "--help") == set()
    assert loaded_by("waves", "--help") == set()


def test_the_commands_that_need_them_still_load_them() -> None:
    assert loaded_by("scoring", "--help") == {"sklearn"}
    assert "weasyprint" in loaded_by("reports", "--help")


def test_importing_the_command_line_loads_no_database_stack() -> None:
    # Renderer processes import the command line's module again as they start (it is the
    # server's main module): what it imports, every renderer holds in memory.
    probe = "import sys, feedback.cli; print(sorted(n for n in ('feedback.db', 'piccolo', "
    probe += "'numpy', 'litestar') if n in sys.modules))"
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.strip() == "[]"
