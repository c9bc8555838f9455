"""The statistics behind rates and gates: Wilson intervals and a one-sided Fisher exact test.

Both are exact enough for samples of any size and cheap to compute, so the gate does not flap on
samples of 100 traces and does not slow down on 1,000,000.
"""

from __future__ import annotations

import math
from decimal import Decimal

#: Two-sided 95% normal quantile used by every interval in the reports.
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Return the Wilson score interval of a binomial proportion; ``(0, 1)`` when ``n == 0``.

    >>> [round(x, 4) for x in wilson(3, 100)]
    [0.0103, 0.0845]
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Exactly 0 (1) with no (only) successes, where rounding left 7e-18 for 0 of 50: the
    # interval must contain the observed rate.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def fisher_greater(current_hits: int, current_n: int, base_hits: int, base_n: int) -> float:
    """One-sided Fisher exact p-value that the current rate is higher than the baseline rate.

    The 2x2 table is (current hits, current misses; baseline hits, baseline misses); the p-value is
    P(X >= current_hits) for X hypergeometric with the table's margins. The tail is summed from
    the observed cell upwards with the ratio of successive terms, stopping once the terms no longer
    change the sum, so large samples cost a few dozen steps.

    >>> round(fisher_greater(10, 100, 2, 100), 4)
    0.0165
    """
    total, hits, draws = current_n + base_n, current_hits + base_hits, current_n
    if draws == 0 or hits == 0 or current_hits == 0:
        return 1.0
    if current_hits * total <= hits * draws:
        # At or below the expected count the upper tail is at least about one half, and its
        # first term may underflow to 0.0 (1 of 2000 now vs 1000 of 2000 before gave p = 0):
        # take 1 - P(X <= current_hits - 1), summed downwards while the terms shrink.
        return max(0.0, 1.0 - _lower_tail(current_hits - 1, total, hits, draws))
    high = min(hits, draws)
    term = math.exp(_log_hypergeom(current_hits, total, hits, draws))
    tail = 0.0
    for x in range(current_hits, high + 1):
        tail += term
        if term < tail * 1e-17:
            break
        term *= (hits - x) * (draws - x) / ((x + 1) * (total - hits - draws + x + 1))
    return min(1.0, tail)


def _lower_tail(top: int, total: int, hits: int, draws: int) -> float:
    """P(X <= top) for X hypergeometric, ``top`` below the mode (terms shrink going down)."""
    low = max(0, draws - (total - hits))
    if top < low:
        return 0.0
    term = math.exp(_log_hypergeom(top, total, hits, draws))
    tail = 0.0
    for x in range(top, low - 1, -1):
        tail += term
        if term < tail * 1e-17:
            break
        term *= x * (total - hits - draws + x) / ((hits - x + 1) * (draws - x + 1))
    return min(1.0, tail)


def _log_hypergeom(x: int, total: int, hits: int, draws: int) -> float:
    return _log_comb(hits, x) + _log_comb(total - hits, draws - x) - _log_comb(total, draws)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def decimal_string(value: float, places: int = 6) -> str:
    """Format a probability as a decimal string for the portable formats (no floats in JSON).

    >>> decimal_string(0.030000000000000002), decimal_string(1.0), decimal_string(0.0)
    ('0.03', '1', '0')
    """
    text = format(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places)), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text or "0"


def rate_of(fired: int, evaluated: int) -> float | None:
    """Return fired / evaluated, or ``None`` when nothing was evaluated."""
    return fired / evaluated if evaluated else None
