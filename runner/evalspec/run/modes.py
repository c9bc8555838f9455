"""From a mode's counts to its :class:`ModeResult`: rate, interval, judge correction and gates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from evalspec import ir
from evalspec.checks import SelfTestResult
from evalspec.diagnostics import Diagnostic, Severity
from evalspec.run import codes
from evalspec.run.baseline import JudgeCalibration, SpecLock
from evalspec.run.gates import baseline_gate, max_rate_gate
from evalspec.run.results import GateResult, GuardSummary, JudgeRate, ModeCounts, ModeResult
from evalspec.run.stats import decimal_string, rate_of, wilson

if TYPE_CHECKING:
    from evalspec.run.check import Spec
    from evalspec.run.engines import RunOutput
    from evalspec.run.judging import JudgePhase

#: Bootstrap draws for a corrected judge rate in ``check`` (fewer than calibrate: it runs often).
CHECK_ITERATIONS = 2000


def mode_result(
    spec: Spec,
    mode: ir.Mode,
    output: RunOutput,
    tests: list[SelfTestResult],
    lock: SpecLock,
    judges: JudgePhase | None,
) -> ModeResult:
    """Summarise one mode and apply its gates."""
    counts = output.result.counts.get(mode.name) or ModeCounts()
    rate = rate_of(counts.fired, counts.evaluated)
    judge = _judge_rate(mode, lock, judges)
    gated = float(judge.corrected_rate) if judge is not None else rate
    suite = spec.doc.suite
    gates = [
        max_rate_gate(mode, gated),
        baseline_gate(
            mode,
            counts,
            lock.modes.get(mode.name),
            suite.alpha if suite else "0.05",
            suite.tolerance if suite else None,
        ),
    ]
    missing = judges.missing_by_mode.get(mode.name) if judges is not None else None
    if missing is not None:
        gates = [_not_applied(g, missing[0]) for g in gates]
    gates.append(_self_test_gate(tests))
    low, high = wilson(counts.fired, counts.evaluated)
    return ModeResult(
        spec=spec.path, mode=mode.name, title=mode.title, severity=mode.severity, span=mode.span,
        traces=counts.traces, skipped=counts.skipped, evaluated=counts.evaluated,
        fired=counts.fired, errors=counts.errors, pending=counts.pending,
        rate=decimal_string(rate) if rate is not None else None,
        interval=[decimal_string(low), decimal_string(high)] if counts.evaluated else None,
        judge=judge, gates=[g for g in gates if g is not None], guards=_guards(mode, counts),
        failing=output.result.samples.get(mode.name, []),
    )  # fmt: skip


def _guards(mode: ir.Mode, counts: ModeCounts) -> list[GuardSummary]:
    out = []
    for guard in mode.guards:
        c = counts.guards.get(guard.id)
        out.append(GuardSummary(
            id=guard.id, kind=ir.kind_of(guard), span=guard.span, passed=c.passed if c else 0,
            failed=c.failed if c else 0, errors=c.errors if c else 0, pending=c.pending if c else 0,
        ))  # fmt: skip
    return out


def _not_applied(gate: GateResult | None, missing: int) -> GateResult | None:
    """A rate gate over a mode whose judge verdicts are partly missing is not applied.

    The rate was measured on the traces the endpoint happened to answer, so it can be anything:
    a broken endpoint must never look like a regression (exit 1). The run exits 3 instead, and
    ES605 says which judge is missing verdicts.
    """
    if gate is None:
        return None
    message = f"not applied: {missing} judge verdict(s) missing ({gate.message})"
    return msgspec.structs.replace(gate, passed=True, message=message)


def _self_test_gate(tests: list[SelfTestResult]) -> GateResult | None:
    if not tests:
        return None
    failures = [t for t in tests if not t.ok]
    if not failures:
        return GateResult(
            gate="self_test",
            passed=True,
            message=f"every guard fires on its examples ({len(tests)} checks)",
        )
    first = failures[0]
    expect = "fire on" if first.role == "example" else "stay silent on"
    if first.guard is None or first.guard == "when":
        # The trace could not be found or built, or the when clause is at fault: no guard ran.
        # (This used to read "example does not fire on example 'x'".)
        what = f"{first.role} '{first.example}'"
    else:
        what = f"{first.guard} does not {expect} {first.role} '{first.example}'"
    message = f"{len(failures)} of {len(tests)} self-test checks failed; first: {what}" + (
        f" ({first.explanation})" if first.explanation else ""
    )
    return GateResult(gate="self_test", passed=False, message=message)


def _judge_rate(mode: ir.Mode, lock: SpecLock, judges: JudgePhase | None) -> JudgeRate | None:
    """Correct a judge-only mode's rate with the lock's calibration (Rogan–Gladen)."""
    guards = mode.guards
    if judges is None or len(guards) != 1 or not isinstance(guards[0], ir.JudgeGuard):
        return None
    key = f"{mode.name}/{guards[0].name}"
    calibration = lock.judges.get(key)
    verdicts = [v for v in judges.judged.get(key, []) if v in ("pass", "fail")]
    problem = judges.calibration_problem(key, calibration)
    if problem is not None:  # the raw rate is reported and gated, with a warning saying why
        message = f"judge '{guards[0].name}': rate not corrected: {problem}"
        judges.problems.append(Diagnostic(
            code=codes.JUDGE_NOT_CALIBRATED, severity=Severity.WARNING, message=message,
            path=judges.path, span=guards[0].span, hint="run: evalspec judge calibrate",
        ))  # fmt: skip
        return None
    if calibration is None or not verdicts:
        return None
    return _corrected(guards[0].id, calibration, verdicts)


def _corrected(guard: str, cal: JudgeCalibration, verdicts: list[str]) -> JudgeRate | None:
    from evalspec.judge.estimate import EstimateError, estimate

    labels = [1] * (cal.tp + cal.fn) + [0] * (cal.tn + cal.fp)
    preds = [1] * cal.tp + [0] * cal.fn + [0] * cal.tn + [1] * cal.fp
    unlabeled = [int(v == "pass") for v in verdicts]
    try:
        found = estimate(labels, preds, unlabeled, iterations=CHECK_ITERATIONS, seed=0)
    except EstimateError:
        return None  # a judge no better than chance: its rate cannot be corrected
    fail_rate = 1 - found.theta  # judgy estimates the pass rate; the mode's rate is its complement
    return JudgeRate(
        guard=guard,
        raw_rate=decimal_string(1 - found.p_obs),
        corrected_rate=decimal_string(fail_rate),
        interval=[decimal_string(1 - found.upper), decimal_string(1 - found.lower)],
        tpr=decimal_string(found.tpr),
        tnr=decimal_string(found.tnr),
    )
