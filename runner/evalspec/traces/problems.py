"""Collect trace problems as diagnostics, counted per code, with bounded memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from evalspec.diagnostics import Diagnostic, Severity, Span
from evalspec.errors import TraceError
from evalspec.traces.codes import CODES


class ProblemLog:
    """Problems found while reading traces: the first ``keep`` diagnostics and every count.

    Reading reports into the log and carries on. In ``strict`` mode every problem is an error
    and :meth:`raise_if_strict` (called by the reader once all files are read) raises a
    :class:`~evalspec.errors.TraceError`, which the CLI turns into exit code 2.

    Example:
        >>> log = ProblemLog()
        >>> log.report("ES701", "not JSON", "a.jsonl", 3)
        >>> log.counts["ES701"], log.diagnostics[0].headline()
        (1, 'a.jsonl:3:1: error[ES701]: not JSON')
    """

    def __init__(self, *, strict: bool = False, keep: int = 1000) -> None:
        self.strict = strict
        self.keep = keep
        self.counts: Counter[str] = Counter()
        self.diagnostics: list[Diagnostic] = []
        self._paths: dict[str, int] = {}

    def report(
        self,
        code: str,
        message: str,
        path: str,
        line: int | None = None,
        *,
        column: int = 1,
        hint: str | None = None,
    ) -> None:
        """Record a problem at ``path:line:column`` (``line=None`` for a whole file)."""
        self.counts[code] += 1
        if len(self.diagnostics) >= self.keep:
            return
        self._paths.setdefault(path, len(self._paths))
        severity = Severity.ERROR if self.strict else CODES[code].severity
        span = Span.point(line, column) if line is not None else None
        diag = Diagnostic(
            code=code,
            severity=severity,
            message=message,
            path=path,
            span=span,
            hint=hint,
            name=CODES[code].name,
        )
        self.diagnostics.append(diag)

    def in_order(self) -> list[Diagnostic]:
        """Return the kept diagnostics by file (in reading order), then by line.

        Reports arrive slightly out of order because ids and outputs are checked per batch.
        """

        def key(diag: Diagnostic) -> tuple[int, int]:
            return self._paths.get(diag.path, 0), diag.span.line if diag.span else 0

        return sorted(self.diagnostics, key=key)

    @property
    def total(self) -> int:
        """Return the number of problems reported, including those not kept."""
        return sum(self.counts.values())

    def __len__(self) -> int:
        return self.total

    def summary(self) -> str:
        """Return a one-line summary such as ``3 problems: ES701 x2, ES703 x1``."""
        if not self.counts:
            return "no problems"
        parts = ", ".join(f"{code} x{n}" for code, n in sorted(self.counts.items()))
        noun = "problem" if self.total == 1 else "problems"
        return f"{self.total} {noun}: {parts}"

    def raise_for(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Raise :class:`TraceError` with ``diagnostics`` (gathered elsewhere) when strict.

        For callers that read in several processes and merge the problems afterwards.
        """
        if self.strict and diagnostics:
            raise TraceError(f"traces have {len(diagnostics)} problem(s) (--strict)", diagnostics)

    def raise_if_strict(self) -> None:
        """Raise :class:`TraceError` with the kept diagnostics when strict and not clean."""
        if self.strict and self.counts:
            raise TraceError(f"traces have {self.summary()} (--strict)", self.in_order())


class RecordContext:
    """Where the record being read is (file and line), so normalisers can report against it."""

    __slots__ = ("line", "log", "path")

    def __init__(self, log: ProblemLog, path: str, line: int | None) -> None:
        self.log = log
        self.path = path
        self.line = line

    def report(self, code: str, message: str, *, hint: str | None = None) -> None:
        """Report a problem at this record's position."""
        self.log.report(code, message, self.path, self.line, hint=hint)
