"""The self-test during ``check``: find the traces a spec names, then test every code guard.

Example and counter ids are looked up in the suite's ``examples`` source (the reviewed sample),
else in its ``traces``; the source is streamed once and only the named traces are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from evalspec import ir
from evalspec.checks import CheckEnv, SelfTestResult, self_test
from evalspec.diagnostics import Diagnostic, error
from evalspec.errors import TraceError
from evalspec.run import codes
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


def self_test_diagnostics(spec: Spec, results: dict[str, list[SelfTestResult]]) -> list[Diagnostic]:
    """One diagnostic per failed self-test check, on the line that names the trace.

    ES603 when the named trace is not found; ES606 when a guard misses an example or fires on a
    counter (the ``self_test`` gate fails the mode; these say where).
    """
    out = []
    for tests in results.values():
        for test in tests:
            if test.ok:
                continue
            if test.guard is None:
                message = f"{test.mode}: {test.role} '{test.example}': {test.explanation}"
                out.append(error(codes.EXAMPLE_NOT_FOUND, message, spec.path, test.span))
                continue
            expect = "does not fire on" if test.role == "example" else "fires on"
            what = "the when clause" if test.guard == "when" else test.guard
            message = f"{test.mode}: {what} {expect} {test.role} '{test.example}'"
            hint = test.explanation
            out.append(error(codes.SELF_TEST_FAILED, message, spec.path, test.span, hint=hint))
    return out
