"""Output formats of ``evalspec lint``: one function per ``--output-format`` value.

Every formatter takes the :class:`~evalspec.lint.engine.LintReport` and returns the text to
print. ``full`` and ``concise`` are for people, ``json`` for scripts, ``github`` for workflow
annotations, ``sarif`` for code scanning, ``junit`` for test reporters.
"""

from __future__ import annotations

from collections.abc import Callable

from evalspec.lint.engine import LintReport
from evalspec.lint.formats.github import github
from evalspec.lint.formats.junit import junit
from evalspec.lint.formats.machine import json_format
from evalspec.lint.formats.sarif import sarif
from evalspec.lint.formats.text import concise, full, statistics

Formatter = Callable[[LintReport], str]

#: ``--output-format`` value -> formatter.
FORMATS: dict[str, Formatter] = {
    "full": full,
    "concise": concise,
    "json": json_format,
    "github": github,
    "sarif": sarif,
    "junit": junit,
}

__all__ = ["FORMATS", "Formatter", "statistics"]
