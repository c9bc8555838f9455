"""One diagnostic type for every stage: syntax, compile, lint, traces, judges and runs.

Positions follow one convention everywhere: 1-based line and column, end-exclusive (Lark's
``Token`` convention), counted in Unicode code points. A diagnostic renders as::

    support.eval:12:17: error[ES021]: unknown predicate 'containz'
       12 |   assert output containz "refund"
          |                 ^^^^^^^^ did you mean 'contains'?
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec


class Severity(str, enum.Enum):
    """How much a diagnostic matters; only ``error`` blocks."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Span(msgspec.Struct, frozen=True):
    """A source range: 1-based line and column, end-exclusive.

    ``end_line``/``end_column`` point just past the last character, so a one-character token at
    line 3, column 5 has ``end_column == 6``.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        """Return a one-character span at ``line:column``."""
        return cls(line, column, line, column + 1)


class Diagnostic(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A finding with a stable ``code`` (``ES021``), where it is, and what to do about it.

    ``path`` is the file as the user named it (relative where possible); ``span`` is absent for
    findings about a whole file; ``hint`` carries "did you mean ..." or a fix suggestion.
    """

    code: str
    severity: Severity
    message: str
    path: str
    span: Span | None = None
    hint: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by ``--output-format json`` and the text renderer."""
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data

    def location(self) -> str:
        """Return ``path:line:col`` (or just ``path`` for file-level findings)."""
        if self.span is None:
            return self.path
        return f"{self.path}:{self.span.line}:{self.span.column}"

    def headline(self) -> str:
        """Return the first line of the rendering: ``path:line:col: error[CODE]: message``."""
        return f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}"


def error(code: str, message: str, path: str, span: Span | None = None, **kw: Any) -> Diagnostic:
    """Build an error diagnostic; keyword arguments go to :class:`Diagnostic`."""
    return Diagnostic(
        code=code, severity=Severity.ERROR, message=message, path=path, span=span, **kw
    )


def render_text(diag: Diagnostic, source: str | None = None) -> str:
    """Render a diagnostic with the source line, a caret underline and the hint.

    ``source`` is the text of ``diag.path``; without it only the headline and hint are shown.
    Tabs in the source line are expanded so that the caret lines up.
    """
    lines = [diag.headline()]
    text_line = _source_line(source, diag.span.line) if diag.span else None
    if diag.span is None or text_line is None:
        if diag.hint:
            lines.append(f"  = hint: {diag.hint}")
        return "\n".join(lines)
    number = str(diag.span.line)
    gutter = " " * (len(number) + 1)
    shown, caret_start, caret_width = _underline(text_line, diag.span)
    lines.append(f" {number} | {shown}")
    underline = " " * caret_start + "^" * caret_width
    lines.append(f" {gutter}| {underline}" + (f" {diag.hint}" if diag.hint else ""))
    return "\n".join(lines)


def render_all(diags: Iterable[Diagnostic], sources: Mapping[str, str] | None = None) -> str:
    """Render several diagnostics, each followed by a blank line."""
    sources = sources or {}
    return "".join(render_text(d, sources.get(d.path)) + "\n\n" for d in diags)


def _source_line(source: str | None, line: int) -> str | None:
    if source is None:
        return None
    lines = source.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    if line == len(lines) + 1:
        return ""
    return None


def _underline(text: str, span: Span) -> tuple[str, int, int]:
    """Return the tab-expanded line, the caret's start column and its width (at least one)."""
    start = max(span.column - 1, 0)
    end = span.end_column - 1 if span.end_line == span.line else len(text)
    end = max(end, start + 1)
    shown = text.expandtabs(4)
    caret_start = len(text[:start].expandtabs(4))
    caret_width = max(len(text[:end].expandtabs(4)) - caret_start, 1)
    return shown, caret_start, caret_width
