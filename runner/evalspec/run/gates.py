"""Gates: turn a mode's counts into pass/fail decisions that a CI job can trust.

* ``max_rate``: the mode's rate (corrected, for a calibrated judge mode) must not exceed it.
* ``baseline``: the rate must not have risen above the baseline's **significantly**: a one-sided
  Fisher exact test at the suite's ``alpha`` (5% by default). With a ``tolerance`` (mode, else
  suite), the rise must also exceed the tolerance. A sample of 100 traces therefore does not flap
  the gate: 3 failures after 1 is not a regression (p = 0.31); 10 after 2 is (p = 0.017).
* ``self_test``: every guard fires on its mode's examples and stays silent on its counters.
"""

from __future__ import annotations

from decimal import Decimal

from evalspec import ir
from evalspec.run.baseline import ModeBaseline
from evalspec.run.results import GateResult, ModeCounts
from evalspec.run.stats import decimal_string, fisher_greater


def max_rate_gate(mode: ir.Mode, rate: float | None) -> GateResult | None:
    """Apply ``max_rate``; ``None`` when the mode has none."""
    if mode.max_rate is None:
        return None
    limit = float(Decimal(mode.max_rate))
    if rate is None:
        return GateResult(
            gate="max_rate",
            passed=True,
            threshold=mode.max_rate,
            message="no trace evaluated: nothing to gate",
        )
    passed = rate <= limit
    verb = "within" if passed else "above"
    shown = _pct(rate)
    if shown == _pct(limit) and rate != limit:
        shown = _pct(rate, 3)  # 2.04% must not read "rate 2% is above max_rate 2%"
    message = f"rate {shown} is {verb} max_rate {_pct(limit)}"
    return GateResult(gate="max_rate", passed=passed, message=message, threshold=mode.max_rate)


def baseline_gate(
    mode: ir.Mode,
    counts: ModeCounts,
    base: ModeBaseline | None,
    alpha: str,
    suite_tolerance: str | None,
) -> GateResult | None:
    """Compare with the baseline; ``None`` when the baseline has no entry for the mode."""
    if base is None:
        return None
    n, fired = counts.evaluated, counts.fired
    if n == 0:
        return GateResult(
            gate="baseline",
            passed=True,
            message="no trace evaluated",
            baseline_rate=base.rate,
            baseline_n=base.evaluated,
        )
    p_value = fisher_greater(fired, n, base.fired, base.evaluated)
    rate, base_rate = fired / n, float(Decimal(base.rate))
    tolerance = mode.tolerance or suite_tolerance
    material = tolerance is None or rate - base_rate > float(Decimal(tolerance))
    regressed = p_value < float(Decimal(alpha)) and material and rate > base_rate
    message = (
        f"rate {_pct(rate)} ({fired}/{n}) vs baseline {_pct(base_rate)} "
        f"({base.fired}/{base.evaluated}), one-sided p = {p_value:.3g}"
        + (f", alpha {_pct(float(Decimal(alpha)))}" if regressed else "")
        + (f", tolerance {_pct(float(Decimal(tolerance)))}" if tolerance else "")
    )
    return GateResult(
        gate="baseline",
        passed=not regressed,
        message=message,
        threshold=alpha,
        baseline_rate=base.rate,
        baseline_n=base.evaluated,
        p_value=decimal_string(p_value, 6),
    )


def _pct(value: float, places: int = 1) -> str:
    text = f"{value * 100:.{places}f}".rstrip("0").rstrip(".")
    return f"{text}%"
