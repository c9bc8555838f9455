"""The pre-commit hooks: their declaration, and their entries run as pre-commit would."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

HOOKS = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"
CLEAN = (
    'mode rambling {\n  assert len(output) <= 5\n  example {\n    output "a long answer"\n  }\n}\n'
)
UGLY = 'mode rambling {   assert len(output) <= 5\n example { output "a long answer" } }\n'
BROKEN = "mode rambling {\n  assert words(output) <=\n"


def load_hooks(text: str) -> list[dict[str, str]]:
    """Read the file's simple YAML: a list of mappings of scalars (no PyYAML needed)."""
    hooks: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )(\w+): (.+)", line)
        assert match, f"unexpected line: {line!r}"
        if match.group(1) == "- ":
            hooks.append({})
        value = match.group(3)
        if value[0] in "'\"":
            assert value[-1] == value[0]
            value = value[1:-1]  # single-quoted YAML: no escapes inside
        hooks[-1][match.group(2)] = value
    return hooks


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, str]]:
    return {hook["id"]: hook for hook in load_hooks(HOOKS.read_text(encoding="utf-8"))}


def test_declaration(hooks: dict[str, dict[str, str]]) -> None:
    assert set(hooks) == {"evalspec-lint", "evalspec-fmt"}
    lint, fmt = hooks["evalspec-lint"], hooks["evalspec-fmt"]
    assert lint["entry"] == "evalspec lint" and lint["require_serial"] == "true"
    assert fmt["entry"] == "evalspec fmt --check"
    for hook in (lint, fmt):
        assert hook["language"] == "python"
        assert hook["files"] == r"\.eval$"
        pattern = re.compile(hook["files"])
        assert pattern.search("specs/support.eval")
        assert not pattern.search("support.eval.ir.json") and not pattern.search("a.evaluate")


def run_entry(hook: dict[str, str], folder: Path, *files: str) -> int:
    """Run the hook's entry with the staged files appended, as pre-commit does."""
    command = shlex.split(hook["entry"])
    assert command[0] == "evalspec"
    argv = [sys.executable, "-m", "evalspec", *command[1:], *files]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    return done.returncode


@pytest.mark.parametrize(
    ("hook_id", "spec", "code"),
    [
        ("evalspec-lint", CLEAN, 0),
        ("evalspec-lint", 'mode rambling { why "x" }\n', 1),
        ("evalspec-lint", BROKEN, 1),
        ("evalspec-fmt", CLEAN, 0),
        ("evalspec-fmt", UGLY, 1),
        ("evalspec-fmt", BROKEN, 2),
    ],
)
def test_entries(
    hooks: dict[str, dict[str, str]], tmp_path: Path, hook_id: str, spec: str, code: int
) -> None:
    (tmp_path / "evalspec.toml").write_text("")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.eval").write_text(spec)
    (tmp_path / "specs" / "ok.eval").write_text(CLEAN)
    assert run_entry(hooks[hook_id], tmp_path, "specs/ok.eval", "specs/a.eval") == code
