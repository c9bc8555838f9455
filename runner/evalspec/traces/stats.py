"""Counts over a set of trace files: traces per file and format, content, tokens, problems."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from evalspec.traces.codes import CODES
from evalspec.traces.problems import ProblemLog
from evalspec.traces.record import Trace


class FileStats(msgspec.Struct, kw_only=True):
    """One file: its path, format and number of traces."""

    path: str
    format: str
    traces: int = 0


class Stats(msgspec.Struct, kw_only=True):
    """Totals over all files; ``problems`` counts reports per code."""

    traces: int = 0
    files: list[FileStats] = []
    formats: dict[str, int] = {}
    messages: int = 0
    roles: dict[str, int] = {}
    tool_calls: int = 0
    tool_errors: int = 0
    annotations: int = 0
    without_output: int = 0
    sessions_seen: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: str = "0"
    latency_ms_min: int | None = None
    latency_ms_max: int | None = None
    latency_ms_mean: int | None = None
    problems: dict[str, int] = {}


class StatsBuilder:
    """Accumulates :class:`Stats` trace by trace in constant memory."""

    def __init__(self) -> None:
        self.stats = Stats()
        self._roles: Counter[str] = Counter()
        self._cost = Decimal(0)
        self._latency_sum = 0
        self._latency_count = 0

    def add_file(self, path: str, fmt: str) -> FileStats:
        """Register a file (before reading it, so files without traces are listed too)."""
        found = FileStats(path=path, format=fmt)
        self.stats.files.append(found)
        return found

    def add(self, trace: Trace, file: FileStats) -> None:
        """Count one trace of ``file``."""
        stats = self.stats
        stats.traces += 1
        file.traces += 1
        stats.messages += len(trace.messages)
        self._roles.update(message.role for message in trace.messages)
        stats.tool_calls += len(trace.tool_calls)
        stats.tool_errors += sum(1 for call in trace.tool_calls if call.error)
        stats.annotations += len(trace.annotations)
        stats.without_output += trace.output is None
        stats.sessions_seen += trace.session_id is not None
        if trace.usage is not None:
            stats.input_tokens += trace.usage.input_tokens or 0
            stats.output_tokens += trace.usage.output_tokens or 0
        self._add_cost(trace.cost)
        if trace.latency_ms is not None:
            self._add_latency(trace.latency_ms)

    def _add_cost(self, cost: str | None) -> None:
        if cost:
            try:
                self._cost += Decimal(cost)
            except InvalidOperation:
                pass

    def _add_latency(self, value: int) -> None:
        stats = self.stats
        stats.latency_ms_min = (
            value if stats.latency_ms_min is None else min(stats.latency_ms_min, value)
        )
        stats.latency_ms_max = (
            value if stats.latency_ms_max is None else max(stats.latency_ms_max, value)
        )
        self._latency_sum += value
        self._latency_count += 1

    def finish(self, problems: ProblemLog) -> Stats:
        """Return the totals, with the problem counts of ``problems``."""
        stats = self.stats
        formats: Counter[str] = Counter()
        for file in stats.files:
            formats[file.format] += file.traces
        stats.formats = dict(sorted(formats.items()))
        stats.roles = dict(sorted(self._roles.items()))
        stats.cost = format(self._cost, "f")
        if self._latency_count:
            stats.latency_ms_mean = self._latency_sum // self._latency_count
        stats.problems = dict(sorted(problems.counts.items()))
        return stats


def render_stats(stats: Stats) -> str:
    """Render stats as a few readable lines for a terminal."""
    formats = ", ".join(f"{name} {count:,}" for name, count in stats.formats.items())
    lines = [
        f"{stats.traces:,} traces in {len(stats.files):,} files ({formats or 'none'})",
        f"messages {stats.messages:,} ({_pairs(stats.roles)}); tool calls {stats.tool_calls:,} "
        f"({stats.tool_errors:,} with errors); annotations {stats.annotations:,}",
        f"without output {stats.without_output:,}; with a session id {stats.sessions_seen:,}",
        f"tokens in {stats.input_tokens:,} / out {stats.output_tokens:,}; cost {stats.cost}",
    ]
    if stats.latency_ms_mean is not None:
        lines.append(
            f"latency ms: min {stats.latency_ms_min:,}, mean {stats.latency_ms_mean:,}, "
            f"max {stats.latency_ms_max:,}"
        )
    problems = sum(stats.problems.values())
    detail = ", ".join(f"{code} {CODES[code].name} x{n}" for code, n in stats.problems.items())
    lines.append(f"problems {problems:,}" + (f": {detail}" if detail else ""))
    lines.append("files:")
    width = max((len(f.path) for f in stats.files), default=0)
    lines.extend(f"  {f.path:<{width}}  {f.format:<13} {f.traces:,}" for f in stats.files)
    return "\n".join(lines)


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in counts.items()) or "none"
