"""The self-test: every code guard must fire on its mode's examples and stay silent on counters.

A guard that misses its own examples does not encode its mode (DESIGN.md section 3). Judge and
human guards are not self-tested here. A ``when`` clause that is false on an example is a
failure too ("the when clause excludes its own example"); on a counter it means the mode does
not apply, which keeps the counter silent.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from evalspec import ir
from evalspec.checks.base import Check, CheckEnv, CheckError, Outcome, compile_check, evaluate
from evalspec.checks.examples import inline_trace
from evalspec.diagnostics import Span
from evalspec.traces.record import Trace


class SelfTestResult(msgspec.Struct, frozen=True, kw_only=True):
    """The self-test of one guard on one example or counter.

    ``guard`` is the guard's id (``assert-1``), ``"when"`` for the mode's ``when`` clause, or
    ``None`` when the trace itself could not be found or built. ``role`` is ``example`` (the
    guard must fire: outcome ``fail``) or ``counter`` (it must pass). ``ok`` says whether the
    expectation holds; ``explanation`` says why not, or what the guard reported. ``span`` is
    where the spec names the trace.
    """

    mode: str
    guard: str | None
    example: str
    role: str
    ok: bool
    outcome: Outcome | None
    explanation: str | None
    span: Span


def self_test(mode: ir.Mode, examples: Mapping[str, Trace], env: CheckEnv) -> list[SelfTestResult]:
    """Self-test the code guards of ``mode`` on its examples and counters.

    ``examples`` maps trace ids to traces for the examples named by id; inline examples come
    from the IR. Returns one result per (guard, trace), plus one for a failing ``when`` clause,
    plus one per trace that could not be found.
    """
    guards = [
        (g.id, compile_check(g.expr, env)) for g in mode.guards if isinstance(g, ir.AssertGuard)
    ]
    if not guards:
        return []
    when = compile_check(mode.when, env) if mode.when is not None else None
    results: list[SelfTestResult] = []
    for role, refs in (("example", mode.examples), ("counter", mode.counters)):
        for ref in refs:
            results += _check_trace(mode, role, ref, guards, when, examples)
    return results


def _check_trace(
    mode: ir.Mode,
    role: str,
    ref: ir.Example,
    guards: list[tuple[str, Check]],
    when: Check | None,
    examples: Mapping[str, Trace],
) -> list[SelfTestResult]:
    def result(
        guard: str | None, ok: bool, outcome: Outcome | None, text: str | None
    ) -> SelfTestResult:
        return SelfTestResult(
            mode=mode.name, guard=guard, example=trace_id, role=role, ok=ok, outcome=outcome,
            explanation=text, span=ref.span,
        )  # fmt: skip

    trace_id = ref.id if isinstance(ref, ir.TraceRef) else ref.trace.id
    try:
        trace = _resolve(ref, examples)
    except CheckError as exc:
        return [result(None, False, None, exc.reason)]
    trace_id = trace.id  # an inline example's own record id wins over the block's
    out: list[SelfTestResult] = []
    if when is not None:
        outcome, reason = evaluate(when, trace)
        if outcome is Outcome.FAIL and role == "counter":
            skipped = "the when clause excludes this counter"
            return [result(gid, True, Outcome.SKIP, skipped) for gid, _ in guards]
        if outcome is not Outcome.PASS:
            why = _WHEN[outcome] + (f": {reason}" if reason else "")
            out.append(result("when", False, outcome, why))
    for guard_id, check in guards:
        outcome, text = evaluate(check, trace)
        out.append(result(guard_id, *_judge(role, outcome, text)))
    return out


_WHEN = {
    Outcome.FAIL: "the when clause excludes its own example",
    Outcome.ERROR: "the when clause could not be evaluated",
}


def _judge(role: str, outcome: Outcome, text: str | None) -> tuple[bool, Outcome, str | None]:
    """Return (ok, outcome, explanation) for a guard's outcome on an example or a counter."""
    if outcome is Outcome.ERROR:
        return False, outcome, text
    if role == "example":
        if outcome is Outcome.FAIL:
            return True, outcome, text
        return False, outcome, "the guard does not fire on its own example"
    if outcome is Outcome.PASS:
        return True, outcome, None
    return False, outcome, f"the guard fires on its counter: {text}"


def _resolve(ref: ir.Example, examples: Mapping[str, Trace]) -> Trace:
    if isinstance(ref, ir.InlineRef):
        return inline_trace(ref.trace)
    trace = examples.get(ref.id)
    if trace is None:
        raise CheckError(f"trace {ref.id!r} is not among the suite's traces")
    return trace
