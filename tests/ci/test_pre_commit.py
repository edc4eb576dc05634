"""The pre-commit hooks run exactly what CI's lint stage runs (`make lint typecheck`), and fetch nothing.

Both files are parsed: the Makefile's recipes of the lint targets, with its variables expanded, and the hooks of
.pre-commit-config.yaml. A flag added on one side only, a hook dropped, or a hook pulled from a remote repository
fails here, so a commit that passes the hooks passes CI's lint stage and the reverse.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The Makefile targets that make up CI's lint stage (`make test` runs them before pytest).
LINT_TARGETS = ("lint", "typecheck")


def makefile_variables(text: str) -> dict[str, str]:
    return {m[1]: m[2].strip() for m in re.finditer(r"^([A-Z_]+)\s*[:?]?=\s*(.*)$", text, re.M)}


def makefile_recipe(text: str, target: str) -> tuple[list[str], list[str]]:
    """(prerequisites, recipe lines) of ``target``: the tab-indented lines under its rule, comments left out."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        rule = re.match(rf"^{re.escape(target)}\s*:(?!=)(.*)$", line)
        if rule:
            recipe = []
            for body in lines[i + 1 :]:
                if not body.startswith("\t"):
                    break
                command = body.strip().lstrip("@-").strip()
                if command and not command.startswith("#"):
                    recipe.append(command)
            return rule[1].split(), recipe
    raise AssertionError(f"no rule for {target!r} in the Makefile")


def expand(command: str, variables: dict[str, str]) -> str:
    for _ in range(5):  # variables may name other variables
        command = re.sub(r"\$[({]([A-Za-z_]+)[)}]", lambda m: variables.get(m[1], m[0]), command)
    return command


def makefile_lint_commands(text: str) -> list[list[str]]:
    variables = makefile_variables(text)
    return [
        shlex.split(expand(command, variables))
        for target in LINT_TARGETS
        for command in makefile_recipe(text, target)[1]
    ]


def hooks(config: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(repo, hook) for repo in config.get("repos", []) for hook in repo.get("hooks", [])]


def hook_commands(config: dict[str, Any]) -> list[list[str]]:
    return [shlex.split(hook["entry"]) for _repo, hook in hooks(config)]


def disagreements(makefile: str, config: dict[str, Any]) -> list[str]:
    """What one side runs and the other does not, in words; empty when they agree."""
    make = sorted(makefile_lint_commands(makefile))
    hook = sorted(hook_commands(config))
    problems = [f"only in the Makefile: {shlex.join(c)}" for c in make if c not in hook]
    problems += [f"only in the hooks: {shlex.join(c)}" for c in hook if c not in make]
    if not problems and make != hook:
        problems.append("a command is run a different number of times")
    return problems


def _makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


def _config() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_hooks_run_exactly_the_makefile_lint_commands():
    assert makefile_lint_commands(_makefile()), "the Makefile's lint targets run nothing"
    assert disagreements(_makefile(), _config()) == []


def test_a_flag_added_to_the_makefile_only_is_caught():
    drifted = _makefile().replace("ruff check src", "ruff check --select E src", 1)
    assert drifted != _makefile()
    assert disagreements(drifted, _config()) == [
        "only in the Makefile: .venv/bin/python -m ruff check --select E src tests bench scripts",
        "only in the hooks: .venv/bin/python -m ruff check src tests bench scripts",
    ]


def test_a_dropped_hook_is_caught():
    config = _config()
    config["repos"][0]["hooks"] = [h for h in config["repos"][0]["hooks"] if "mypy" not in h["entry"]]
    assert disagreements(_makefile(), config) == ["only in the Makefile: .venv/bin/python -m mypy"]


def test_every_hook_is_local_and_runs_the_whole_tree_as_ci_does():
    # A remote repository would be cloned from the network on first use; the platform is built on intranets.
    for repo, hook in hooks(_config()):
        assert repo["repo"] == "local", hook["id"]
        assert hook["language"] == "system", hook["id"]
        # File names appended to the command would check a different set than CI does.
        assert hook["pass_filenames"] is False, hook["id"]


def test_ci_runs_the_lint_targets():
    prerequisites, _recipe = makefile_recipe(_makefile(), "test")
    assert set(LINT_TARGETS) <= set(prerequisites)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
