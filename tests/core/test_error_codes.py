"""Error codes are a public contract: every domain error carries a member of an app's ErrorCode enum, never a
string typed at the raise, each value means one thing, and docs/error-codes.md lists them all as the code has them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "fengqiao"
DOC = Path(__file__).resolve().parents[2] / "docs" / "error-codes.md"


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _domain_error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of DomainError and every class that derives from it anywhere in the package (by name, to a fixpoint)."""
    names = {"DomainError"}
    classes = [node for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for cls in classes:
            bases = {_name(b) for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grown = True
    return names


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _called_name(call: ast.Call) -> str:
    return _name(call.func)


def _plain_string_codes() -> list[str]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for path in _sources()}
    errors = _domain_error_classes(trees)
    found: list[str] = []
    for path, tree in trees.items():
        where = path.relative_to(PACKAGE.parent)
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in errors):
            # Inside an error class: a string default for ``code`` or a super().__init__(…, code="…") counts too.
            for node in ast.walk(cls):
                if isinstance(node, ast.arguments):
                    for arg, default in zip(node.kwonlyargs, node.kw_defaults, strict=True):
                        if arg.arg == "code" and isinstance(default, ast.Constant) and isinstance(default.value, str):
                            found.append(f"{where}:{default.lineno} default code={default.value!r}")
                if isinstance(node, ast.Call) and _called_name(node) == "__init__":
                    for kw in node.keywords:
                        if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                            found.append(f"{where}:{node.lineno} super().__init__(code={kw.value.value!r})")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in errors:
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        found.append(f"{where}:{node.lineno} {_called_name(node)}(code={kw.value.value!r})")
    return found


def test_no_domain_error_is_raised_with_a_plain_string_code():
    assert _plain_string_codes() == []


def test_the_scan_finds_a_plain_string_code(tmp_path, monkeypatch):
    # The scan itself must catch the mistake it is there for, in a subclass declared in another module.
    sample = tmp_path / "fengqiao"
    sample.mkdir()
    (sample / "a.py").write_text("class MyError(DomainError):\n    pass\n", encoding="utf-8")
    (sample / "b.py").write_text("def f():\n    raise MyError('x', code='typo')\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", sample)
    assert _plain_string_codes() == ["fengqiao/b.py:2 MyError(code='typo')"]


def test_a_code_that_is_not_an_error_code_member_is_refused():
    from fengqiao.core.errors import DomainError, WorkflowError

    with pytest.raises(TypeError):
        DomainError("x", code="invalid")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        WorkflowError("x", code="not_permitted")  # type: ignore[arg-type]


def test_a_code_keeps_its_public_string():
    import json

    from fengqiao.core.errors import CoreErrorCode, DomainError, OutsideJurisdiction

    assert DomainError("x").code == "invalid"
    assert OutsideJurisdiction().code == "outside_jurisdiction"
    assert json.dumps({"code": CoreErrorCode.RATE_LIMITED}) == '{"code": "rate_limited"}'
    assert f"{CoreErrorCode.STALE}" == "stale"


def test_every_code_value_belongs_to_one_enum_and_has_a_meaning():
    from fengqiao.core import errors

    seen: dict[str, str] = {}
    rows = errors.catalogue()
    assert {app for app, _code in rows} >= {"core", "accounts", "grids", "events", "disputes", "dispatch"}
    for app, code in rows:
        # A code two apps need with the same meaning (bad_phone, top_tier…) lives once, in core.
        assert code.value not in seen, f"{code.value!r} is declared in both {seen[code.value]} and {app}"
        seen[code.value] = app
        assert code.meaning and code.meaning.endswith("."), f"{app}.{code.value} needs a one-line meaning"
        assert "\n" not in code.meaning


def test_the_error_code_document_is_what_the_generator_prints():
    from fengqiao.core import errors

    assert DOC.read_text(encoding="utf-8") == errors.render_catalogue(), (
        "docs/error-codes.md is out of date: run `fengqiao error_codes > docs/error-codes.md` and review the change"
    )


def test_the_command_prints_the_document(capsys):
    from django.core.management import call_command

    call_command("error_codes")
    assert capsys.readouterr().out == DOC.read_text(encoding="utf-8")
