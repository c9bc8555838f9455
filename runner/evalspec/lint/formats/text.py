"""Human formats: ``full`` (source line and caret), ``concise`` (one line each), statistics."""

from __future__ import annotations

from collections import Counter

from evalspec.diagnostics import Diagnostic, Severity, render_text
from evalspec.lint.base import RULES
from evalspec.lint.engine import LintReport


def full(report: LintReport) -> str:
    """Each finding with its source line, a caret under the span and the hint; then a summary."""
    parts = [render_text(d, r.text) + "\n\n" for r in report.results for d in r.diagnostics]
    return "".join(parts) + summary(report) + "\n"


def concise(report: LintReport) -> str:
    """``path:line:col: ES101 [mode-without-guard] message``, one per line; then a summary."""
    lines = [concise_line(d) for d in report.diagnostics]
    return "".join(line + "\n" for line in lines) + summary(report) + "\n"


def concise_line(diag: Diagnostic) -> str:
    """One finding on one line."""
    name = f" [{diag.name}]" if diag.name else ""
    return f"{diag.location()}: {diag.code}{name} {diag.message}"


def summary(report: LintReport) -> str:
    """``Found 3 problems in 2 of 5 files (1 error, 2 warnings).`` or ``No problems ...``."""
    files = len(report.results)
    total = len(report.diagnostics)
    if not total:
        return f"No problems found in {_plural(files, 'file')}."
    counts = report.counts()
    kinds = ", ".join(_plural(counts[s], s.value) for s in Severity if counts.get(s))
    with_findings = sum(1 for r in report.results if r.diagnostics)
    return (f"Found {_plural(total, 'problem')} in {with_findings} of {_plural(files, 'file')} "
            f"({kinds}).")  # fmt: skip


def statistics(report: LintReport) -> str:
    """Findings per code, most frequent first: ``count  code  name``."""
    counts = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name or "" for d in report.diagnostics}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    lines = [f"{n:>{width}}  {code}  {names[code] or _rule_name(code)}" for code, n in rows]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _rule_name(code: str) -> str:
    return RULES[code].name if code in RULES else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
