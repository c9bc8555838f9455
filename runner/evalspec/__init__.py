"""evalspec: executable failure-mode specs for AI products.

The façade re-exports the few functions most callers need (linting is ``evalspec.lint.lint``:
a function here would be shadowed by that subpackage); everything else lives in the stage
packages (``evalspec.lang``, ``evalspec.traces``, ``evalspec.checks``, ``evalspec.run``, ...).
Imports are deferred so that ``import evalspec`` stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evalspec._version import __version__

if TYPE_CHECKING:
    from evalspec.ir import EvalFile
    from evalspec.lang.ast import File
    from evalspec.run.results import Results

__all__ = ["__version__", "check", "compile", "fmt", "parse"]


def parse(text: str, path: str = "<string>") -> File:
    """Parse ``.eval`` text into its syntax tree; raises ``EvalSyntaxError`` with diagnostics."""
    from evalspec.lang.parser import parse as _parse

    return _parse(text, path)


def compile(spec: str | Path, root: str | Path | None = None) -> EvalFile:  # noqa: A001
    """Compile a ``.eval`` file (or load an IR JSON file) into IR; raises ``SpecError``."""
    from evalspec.lang.load import compile_path

    return compile_path(Path(spec), root=Path(root) if root is not None else None)


def fmt(text: str, path: str = "<string>") -> str:
    """Return ``.eval`` text in the canonical layout."""
    from evalspec.lang.fmt import format_text

    return format_text(text, path)


def check(
    spec: str | Path,
    traces: list[str] | None = None,
    root: str | Path | None = None,
    allow_exec: bool = False,
) -> Results:
    """Check a spec against its traces (or ``traces``, paths or globs) without a baseline.

    Returns the results document; ``results.exit_code`` is what ``evalspec check`` would return.
    """
    from evalspec.lang.load import compile_path
    from evalspec.lang.resolve import find_root
    from evalspec.run.check import CheckOptions, Spec, run_check

    path = Path(spec)
    project = Path(root) if root is not None else find_root(path.parent)
    doc = compile_path(path, root=project)
    options = CheckOptions(traces=traces or (), allow_exec=allow_exec)
    results, runs = run_check([Spec(doc, path.as_posix(), project.resolve())], options)
    for run in runs:
        if run.output.spool is not None:
            run.output.spool.close()
    return results
