"""A Markdown summary sized for ``$GITHUB_STEP_SUMMARY`` (GitHub shows nothing past 1 MiB)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TextIO

from evalspec.report.common import failed_gates, interval, location, ranked, shown_rate
from evalspec.run.results import Results, Verdict

#: Stay well under GitHub's 1 MiB step-summary limit.
MAX_BYTES = 900_000
_HEADLINE = {"pass": "passed", "fail": "**failed**", "incomplete": "**incomplete**"}


def report(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write the summary, truncated with a note if it would exceed :data:`MAX_BYTES`."""
    buffer = io.StringIO()
    _write(results, buffer)
    text = buffer.getvalue()
    if len(text.encode("utf-8")) > MAX_BYTES:
        cut = text.encode("utf-8")[:MAX_BYTES].decode("utf-8", "ignore")
        cut = cut[: cut.rfind("\n") + 1]
        if cut.count("<details>") > cut.count("</details>"):
            # Close the block cut open, or the note below is folded away inside it.
            cut += "\n</details>\n"
        text = cut + "\n_… truncated: the full report is in the JSON output._\n"
    out.write(text)


def _write(results: Results, out: TextIO) -> None:
    out.write(f"### evalspec check {_HEADLINE[results.outcome]} (exit {results.exit_code})\n\n")
    out.write(f"{results.traces.count} traces, {len(results.modes)} modes.\n\n")
    out.write(
        "| | mode | rate | 95% interval | fired / evaluated | gates |\n|---|---|---|---|---|---|\n"
    )
    for mode in ranked(results.modes):
        mark = ":x:" if failed_gates(mode) else ":white_check_mark:"
        gates = (
            ", ".join(f"{g.gate} {'ok' if g.passed else '**failed**'}" for g in mode.gates) or "-"
        )
        out.write(
            f"| {mark} | `{_cell(mode.mode)}` | {shown_rate(mode)} | {interval(mode)} | "
            f"{mode.fired} / {mode.evaluated}{_pending(mode.pending)} | {gates} |\n"
        )
    for mode in ranked(results.modes):
        if not (failed_gates(mode) or mode.failing):
            continue
        out.write(
            f"\n<details><summary><code>{_html(mode.mode)}</code> ({_html(location(mode))})"
            "</summary>\n\n"
        )
        for gate in failed_gates(mode):
            out.write(f"- **{gate.gate}**: {_cell(gate.message)}\n")
        for verdict in mode.failing:
            out.write(
                f"- `{_cell(verdict.trace_id)}` {verdict.guard} {verdict.outcome}: "
                f"{_cell(verdict.detail or '')}\n"
            )
        out.write("\n</details>\n")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pending(count: int) -> str:
    return f" ({count} pending)" if count else ""
