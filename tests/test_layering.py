"""Stages import only what they may: the language never reaches the runner or the network."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import evalspec

BANNED = {
    "lang": ("evalspec.run", "evalspec.judge", "evalspec.checks", "evalspec.traces", "httpx"),
    "checks": ("evalspec.lang", "evalspec.run", "evalspec.judge", "httpx"),
    "traces": ("evalspec.lang", "evalspec.run", "evalspec.checks", "evalspec.judge", "httpx"),
    "run": ("evalspec.lang",),
}


def imported(path: Path, package: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_layering() -> None:
    root = Path(evalspec.__file__).parent
    for layer, banned in BANNED.items():
        for path in (root / layer).rglob("*.py"):
            package = "evalspec." + ".".join(path.relative_to(root).parent.parts)
            for name in imported(path, package):
                hit = any(name == b or name.startswith(b + ".") for b in banned)
                assert not hit, f"{path.relative_to(root)} imports {name}"


def test_commands_that_do_not_judge_never_import_httpx(tmp_path: Path) -> None:
    spec = tmp_path / "a.eval"
    spec.write_text("mode m {\n  assert output is json\n}\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from evalspec.cli import main\n"
        "try:\n"
        f"    main(['fmt', '--check', {str(spec)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
        "assert 'evalspec.run' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
