"""``--output-format github``: GitHub Actions workflow commands that annotate the diff.

GitHub shows at most 10 warning and 10 error annotations per step; the rest are printed as
plain lines, followed by a notice saying how many were not annotated. Data and property values
are escaped as the Actions toolkit does, so commas, colons and newlines cannot break a command.
"""

from __future__ import annotations

from evalspec.diagnostics import Diagnostic, Severity
from evalspec.lint.engine import LintReport
from evalspec.lint.formats.text import concise_line

#: Annotations GitHub displays per level and step.
LIMIT = 10
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diag: Diagnostic) -> str:
    """One ``::warning file=...,line=...::message`` command."""
    props = [("file", diag.path)]
    span = diag.span
    if span is not None:
        props += [("line", str(span.line)), ("endLine", str(span.end_line))]
        if span.line == span.end_line:  # columns only make sense on one line
            props += [("col", str(span.column)), ("endColumn", str(span.end_column))]
    props.append(("title", f"{diag.code} {diag.name}" if diag.name else diag.code))
    text = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    message = diag.message + (f"\n{diag.hint}" if diag.hint else "")
    return f"::{_LEVELS[diag.severity]} {text}::{escape_data(message)}"


def github(report: LintReport) -> str:
    """Annotations for the first findings of each level, plain lines for the rest."""
    shown: dict[str, int] = {}
    lines, hidden = [], 0
    for diag in report.diagnostics:
        level = _LEVELS[diag.severity]
        shown[level] = shown.get(level, 0) + 1
        if shown[level] <= LIMIT:
            lines.append(annotation(diag))
        else:
            lines.append(concise_line(diag))
            hidden += 1
    if hidden:
        lines.append(f"::notice title=evalspec lint::{hidden} more findings are not annotated "
                     f"(GitHub shows {LIMIT} per level); they are listed above")  # fmt: skip
    return "".join(line + "\n" for line in lines)
