"""Helpers for lint tests: a throwaway project holding one spec and the files it needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from evalspec.diagnostics import Diagnostic
from evalspec.lint import LintReport, lint
from evalspec.lint.docstrings import DOC_TODAY, SPEC_NAME


def write_project(root: Path, spec: str, files: Mapping[str, str] | None = None) -> Path:
    """Write ``spec.eval`` and ``files`` under ``root`` (marked as a project); return the spec."""
    root.mkdir(parents=True, exist_ok=True)
    files = dict(files or {})
    files.setdefault("evalspec.toml", "")
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    spec_path = root / SPEC_NAME
    spec_path.write_text(spec, encoding="utf-8")
    return spec_path


def lint_project(
    root: Path,
    spec: str,
    files: Mapping[str, str] | None = None,
    *,
    select: Sequence[str] = ("ALL",),
    today: dt.date = DOC_TODAY,
) -> LintReport:
    """Lint one spec written into a fresh project, sequentially and without the cache."""
    path = write_project(root, spec, files)
    return lint([path], root=root, select=list(select), today=today, cache=False, jobs=1)


def found(report: LintReport, code: str) -> list[Diagnostic]:
    """The findings of one code."""
    return [d for d in report.diagnostics if d.code == code]
