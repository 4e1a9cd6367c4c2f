"""ARCHITECTURE.md's direction of dependencies, read from the imports of every module (ast)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "feedback"
FRAMEWORKS = ("litestar", "piccolo")
PURE_FILE_NAMES = {"states.py", "levels.py", "waves.py", "features.py", "csvfiles.py",
                   "labels.py", "training.py", "simulator.py", "loop.py",
                   "quadrant.py", "schedule.py"}  # fmt: skip
PURE_MODULES = {"feedback.accounts.tiers", "feedback.accounts.roles", "feedback.config",
                "feedback.errors", "feedback.clock", "feedback.web.charts",
                "feedback.scoring.records", "feedback.scoring.bands",
                "feedback.scoring.reasons", "feedback.scoring.reason_codes"}  # fmt: skip
# Every top-level module and package of feedback has a rank: the kernel below every domain,
# the domains, and the site on top. Inside a rank the units are in order too, and a unit may
# import only the units before it: no import points up, and no two units import each other.
KERNEL = ("feedback", "errors", "progress", "addresses", "languages", "clock", "config", "db",
          "piccolo_conf", "runtime", "links", "web", "mail")  # fmt: skip
# Surveys come after complaints: closing the loop opens a complaint from an answer, and a
# wave leaves out accounts with one open; a complaint knows its survey answer only by id.
DOMAINS = ("accounts", "complaints", "surveys", "scoring", "reports")
SITE = ("site", "demo", "jobs", "app", "cli")
ORDER = (*KERNEL, *DOMAINS, *SITE)
RANK = {**dict.fromkeys(KERNEL, "kernel"), **dict.fromkeys(DOMAINS, "domain"),
        **dict.fromkeys(SITE, "site")}  # fmt: skip


@dataclass(frozen=True)
class Import:
    """One imported module, where it is imported."""

    importer: str
    target: str
    path: Path
    line: int

    def __str__(self) -> str:
        where = f"{self.path.relative_to(SRC.parent)}:{self.line}"
        return f"{where}: {self.importer} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(path: Path, source: str, known: set[str]) -> Iterator[Import]:
    """Every module a file imports, at any depth (also inside functions and TYPE_CHECKING).

    ``from package import name`` counts as importing ``package.name`` when that is a module.
    """
    importer = module_name(path)
    package = importer if _is_package(path) else importer.rpartition(".")[0]
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(importer, alias.name, path, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield Import(importer, base, path, node.lineno)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    yield Import(importer, f"{base}.{alias.name}", path, node.lineno)


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def all_imports(files: dict[Path, str]) -> list[Import]:
    known = {module_name(path) for path in files}
    return [found for path, source in files.items() for found in imports_of(path, source, known)]


def _top(target: str) -> str:
    return target.split(".")[0]


def unit_of(module: str) -> str:
    """The top-level module or package of feedback a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _is_pure(module: str) -> bool:
    return module in PURE_MODULES or f"{module.rpartition('.')[2]}.py" in PURE_FILE_NAMES


def _is_tables(module: str) -> bool:
    return module.endswith(".tables")


def _in_migrations(module: str) -> bool:
    return ".piccolo_migrations" in module


def pure_module_violations(found: list[Import]) -> list[str]:
    """Pure rule modules import no framework, directly or through other feedback modules."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.importer, set()).add(imp.target)
    problems = []
    for imp in found:
        if not _is_pure(imp.importer):
            continue
        if _top(imp.target) in FRAMEWORKS:
            problems.append(str(imp))
        elif _top(imp.target) == "feedback" and _reaches_framework(imp.target, graph):
            problems.append(f"{imp} (which reaches {'/'.join(FRAMEWORKS)})")
    return problems


def _reaches_framework(start: str, graph: dict[str, set[str]]) -> bool:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parents = [module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)]
        todo += parents  # importing a module runs its packages' __init__ first
        for target in graph.get(module, ()):
            if _top(target) in FRAMEWORKS:
                return True
            todo.append(target)
    return False


def controller_violations(found: list[Import]) -> list[str]:
    """Controllers call services: they import neither tables nor piccolo."""
    return [
        str(imp)
        for imp in found
        if imp.importer.rpartition(".")[2].endswith("controllers")
        and (_is_tables(imp.target) or _top(imp.target) == "piccolo")
    ]


def table_violations(found: list[Import]) -> list[str]:
    """A domain's tables are used inside that domain only (and by Piccolo's own wiring)."""
    problems = []
    for imp in found:
        if not (_is_tables(imp.target) and _top(imp.target) == "feedback"):
            continue
        owner = imp.target.rpartition(".")[0]
        allowed = (
            imp.importer == owner
            or imp.importer.startswith(owner + ".")
            or imp.importer.endswith(".piccolo_app")
            or _in_migrations(imp.importer)
            or _foreign_key_upstream(imp)
        )
        if not allowed:
            problems.append(str(imp))
    return problems


def _foreign_key_upstream(imp: Import) -> bool:
    """A domain's tables may point foreign keys at the tables of the domains before it."""
    source, target = unit_of(imp.importer), unit_of(imp.target)
    return (
        _is_tables(imp.importer)
        and RANK.get(source) == RANK.get(target) == "domain"
        and ORDER.index(target) < ORDER.index(source)
    )


def unranked_units(found: list[Import]) -> list[str]:
    """Top-level modules and packages that have no rank yet."""
    units = {unit_of(imp.importer) for imp in found}
    return sorted(f"feedback.{unit}" for unit in units - set(ORDER))


def rank_violations(found: list[Import]) -> list[str]:
    """Every import between units points down: to a lower rank, or earlier in the same one."""
    problems = []
    for imp in found:
        source, target = unit_of(imp.importer), unit_of(imp.target)
        if _top(imp.target) != "feedback" or source == target:
            continue
        if source in RANK and target in RANK and ORDER.index(target) > ORDER.index(source):
            where = f"{source}, {RANK[source]}, may not depend on {target}, {RANK[target]}"
            problems.append(f"{imp} ({where})")
    return problems


# A table named where SQL reads or writes it: FROM, JOIN, UPDATE, INTO, TABLE <name>.
SQL_TABLE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?')


def declared_tables(source: str) -> set[str]:
    """The ``tablename="..."`` of every table class in a tables.py."""
    return {
        keyword.value.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
        for keyword in node.keywords
        if keyword.arg == "tablename"
        and isinstance(keyword.value, ast.Constant)
        and isinstance(keyword.value.value, str)
    }


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None


def tables_by_owner(files: dict[Path, str]) -> dict[str, set[str]]:
    """Which package (accounts, surveys, mail, ...) declares which table names."""
    owners: dict[str, set[str]] = {}
    for path, source in files.items():
        owner = _package(module_name(path))
        if path.name == "tables.py" and owner is not None:
            owners.setdefault(owner, set()).update(declared_tables(source))
    return owners


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def string_literals(source: str) -> Iterator[tuple[int, str]]:
    """Every string literal but docstrings, f-strings whole (``{...}`` for each field)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{...}" for part in node.values
            )
            yield node.lineno, text
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            yield node.lineno, node.value


def foreign_table_sql_violations(files: dict[Path, str]) -> list[str]:
    """SQL in a package names only that package's tables; others' data comes from services."""
    owners = tables_by_owner(files)
    problems = []
    for path, source in files.items():
        module = module_name(path)
        package = _package(module)
        if package is None or _in_migrations(module):
            continue
        foreign = {
            table: owner for owner, names in owners.items() if owner != package for table in names
        }
        for line, text in string_literals(source):
            for table in SQL_TABLE.findall(text):
                if table in foreign:
                    where = f"{path.relative_to(SRC.parent)}:{line}"
                    problems.append(
                        f"{where}: {module} names {table} (a table of {foreign[table]}) in SQL"
                    )
    return problems


@pytest.fixture(scope="module")
def files() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in source_files()}


@pytest.fixture(scope="module")
def found() -> list[Import]:
    return all_imports({path: path.read_text(encoding="utf-8") for path in source_files()})


def test_the_walk_sees_the_whole_package(found: list[Import]) -> None:
    importers = {imp.importer for imp in found}
    assert {
        "feedback.app",
        "feedback.accounts.tiers",
        "feedback.accounts.controllers",
        "feedback.accounts.services",
        "feedback.web.access",
    } <= importers
    assert any(imp.target == "feedback.accounts.services" for imp in found)
    assert any(_is_pure(module) for module in importers)


def test_pure_rule_modules_import_no_framework(found: list[Import]) -> None:
    assert pure_module_violations(found) == []


def test_controllers_run_no_queries(found: list[Import]) -> None:
    assert controller_violations(found) == []


def test_tables_stay_inside_their_domain(found: list[Import]) -> None:
    assert table_violations(found) == []


def test_every_module_has_a_rank(found: list[Import]) -> None:
    assert unranked_units(found) == []


def test_every_import_points_down_the_ranks(found: list[Import]) -> None:
    assert rank_violations(found) == []


def test_sql_names_only_its_own_domains_tables(files: dict[Path, str]) -> None:
    owners = tables_by_owner(files)
    assert {"account", "contact", "staff_user"} <= owners["accounts"]
    assert {"wave", "invitation", "response"} <= owners["surveys"]
    assert foreign_table_sql_violations(files) == []


# The checks must be able to fail: each one against a module that breaks its rule.
BROKEN = {
    "feedback/accounts/tiers.py": "from piccolo.table import Table\n",
    "feedback/surveys/levels.py": "from feedback.db import transaction\n",
    "feedback/db.py": "import piccolo.engine\nfrom feedback import piccolo_conf\n",
    "feedback/piccolo_conf.py": "from feedback import db\n",
    "feedback/config.py": "from feedback.complaints.deadlines import SlaPolicy\n",
    "feedback/web/access.py": "from feedback.accounts import staff\n",
    "feedback/surveys/commands.py": "from feedback.cli import run_on_database\n",
    "feedback/reports/account.py": "from feedback.site import account_sections\n",
    "feedback/reporting.py": "from feedback.errors import NotFound\n",
    "feedback/complaints/controllers.py": "\n\nfrom feedback.complaints import tables\n",
    "feedback/scoring/controllers.py": "def f():\n    from piccolo.query import Select\n",
    "feedback/surveys/staff_controllers.py": "from feedback.surveys.tables import FollowUp\n",
    "feedback/reports/services.py": "from feedback.surveys.tables import Wave\n",
    "feedback/site/pages.py": "from ..accounts.tables import Account\n",
    "feedback/accounts/services.py": "from feedback.surveys import services\n",
    "feedback/complaints/alerts.py": "from ..surveys.services import open_waves\n",
    "feedback/complaints/services.py": "import feedback.scoring.features\n",
    "feedback/complaints/tables.py": "",
    "feedback/surveys/tables.py": "",
    "feedback/surveys/services.py": "",
    "feedback/scoring/features.py": "",
    "feedback/surveys/__init__.py": "",
    "feedback/complaints/__init__.py": "",
    "feedback/surveys/piccolo_app.py": "from feedback.surveys.tables import Wave\n",
    "feedback/complaints/piccolo_migrations/m1.py": "from ...accounts.tables import Account\n",
    "feedback/scoring/tables.py": "from feedback.complaints.tables import Ticket\n",
    "feedback/accounts/tables.py": "from feedback.surveys.tables import Wave\n",
    "feedback/demo/seed.py": "from feedback.accounts.tables import Account\n",
}


def test_each_check_reports_the_offending_import_with_file_and_line() -> None:
    found = all_imports({SRC / name: source for name, source in BROKEN.items()})
    assert pure_module_violations(found) == [
        "src/feedback/accounts/tiers.py:1: feedback.accounts.tiers imports piccolo.table",
        "src/feedback/surveys/levels.py:1: feedback.surveys.levels imports feedback.db "
        "(which reaches litestar/piccolo)",
    ]
    assert rank_violations(found) == [
        "src/feedback/db.py:2: feedback.db imports feedback.piccolo_conf "
        "(db, kernel, may not depend on piccolo_conf, kernel)",
        "src/feedback/config.py:1: feedback.config imports feedback.complaints.deadlines "
        "(config, kernel, may not depend on complaints, domain)",
        "src/feedback/web/access.py:1: feedback.web.access imports feedback.accounts "
        "(web, kernel, may not depend on accounts, domain)",
        "src/feedback/surveys/commands.py:1: feedback.surveys.commands imports feedback.cli "
        "(surveys, domain, may not depend on cli, site)",
        "src/feedback/reports/account.py:1: feedback.reports.account imports feedback.site "
        "(reports, domain, may not depend on site, site)",
        "src/feedback/accounts/services.py:1: feedback.accounts.services imports "
        "feedback.surveys (accounts, domain, may not depend on surveys, domain)",
        "src/feedback/accounts/services.py:1: feedback.accounts.services imports "
        "feedback.surveys.services (accounts, domain, may not depend on surveys, domain)",
        "src/feedback/complaints/alerts.py:1: feedback.complaints.alerts imports "
        "feedback.surveys.services (complaints, domain, may not depend on surveys, domain)",
        "src/feedback/complaints/services.py:1: feedback.complaints.services imports "
        "feedback.scoring.features (complaints, domain, may not depend on scoring, domain)",
        "src/feedback/accounts/tables.py:1: feedback.accounts.tables imports "
        "feedback.surveys.tables (accounts, domain, may not depend on surveys, domain)",
    ]
    assert unranked_units(found) == ["feedback.reporting"]
    assert controller_violations(found) == [
        "src/feedback/complaints/controllers.py:3: feedback.complaints.controllers imports "
        "feedback.complaints.tables",
        "src/feedback/scoring/controllers.py:2: feedback.scoring.controllers imports piccolo.query",
        "src/feedback/surveys/staff_controllers.py:1: feedback.surveys.staff_controllers imports "
        "feedback.surveys.tables",
    ]
    assert table_violations(found) == [
        "src/feedback/reports/services.py:1: feedback.reports.services imports "
        "feedback.surveys.tables",
        "src/feedback/site/pages.py:1: feedback.site.pages imports feedback.accounts.tables",
        "src/feedback/accounts/tables.py:1: feedback.accounts.tables imports "
        "feedback.surveys.tables",
        "src/feedback/demo/seed.py:1: feedback.demo.seed imports feedback.accounts.tables",
    ]


TABLES = {
    "feedback/accounts/tables.py": (
        "class Account(Table, tablename='account'): ...\n"
        'class StaffUser(Table, tablename="staff_user"): ...\n'
    ),
    "feedback/surveys/tables.py": "class Invitation(Table, tablename='invitation'): ...\n",
    "feedback/mail/tables.py": "class OutboxMessage(Table, tablename='outbox_message'): ...\n",
}
SQL_BROKEN = {
    **TABLES,
    "feedback/surveys/results.py": (
        '"""Results; they come FROM account managers."""\n'
        "JOINS = 'JOIN account a ON a.id = i.account LEFT JOIN staff_user s ON s.id = a.manager'\n"
        "OWN = 'SELECT account, level FROM invitation i WHERE i.account = {}'\n"
    ),
    "feedback/surveys/issuance.py": (
        "def f(alias):\n"
        "    '''Select FROM account: a docstring, not SQL.'''\n"
        "    return f'DELETE FROM {alias} WHERE id IN (SELECT id FROM \"account\")'\n"
    ),
    "feedback/accounts/services.py": "SQL = 'INSERT INTO outbox_message (id) VALUES (?)'\n",
    "feedback/mail/services.py": "SQL = 'UPDATE outbox_message SET sent_at = NULL'\n",
    "feedback/surveys/piccolo_migrations/m1.py": "SQL = 'ALTER TABLE account ADD x'\n",
}


def test_the_sql_check_reports_other_domains_tables_with_file_and_line() -> None:
    files = {SRC / name: source for name, source in SQL_BROKEN.items()}
    assert foreign_table_sql_violations(files) == [
        "src/feedback/surveys/results.py:2: feedback.surveys.results names account "
        "(a table of accounts) in SQL",
        "src/feedback/surveys/results.py:2: feedback.surveys.results names staff_user "
        "(a table of accounts) in SQL",
        "src/feedback/surveys/issuance.py:3: feedback.surveys.issuance names account "
        "(a table of accounts) in SQL",
        "src/feedback/accounts/services.py:1: feedback.accounts.services names outbox_message "
        "(a table of mail) in SQL",
    ]
