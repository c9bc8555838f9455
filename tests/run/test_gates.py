"""Gates: ``max_rate`` and the baseline's one-sided Fisher test, with alpha and tolerance."""

from __future__ import annotations

import pytest

from evalspec import ir
from evalspec.lang.load import compile_text
from evalspec.run.baseline import ModeBaseline
from evalspec.run.gates import baseline_gate, max_rate_gate
from evalspec.run.results import GateResult, ModeCounts


def mode(*lines: str) -> ir.Mode:
    body = "\n".join(f"  {line}" for line in (*lines, "assert output is json"))
    return compile_text(f"mode m {{\n{body}\n}}\n").modes[0]


def counts(fired: int, evaluated: int, skipped: int = 0) -> ModeCounts:
    return ModeCounts(
        traces=evaluated + skipped, skipped=skipped, fired=fired, passed=evaluated - fired
    )


def base(fired: int, evaluated: int) -> ModeBaseline:
    return ModeBaseline(evaluated=evaluated, fired=fired, rate=str(fired / evaluated))


def test_no_max_rate_no_gate() -> None:
    assert max_rate_gate(mode(), 0.9) is None


@pytest.mark.parametrize(
    ("rate", "passed", "message"),
    [
        (0.0, True, "rate 0% is within max_rate 2%"),
        (0.02, True, "rate 2% is within max_rate 2%"),  # at the limit is within it
        (2 / 100, True, "rate 2% is within max_rate 2%"),
        (3 / 100, False, "rate 3% is above max_rate 2%"),
        (1 / 49, False, "rate 2.041% is above max_rate 2%"),  # never "2% is above 2%"
        (0.0199, True, "rate 1.99% is within max_rate 2%"),
    ],
)
def test_max_rate(rate: float, passed: bool, message: str) -> None:
    assert max_rate_gate(mode("max_rate 2%"), rate) == GateResult(
        gate="max_rate", passed=passed, message=message, threshold="0.02"
    )


def test_max_rate_with_nothing_evaluated_passes_and_says_so() -> None:
    gate = max_rate_gate(mode("max_rate 2%"), None)
    assert gate == GateResult(
        gate="max_rate",
        passed=True,
        threshold="0.02",
        message="no trace evaluated: nothing to gate",
    )


def test_no_baseline_entry_no_gate() -> None:
    assert baseline_gate(mode(), counts(5, 10), None, "0.05", None) is None


def test_baseline_with_nothing_evaluated_passes() -> None:
    gate = baseline_gate(mode(), counts(0, 0, skipped=9), base(2, 100), "0.05", None)
    assert gate == GateResult(
        gate="baseline",
        passed=True,
        message="no trace evaluated",
        baseline_rate="0.02",
        baseline_n=100,
    )


def test_small_rise_is_not_a_regression() -> None:
    gate = baseline_gate(mode(), counts(3, 100), base(1, 100), "0.05", None)
    assert gate == GateResult(
        gate="baseline",
        passed=True,
        message="rate 3% (3/100) vs baseline 1% (1/100), one-sided p = 0.311",
        threshold="0.05",
        baseline_rate="0.01",
        baseline_n=100,
        p_value="0.310601",
    )


def test_significant_rise_is_a_regression() -> None:
    gate = baseline_gate(mode(), counts(10, 100), base(2, 100), "0.05", None)
    assert gate == GateResult(
        gate="baseline",
        passed=False,
        message="rate 10% (10/100) vs baseline 2% (2/100), one-sided p = 0.0165, alpha 5%",
        threshold="0.05",
        baseline_rate="0.02",
        baseline_n=100,
        p_value="0.01652",
    )


def test_alpha_decides() -> None:
    gate = baseline_gate(mode(), counts(10, 100), base(2, 100), "0.01", None)
    assert gate is not None and gate.passed and gate.threshold == "0.01"


def test_suite_tolerance_absorbs_a_significant_but_small_rise() -> None:
    within = baseline_gate(mode(), counts(10, 100), base(2, 100), "0.05", "0.1")
    assert within is not None and within.passed
    assert within.message == (
        "rate 10% (10/100) vs baseline 2% (2/100), one-sided p = 0.0165, tolerance 10%"
    )
    beyond = baseline_gate(mode(), counts(10, 100), base(2, 100), "0.05", "0.05")
    assert beyond is not None and not beyond.passed
    assert beyond.message.endswith("alpha 5%, tolerance 5%")


def test_mode_tolerance_overrides_the_suite() -> None:
    gate = baseline_gate(mode("tolerance 10%"), counts(10, 100), base(2, 100), "0.05", "0.01")
    assert gate is not None and gate.passed and gate.message.endswith("tolerance 10%")


def test_improvement_is_never_a_regression_and_its_p_value_is_one() -> None:
    gate = baseline_gate(mode(), counts(1, 2000), base(1000, 2000), "0.05", None)
    assert gate is not None and gate.passed
    assert gate.p_value == "1"
    assert gate.message == "rate 0.1% (1/2000) vs baseline 50% (1000/2000), one-sided p = 1"
