"""The layers of STYLE.md, read from the code's imports: which app may know which.

Every `import` and `from ... import` counts, at module level or inside a
function (an import moved into a function to dodge a cycle is still a
dependency). Test code (`tests/` folders, `testing.py` modules) and
migrations are left out: tests may build whatever they need.

    centrala      the project shell: knows every app, nobody imports it
    simulator     fakes a PBX; only the shell picks it
    conferences, callback, recordings   plug into pbx
    pbx           the PBX core
    billing       money: services, tariffs, the ledger, rating
    panel         the tenant root: customers, users, tenancy; knows no domain app

A rule that does not hold (a new one, while code moves) may be marked
`xfail(strict=True)` with what is left: the day it holds, the marker has to go.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("centrala", "panel", "pbx", "billing", "recordings", "conferences", "callback", "simulator")
DOMAIN_APPS = ("pbx", "billing", "recordings", "conferences", "callback", "simulator")
PURE_ENGINES = ("pbx/routing", "billing/rating.py")
NOT_IN_ENGINES = ("django", "rest_framework", "django_rq", "rq")


def is_test_code(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or "migrations" in parts or path.name in ("testing.py", "conftest.py")


def source_files(where: str) -> Iterator[Path]:
    base = ROOT / where
    files = [base] if base.suffix == ".py" else sorted(base.rglob("*.py"))
    for path in files:
        if path.is_file() and not is_test_code(path):
            yield path


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, *, module: str | None = None) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, relative imports resolved."""
    package = (module or module_of(path)).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            yield node.lineno, module
            for alias in node.names:  # `from pbx import commands` imports pbx.commands
                yield node.lineno, f"{module}.{alias.name}"


def app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


def violations(where: str, forbidden: tuple[str, ...]) -> list[str]:
    """Imports in `where` of any module under the names in `forbidden` (packages or modules)."""
    found = []
    for path in source_files(where):
        for line, module in imported_modules(path):
            if any(module == name or module.startswith(f"{name}.") for name in forbidden):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return sorted(set(found))


def app_graph() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> where, for every import across apps."""
    edges: dict[tuple[str, str], list[str]] = {}
    for app in APPS:
        for path in source_files(app):
            for line, module in imported_modules(path):
                target = app_of(module)
                if target and target != app:
                    edges.setdefault((app, target), []).append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return edges


def test_the_reader_sees_imports_inside_functions_and_relative_ones(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from . import engine\n\n\ndef late():\n    from billing.selectors import service_active\n")
    found = set(imported_modules(probe, module="pbx.routing.probe"))
    assert {(1, "pbx.routing.engine"), (5, "billing.selectors")} <= found


def test_panel_imports_no_domain_app():
    assert violations("panel", DOMAIN_APPS + ("centrala",)) == []


def test_pbx_imports_no_conferences_callback_recordings_or_simulator():
    assert violations("pbx", ("conferences", "callback", "recordings", "simulator")) == []


def test_only_the_project_shell_imports_the_simulator():
    for app in APPS:
        if app not in ("centrala", "simulator"):
            assert violations(app, ("simulator",)) == [], app


def test_no_app_imports_the_project_shell():
    for app in APPS:
        if app != "centrala":
            assert violations(app, ("centrala",)) == [], app


def test_the_pure_engines_import_no_django_models_selectors_or_services():
    found = []
    for where in PURE_ENGINES:
        for path in source_files(where):
            for line, module in imported_modules(path):
                parts = module.split(".")
                if parts[0] in NOT_IN_ENGINES or {"models", "selectors", "services", "jobs"} & set(parts):
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert found == []


def test_the_ftp_server_never_imports_billing():
    assert violations("recordings/ftp", ("billing",)) == []


def test_no_cycle_between_apps():
    edges = app_graph()
    cycles = {f"{a} <-> {b}: {edges[(a, b)][0]}; {edges[(b, a)][0]}" for (a, b) in edges if (b, a) in edges and a < b}
    assert sorted(cycles) == []
