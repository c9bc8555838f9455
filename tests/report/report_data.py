"""A small, fixed :class:`Results` for the report tests, and a builder for variations."""

from __future__ import annotations

from typing import Any

from evalspec.diagnostics import Span
from evalspec.run.results import (
    GateResult,
    GuardSummary,
    JudgeRate,
    ModeResult,
    Results,
    TraceSummary,
    Verdict,
)

SCRIPT = "<script>alert(1)</script>"


def gate(name: str, passed: bool, message: str, **extra: Any) -> GateResult:
    return GateResult(gate=name, passed=passed, message=message, **extra)


def verdict(trace_id: str, mode: str, guard: str, outcome: str, detail: str | None) -> Verdict:
    return Verdict(trace_id=trace_id, mode=mode, guard=guard, outcome=outcome, detail=detail)


def mode(name: str, line: int, **fields: Any) -> ModeResult:
    """A mode with every field defaulted to a quiet, passing mode of 10 traces."""
    values: dict[str, Any] = {
        "spec": "support.eval", "mode": name, "title": None, "severity": None,
        "span": Span(line, 1, line + 3, 2), "traces": 10, "skipped": 0, "evaluated": 10,
        "fired": 0, "errors": 0, "pending": 0, "rate": "0", "interval": ["0", "0.277533"],
        "judge": None, "gates": [], "failing": [],
        "guards": [GuardSummary(id="assert-1", kind="assert", span=Span(line + 1, 3, line + 1, 30),
                                passed=10, failed=0, errors=0, pending=0)],
    }  # fmt: skip
    values.update(fields)
    return ModeResult(**values)


def results(*modes: ModeResult, outcome: str = "fail", exit_code: int = 1) -> Results:
    return Results(
        results_version=1,
        evalspec_version="0.1.0",
        outcome=outcome,
        exit_code=exit_code,
        specs=["support.eval"],
        traces=TraceSummary(
            count=200,
            sources=["traces/a.jsonl", "traces/b.jsonl"],
            fingerprint="200:0000000000abcdef",
            problems=0,
        ),
        modes=list(modes),
        diagnostics=[],
        verdicts=[],
    )


def sample() -> Results:
    """Five modes: a regression, a quiet one, a corrected judge with errors, a human mode
    with nothing decided yet, and a failed self-test. Trace text carries markup and pipes."""
    return results(
        mode(
            "missing_refusal", 21, title="Answers out-of-scope requests", severity="high",
            traces=200, skipped=150, evaluated=50, fired=6, rate="0.12",
            interval=["0.05623", "0.237995"],
            gates=[
                gate("max_rate", False, "rate 12% is above max_rate 2%", threshold="0.02"),
                gate("baseline", False,
                     "rate 12% (6/50) vs baseline 0% (0/50), one-sided p = 0.0135, alpha 5%",
                     threshold="0.05", baseline_rate="0", baseline_n=50, p_value="0.013488"),
            ],
            failing=[
                verdict("tr_1", "missing_refusal", "assert-1", "fail",
                        'output does not match /refuse/: "Sue them | now"'),
                verdict(f"tr_{SCRIPT}", "missing_refusal", "assert-1", "fail", SCRIPT),
            ],
        ),
        mode(
            "rambling", 40, traces=200, evaluated=200, fired=3, rate="0.015",
            interval=["0.005119", "0.043152"],
            gates=[gate("baseline", True,
                        "rate 1.5% (3/200) vs baseline 1% (2/200), one-sided p = 0.5",
                        threshold="0.05", baseline_rate="0.01", baseline_n=200, p_value="0.5")],
            failing=[verdict("tr_9", "rambling", "assert-2", "fail",
                             "words(output) is 260,\nexpected <= 180")],
        ),
        mode(
            "wrong_tone", 60, title="Curt tone", traces=200, evaluated=198, fired=4, errors=2,
            rate="0.020202", interval=["0.007896", "0.050844"],
            judge=JudgeRate(guard="judge-tone", raw_rate="0.020202", corrected_rate="0.035",
                            interval=["0.01", "0.07"], tpr="0.9", tnr="0.8"),
            gates=[gate("max_rate", True, "rate 3.5% is within max_rate 5%", threshold="0.05")],
            failing=[verdict("tr_5", "wrong_tone", "judge-tone", "error",
                             "judge endpoint failed after 2 attempts: HTTP 500")],
        ),
        mode(
            "wrong_refund_amount", 70, traces=200, evaluated=0, pending=200, rate=None,
            interval=None,
        ),
        mode(
            "invalid_card", 80, fired=0, rate="0",
            gates=[gate("self_test", False, "1 of 2 self-test checks failed; first: assert-1 "
                        "does not fire on example 'tr_3' (the guard does not fire on its own "
                        "example)")],
        ),
    )  # fmt: skip
