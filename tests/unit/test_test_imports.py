"""No test module imports another: what tests and benchmarks share lives in tests/support (and
fixtures in conftest.py files), so a test module can change without breaking others."""

from __future__ import annotations

import ast

import pytest

from tests.support.sources import found_in_sources


def _is_shared(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] == ["tests", "support"] or "conftest" in parts


def _imported_test_modules(source: str) -> list[str]:
    """The modules under tests/ (bar tests/support and conftest.py files) the source imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from tests.x import test_y` imports from tests.x; `from tests import x`, tests.x.
            if node.module == "tests":
                found += [f"tests.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
    return sorted(
        {module for module in found if module.startswith("tests.") and not _is_shared(module)}
    )


def test_no_module_of_the_tests_or_benchmarks_imports_a_test_module() -> None:
    found = found_in_sources(_imported_test_modules, "tests", "bench")
    assert not found, (
        "move what test modules share into tests/support (or a conftest.py fixture) and "
        f"import it from there: {found}"
    )


@pytest.mark.parametrize(
    "source",
    [
        "from tests.x.test_y import z",
        "import tests.x.test_y",
        "from tests.x import test_y",
        "import tests.x.test_y as y",
        "from tests.unit import helpers",
        "from tests import unit",
    ],
)
def test_the_scan_finds_each_way_of_importing_a_test_module(source: str) -> None:
    assert _imported_test_modules(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from tests.support.factories import make_account",
        "from tests.support import factories",
        "import tests.support.servers",
        "from tests.conftest import TODAY",
        "from feedback.surveys import test_data",
        "from . import test_y",
    ],
)
def test_the_scan_leaves_the_shared_modules_and_others_alone(source: str) -> None:
    assert _imported_test_modules(source) == []
