"""The self-test during ``check``: find the traces a spec names, then test every code guard.

Example and counter ids are looked up in the suite's ``examples`` source (the reviewed sample),
else in its ``traces``; the source is streamed until every named trace is found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalspec import ir
from evalspec.checks import CheckEnv, SelfTestResult, self_test
from evalspec.diagnostics import Diagnostic, error
from evalspec.errors import TraceError
from evalspec.run import codes
from evalspec.traces import Trace, find_traces

if TYPE_CHECKING:
    from evalspec.run.check import Spec


def named_traces(spec: Spec, problems: list[Diagnostic]) -> dict[str, Trace]:
    """The traces the spec's examples and counters name, from its example source."""
    suite = spec.doc.suite
    if suite is None or not suite.example_source:
        return {}
    ids = ir.named_trace_ids(spec.doc)
    try:
        return find_traces(
            suite.example_source, ids, base_dir=spec.root, format=suite.trace_format
        )[0]
    except TraceError as exc:  # no file yet: every named id is reported as not found
        problems.extend(exc.diagnostics)
        return {}


def run_self_test(
    spec: Spec, env: CheckEnv, problems: list[Diagnostic]
) -> dict[str, list[SelfTestResult]]:
    """Self-test every mode; results by mode name."""
    traces = named_traces(spec, problems)
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
