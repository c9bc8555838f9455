"""The terminal report: modes ranked by rate with intervals, failing traces, gates, verdict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from evalspec.report.common import failed_gates, interval, location, ranked, shown_rate
from evalspec.run.results import ModeResult, Results, Verdict

_OUTCOME = {"pass": "PASSED", "fail": "FAILED", "incomplete": "INCOMPLETE"}


def report(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write the human-readable report."""
    traces = results.traces
    out.write(
        f"evalspec check: {len(results.specs)} spec(s), {traces.count} traces "
        f"from {len(traces.sources)} file(s)"
    )
    out.write(f", {traces.problems} trace problem(s)\n\n" if traces.problems else "\n\n")
    _table(ranked(results.modes), out)
    _failing(results.modes, out)
    _gates(results.modes, out)
    out.write(f"\n{_OUTCOME[results.outcome]} (exit {results.exit_code})\n")


def _table(modes: list[ModeResult], out: TextIO) -> None:
    pending = any(mode.pending for mode in modes)  # a column only when human guards wait
    header = ("", "mode", "rate", "95% interval", "fired/evaluated", "errors", "skipped")
    rows: list[tuple[str, ...]] = [header + (("pending",) if pending else ())]
    for mode in modes:
        mark = "x" if failed_gates(mode) else " "
        row = (mark, mode.mode, shown_rate(mode), interval(mode), f"{mode.fired}/{mode.evaluated}",
               str(mode.errors), str(mode.skipped))  # fmt: skip
        rows.append(row + ((str(mode.pending),) if pending else ()))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for line in rows:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")


def _failing(modes: list[ModeResult], out: TextIO) -> None:
    shown = [m for m in ranked(modes) if m.failing]
    if not shown:
        return
    out.write("\nFailing traces (first few per mode):\n")
    for mode in shown:
        out.write(f"  {mode.mode}  ({location(mode)})\n")
        for verdict in mode.failing:
            detail = f": {_one_line(verdict.detail)}" if verdict.detail else ""
            out.write(f"    {verdict.trace_id}  {verdict.guard} {verdict.outcome}{detail}\n")


def _gates(modes: list[ModeResult], out: TextIO) -> None:
    failed = [(m, g) for m in modes for g in failed_gates(m)]
    if not failed:
        return
    out.write("\nGates that failed:\n")
    for mode, gate in failed:
        out.write(f"  {location(mode)}: {mode.mode}: {gate.gate}: {gate.message}\n")


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
