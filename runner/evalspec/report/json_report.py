"""The machine-readable reports: one JSON document, or JSON lines for streaming consumers.

``json`` is :class:`~evalspec.run.results.Results` (``evalspec schema results``) with every
verdict; the verdicts are streamed into the document, never held in memory together.
``ndjson`` writes one record per line: ``{"kind": "verdict", ...}`` for each (trace, mode,
guard), then ``{"kind": "mode", ...}`` per mode and a final ``{"kind": "summary", ...}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

import msgspec

from evalspec.run.results import Results, Verdict

_ENCODER = msgspec.json.Encoder()


def report(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write the results document with every verdict."""
    head = _ENCODER.encode(msgspec.structs.replace(results, verdicts=[])).decode()
    assert head.endswith('"verdicts":[]}')
    out.write(head[: -len("[]}")] + "[")
    for index, verdict in enumerate(verdicts):
        out.write(("," if index else "") + "\n" + _ENCODER.encode(verdict).decode())
    out.write("\n]}\n")


def report_lines(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write verdicts, then per-mode counts, then the summary, one JSON object per line."""
    for verdict in verdicts:
        out.write(_line({"kind": "verdict", **msgspec.to_builtins(verdict)}))
    for mode in results.modes:
        out.write(_line({
            "kind": "mode", "spec": mode.spec, "mode": mode.mode, "traces": mode.traces,
            "skipped": mode.skipped, "evaluated": mode.evaluated, "fired": mode.fired,
            "errors": mode.errors, "pending": mode.pending, "rate": mode.rate,
            "gates": {g.gate: g.passed for g in mode.gates},
        }))  # fmt: skip
    out.write(
        _line(
            {
                "kind": "summary",
                "outcome": results.outcome,
                "exit_code": results.exit_code,
                "traces": results.traces.count,
            }
        )
    )


def _line(record: dict[str, object]) -> str:
    return _ENCODER.encode(record).decode() + "\n"
