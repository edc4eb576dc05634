"""The CI dependency audit fails on a known vulnerability and skips only when nothing could be checked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("audit_deps", Path(__file__).parents[2] / "scripts" / "audit_deps.py")
assert spec and spec.loader
audit_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_deps)


def test_a_known_vulnerability_fails_the_audit():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
            {"name": "segno", "version": "1.6.6", "vulns": []},
        ]
    }
    code, lines = audit_deps.judge(report)
    assert code == 1
    assert "PYSEC-2025-1" in lines[0] and "5.2.1" in lines[0]


def test_an_unreachable_database_skips_and_says_so():
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}
    code, lines = audit_deps.judge(report)
    assert code == 0
    assert lines[0].startswith("SKIPPED")


def test_a_partial_audit_is_not_a_pass():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "segno", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    code, _ = audit_deps.judge(report)
    assert code == 1


def test_a_clean_audit_passes():
    code, lines = audit_deps.judge({"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]})
    assert code == 0
    assert "No known vulnerabilities" in lines[0]


def test_the_report_file_is_judged_by_the_command(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(
        '{"dependencies": [{"name": "x", "version": "1", "vulns": [{"id": "GHSA-1", "fix_versions": []}]}]}'
    )
    assert audit_deps.main(["--report", str(report)]) == 1
