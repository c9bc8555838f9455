"""The self-test during ``check``: find the traces a spec names, then test every code guard.

Example and counter ids are looked up in the suite's ``examples`` source (the reviewed sample),
else in its ``traces``; the source is streamed once and only the named traces are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from evalspec import ir
from evalspec.checks import CheckEnv, SelfTestResult, self_test
from evalspec.diagnostics import Diagnostic
from evalspec.errors import TraceError
from evalspec.traces import ProblemLog, Trace, read_traces

if TYPE_CHECKING:
    from evalspec.run.check import Spec


def named_ids(doc: ir.EvalFile) -> set[str]:
    """Every trace id named by an ``example`` or ``counter`` of the spec."""
    return {
        ref.id for mode in doc.modes for ref in (*mode.examples, *mode.counters)
        if isinstance(ref, ir.TraceRef)
    }  # fmt: skip


def find_traces(spec: Spec, ids: set[str], problems: list[Diagnostic]) -> dict[str, Trace]:
    """Stream the examples source once and keep the traces whose id is wanted."""
    suite = spec.doc.suite
    patterns: Sequence[str] = (suite.examples or suite.traces) if suite else []
    found: dict[str, Trace] = {}
    if not ids or not patterns:
        return found
    log = ProblemLog()
    try:
        for trace in read_traces(
            patterns, base_dir=spec.root, problems=log, format=suite.trace_format if suite else None
        ):
            if trace.id in ids and trace.id not in found:
                found[trace.id] = trace
    except TraceError as exc:  # no file yet: every named id is reported as not found
        problems.extend(exc.diagnostics)
    return found


def run_self_test(
    spec: Spec, env: CheckEnv, problems: list[Diagnostic]
) -> dict[str, list[SelfTestResult]]:
    """Self-test every mode; results by mode name."""
    traces = find_traces(spec, named_ids(spec.doc), problems)
    return {mode.name: self_test(mode, traces, env) for mode in spec.doc.modes}
