"""The layers hold: core imports no app, and each app imports only core and the apps below it.

Every import counts, a function-level one included (they are read with ``ast``, not at import time), so a cycle
cannot hide inside a function body. ``docs/architecture.md`` draws the same table.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "fengqiao"

# What each app may import besides itself, taken from the code as it stands: core at the bottom, then accounts,
# grids, the base data (people) and the three case apps side by side (none of them imports another), metrics over
# the cases, the dashboard over metrics, the API that mounts every app's routes, and the demo generator.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "accounts": {"core"},
    "grids": {"core", "accounts"},
    "people": {"core", "accounts", "grids"},
    "events": {"core", "accounts", "grids"},
    "disputes": {"core", "accounts", "grids"},
    "dispatch": {"core", "accounts", "grids"},
    "petitions": {"core", "accounts", "grids"},
    "participation": {"core", "accounts", "grids"},
    "deliberation": {"core", "accounts", "grids", "people", "participation"},
    "metrics": {"core", "accounts", "grids", "people", "events", "disputes", "dispatch", "participation"},
    "dashboard": {"core", "accounts", "grids", "people", "events", "disputes", "dispatch", "metrics"},
    "api": {"core", "accounts", "grids", "people", "events", "disputes", "dispatch", "metrics", "dashboard"},
    "demo": {
        "core",
        "accounts",
        "grids",
        "people",
        "events",
        "disputes",
        "dispatch",
        "metrics",
        "dashboard",
        "petitions",
        "participation",
        "deliberation",
    },
}
APPS = set(ALLOWED)

# (importing file relative to src/fengqiao, imported app): upward imports accepted for now, each with its reason.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, as absolute dotted names with their line numbers."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import: resolve it against this file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # ``from fengqiao import events`` names the app in the imported names, not in the module.
            if module == "fengqiao":
                found += [(node.lineno, f"fengqiao.{alias.name}") for alias in node.names]
    return found


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "fengqiao" and parts[1] in APPS else None


def _violations(app: str) -> list[str]:
    problems = []
    for path in sorted((PACKAGE / app).rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for line, module in _imported_modules(path):
            target = _app_of(module)
            if target is None or target == app or target in ALLOWED[app]:
                continue
            if (relative, target) in KNOWN_EXCEPTIONS:
                continue
            problems.append(f"src/fengqiao/{relative}:{line} imports {module} ({app} may not import {target})")
    return problems


def test_core_imports_no_app():
    assert _violations("core") == []


@pytest.mark.parametrize("app", sorted(APPS - {"core"}))
def test_each_app_imports_only_core_and_the_apps_below_it(app):
    assert _violations(app) == []


def test_every_app_package_is_in_the_table():
    packages = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    assert packages == APPS, "add the new app to ALLOWED (and to docs/architecture.md)"


def test_the_table_has_no_cycle():
    for app, below in ALLOWED.items():
        for other in below:
            assert app not in ALLOWED[other], f"{app} and {other} may import each other"


def test_the_walk_sees_a_function_level_import(tmp_path, monkeypatch):
    module = tmp_path / "fengqiao" / "core" / "sneaky.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from fengqiao.events.models import Event\n    return Event\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "fengqiao")
    assert _violations("core") == [
        "src/fengqiao/core/sneaky.py:2 imports fengqiao.events.models (core may not import events)"
    ]
