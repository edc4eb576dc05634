"""Dependency audit for CI: fail on any known vulnerability; skip, saying so, only when the database is out of reach.

pip-audit exits 0 when it could not look a package up at all, so its exit code alone cannot tell "clean" from
"not checked". This script reads its JSON report instead:

- any dependency with a known vulnerability -> exit 1, listing them;
- no dependency could be looked up (the vulnerability service is unreachable) -> exit 0 with a loud SKIPPED line;
- some looked up, some not -> exit 1: a partial audit is not a pass;
- everything looked up and clean -> exit 0.

Usage: ``python scripts/audit_deps.py REQUIREMENTS.txt`` or ``python scripts/audit_deps.py --report REPORT.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# What pip-audit's errors say when the vulnerability service cannot be reached at all.
UNREACHABLE = ("ConnectionError", "Max retries exceeded", "Failed to establish", "NameResolutionError", "timed out")


def judge(report: dict[str, Any]) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    lines: list[str] = []
    if vulnerable:
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                lines.append(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {vuln.get('id')} (fixed in {fixes})")
        return 1, lines
    if deps and not audited:
        lines.append(
            f"SKIPPED: the vulnerability database could not be reached; none of {len(deps)} dependencies was checked."
        )
        return 0, lines
    if skipped:
        lines.append(f"FAILED: {len(skipped)} of {len(deps)} dependencies could not be checked:")
        lines += [f"  {d['name']}: {d['skip_reason']}" for d in skipped]
        return 1, lines
    lines.append(f"No known vulnerabilities in {len(audited)} dependencies.")
    return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="?")
    parser.add_argument("--report", help="judge an existing pip-audit JSON report instead of running pip-audit")
    args = parser.parse_args(argv)
    if args.report:
        report = json.loads(Path(args.report).read_text())
    elif args.requirements:
        pip_audit = Path(sys.executable).with_name("pip-audit")
        run = subprocess.run(
            [str(pip_audit), "-r", args.requirements, "--disable-pip", "--progress-spinner", "off", "-f", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            report = json.loads(run.stdout or "{}")
        except json.JSONDecodeError:
            report = {}
        if not report.get("dependencies") and run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            if any(sign in run.stderr for sign in UNREACHABLE):
                print("SKIPPED: the vulnerability database could not be reached; nothing was checked.")
                return 0
            print("FAILED: pip-audit failed before auditing anything.")
            return 1
    else:
        parser.error("give a requirements file or --report")
    code, lines = judge(report)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
