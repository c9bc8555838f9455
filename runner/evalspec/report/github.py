r"""GitHub Actions workflow commands: an annotation on the ``.eval`` line of each failed gate.

GitHub shows at most 10 error and 10 warning annotations per step, so the first ones are
annotations and the full report goes to the step summary (``$GITHUB_STEP_SUMMARY``) when set.
Values are escaped as the Actions toolkit does: data ``% \\r \\n``; properties also ``: ,``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from evalspec.diagnostics import Severity
from evalspec.report import markdown
from evalspec.report.common import failed_gates, shown_rate
from evalspec.run.results import Results, Verdict

MAX_ANNOTATIONS = 10


def escape_data(text: str) -> str:
    """Escape a message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, file: str, line: int, end_line: int, title: str, message: str) -> str:
    """One workflow command line."""
    props = (
        f"file={escape_property(file)},line={line},endLine={end_line},"
        f"title={escape_property(title)}"
    )
    return f"::{level} {props}::{escape_data(message)}\n"


def report(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write annotations and a one-line verdict; append the step summary when available."""
    errors = warnings = 0
    for mode in results.modes:
        for gate in failed_gates(mode):
            if errors < MAX_ANNOTATIONS:
                title = f"evalspec: {mode.mode} ({gate.gate})"
                out.write(
                    annotation(
                        "error", mode.spec, mode.span.line, mode.span.line, title, f"{gate.message}"
                    )
                )
            errors += 1
        if mode.errors and warnings < MAX_ANNOTATIONS:
            out.write(
                annotation(
                    "warning",
                    mode.spec,
                    mode.span.line,
                    mode.span.line,
                    f"evalspec: {mode.mode}",
                    f"{mode.errors} trace(s) could not be evaluated; rate {shown_rate(mode)}",
                )
            )
            warnings += 1
    for diag in results.diagnostics:  # self-test misses on the example line, missing verdicts
        if diag.span is None or not diag.path.endswith(".eval"):
            continue
        level = "error" if diag.severity == Severity.ERROR else "warning"
        if (errors if level == "error" else warnings) >= MAX_ANNOTATIONS:
            continue
        out.write(
            annotation(
                level,
                diag.path,
                diag.span.line,
                diag.span.end_line,
                f"evalspec: {diag.code}",
                diag.message,
            )
        )
        errors, warnings = (errors + 1, warnings) if level == "error" else (errors, warnings + 1)
    if errors > MAX_ANNOTATIONS:
        out.write(
            f"::notice::{errors - MAX_ANNOTATIONS} more failed gate(s): see the step summary\n"
        )
    out.write(f"evalspec: {results.outcome} (exit {results.exit_code})\n")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            markdown.report(results, (), handle)
