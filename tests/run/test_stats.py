"""Wilson intervals, the one-sided Fisher test and decimal strings, against exact arithmetic."""

from __future__ import annotations

import itertools
from decimal import Decimal, localcontext
from fractions import Fraction
from math import comb

import pytest

from evalspec.run.stats import Z95, decimal_string, fisher_greater, rate_of, wilson


def exact_fisher(hits: int, n: int, base_hits: int, base_n: int) -> Fraction:
    """P(X >= hits), X hypergeometric with the 2x2 table's margins, as an exact fraction."""
    total, k = n + base_n, hits + base_hits
    top = sum(comb(k, x) * comb(total - k, n - x) for x in range(hits, min(k, n) + 1))
    return Fraction(top, comb(total, n))


def exact_wilson(successes: int, n: int) -> tuple[Decimal, Decimal]:
    """The Wilson score interval computed with 50 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 50
        z, p, m = Decimal(Z95), Decimal(successes) / n, Decimal(n)
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * (p * (1 - p) / m + z * z / (4 * m * m)).sqrt() / denom
        return max(Decimal(0), centre - half), min(Decimal(1), centre + half)


def test_fisher_matches_exact_fractions_on_every_small_table() -> None:
    for n, base_n in itertools.product(range(7), repeat=2):
        for hits, base_hits in itertools.product(range(n + 1), range(base_n + 1)):
            want = float(exact_fisher(hits, n, base_hits, base_n))
            got = fisher_greater(hits, n, base_hits, base_n)
            assert got == pytest.approx(want, rel=1e-12, abs=1e-300), (hits, n, base_hits, base_n)


@pytest.mark.parametrize(
    "table",
    [
        (3, 100, 1, 100),  # the gates docstring: not a regression
        (10, 100, 2, 100),  # the gates docstring: a regression
        (6, 53, 0, 50),  # the bundled example's missing_refusal
        (24, 400, 3, 400),  # the bundled example's rambling
        (500, 1000, 400, 1000),  # a small p from a large sample
        (50, 1000, 50, 1000),  # no change at all
    ],
)
def test_fisher_matches_exact_fractions_on_large_tables(table: tuple[int, int, int, int]) -> None:
    assert fisher_greater(*table) == pytest.approx(float(exact_fisher(*table)), rel=1e-9)


def test_fisher_values_quoted_by_the_gates_are_right() -> None:
    assert round(fisher_greater(3, 100, 1, 100), 2) == 0.31
    assert round(fisher_greater(10, 100, 2, 100), 4) == 0.0165


def test_fisher_far_below_the_baseline_is_one_not_zero() -> None:
    # The first term of the upper tail underflows to 0.0 here; the p-value used to come out
    # as 0 ("highly significant") for a rate that fell from 50% to 0.05%.
    assert fisher_greater(1, 2000, 1000, 2000) == pytest.approx(1.0)
    assert fisher_greater(2, 5000, 2500, 5000) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "table", [(0, 10, 3, 10), (0, 0, 0, 0), (4, 4, 0, 0), (0, 5, 0, 5), (3, 10, 0, 10)]
)
def test_fisher_edges(table: tuple[int, int, int, int]) -> None:
    assert fisher_greater(*table) == pytest.approx(float(exact_fisher(*table)))


@pytest.mark.parametrize(
    ("successes", "n"), [(0, 1), (1, 1), (0, 50), (3, 100), (1, 3), (50, 100), (999, 1000), (7, 7)]
)
def test_wilson_matches_high_precision_arithmetic(successes: int, n: int) -> None:
    low, high = wilson(successes, n)
    want_low, want_high = exact_wilson(successes, n)
    assert low == pytest.approx(float(want_low), abs=1e-15)
    assert high == pytest.approx(float(want_high), abs=1e-15)
    assert 0.0 <= low <= successes / n <= high <= 1.0


def test_wilson_known_values_and_edges() -> None:
    assert [round(x, 4) for x in wilson(3, 100)] == [0.0103, 0.0845]
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(0, 20)[0] == 0.0
    assert wilson(20, 20)[1] == 1.0


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (0.030000000000000002, 6, "0.03"),
        (1.0, 6, "1"),
        (0.0, 6, "0"),
        (1 / 3, 6, "0.333333"),
        (2 / 3, 6, "0.666667"),
        (0.5, 6, "0.5"),
        (1e-7, 6, "0"),
        (0.9999996, 6, "1"),
        (1.8705160645206957e-05, 6, "0.000019"),
        (1 / 3, 2, "0.33"),
        (0.0165, 3, "0.016"),  # half to even on the exact binary value
    ],
)
def test_decimal_string(value: float, places: int, text: str) -> None:
    assert decimal_string(value, places) == text


def test_rate_of() -> None:
    assert rate_of(1, 4) == 0.25
    assert rate_of(0, 0) is None
