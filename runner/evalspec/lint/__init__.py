"""``evalspec lint``: rules that show which failure modes are not yet guarded, and why.

Usage from Python::

    from evalspec.lint import lint
    report = lint([Path("examples/support/support.eval")])
    report.exit_code(), report.diagnostics

Pieces: :mod:`~evalspec.lint.base` (``Rule``, ``@rule``, ``RULES``, ``LintContext``),
:mod:`~evalspec.lint.rules` (the catalogue), :mod:`~evalspec.lint.noqa` (suppressions),
:mod:`~evalspec.lint.config` (selection), :mod:`~evalspec.lint.engine` (running),
:mod:`~evalspec.lint.formats` (output), :mod:`~evalspec.lint.docs` (the rules reference).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from evalspec.lint.base import RULES, LintContext, Rule, rule
from evalspec.lint.config import LintConfig, load_config
from evalspec.lint.engine import FileResult, Job, LintOptions, LintReport, lint_files
from evalspec.lint.sources import Project

__all__ = [
    "RULES",
    "FileResult",
    "LintConfig",
    "LintContext",
    "LintOptions",
    "LintReport",
    "Rule",
    "lint",
    "plan",
    "rule",
]


def plan(
    files: Sequence[Path],
    root: Path | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
) -> list[Job]:
    """Turn spec files into jobs: each file's project root, configuration and enabled rules.

    Raises:
        UsageError: an unknown selector, a broken configuration or lock file (exit code 2).
    """
    from evalspec.lang.resolve import find_root

    configs: dict[Path, LintConfig] = {}
    jobs = []
    for path in files:
        project = (root or find_root(path.parent)).resolve()
        if project not in configs:
            config = load_config(project).with_cli(select, ignore, extend_select, extend_ignore)
            config.validate()
            Project().lock(project)  # a broken lock file is a usage error before any work
            configs[project] = config
        jobs.append(Job(path, path.as_posix(), project, configs[project].enabled(path)))
    return jobs


def lint(
    files: Sequence[Path],
    *,
    root: Path | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
    today: dt.date | None = None,
    cache: bool = True,
    jobs: int | None = None,
) -> LintReport:
    """Lint spec files (not folders) and return the report; see :func:`plan` for errors."""
    work = plan(files, root, select, ignore, extend_select, extend_ignore)
    options = LintOptions(today=today or dt.date.today(), cache=cache)
    return lint_files(work, options, jobs)
