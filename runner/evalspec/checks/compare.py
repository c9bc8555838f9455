"""Comparisons: ``==``, ``!=`` (any value) and ``<``, ``<=``, ``>``, ``>=`` (numbers only).

Equality is exact and never coerces: strings compare code point by code point; numbers by value
(an integer, a float, a decimal string read from ``cost`` and a decimal literal all compare
exactly, floats by their shortest decimal form); a string never equals a number and a boolean is
not a number.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from evalspec import ir
from evalspec.checks.base import Check, CheckEnv, CheckError, evaluator, failing
from evalspec.checks.describe import literal_text, operand_text
from evalspec.checks.operands import (
    Getter,
    TextSource,
    as_number,
    compile_operand,
    excerpt,
    fused,
    kind_of,
    text_source,
)
from evalspec.traces.record import Trace

_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def literal_value(lit: ir.Literal) -> str | int | Decimal | bool:
    """Return the Python value of a literal (decimals exact)."""
    if isinstance(lit, ir.DecimalLit):
        return Decimal(lit.value)
    return lit.value


def equality(lit: ir.Literal) -> Callable[[Any], bool]:
    """Return ``value == lit`` with the language's rules (no coercion between kinds)."""
    expected = literal_value(lit)
    if isinstance(expected, bool):
        return lambda value: value is expected
    if isinstance(expected, str):
        return lambda value: isinstance(value, str) and value == expected
    return lambda value: as_number(value) == expected


@evaluator(ir.Compare)
def compile_compare(expr: ir.Compare, env: CheckEnv) -> Check:
    """Compile ``operand op value``."""
    if expr.op not in _ORDERED and expr.op not in ("==", "!="):
        return failing(expr, f"unknown comparison operator {expr.op!r}")
    src = text_source(expr.operand)
    if expr.op in _ORDERED and src is not None and src.function in ("len", "words"):
        return _fast_count(expr, src)
    get = compile_operand(expr.operand)
    name = operand_text(expr.operand)
    if expr.op in _ORDERED:
        test = _ordered(get, name, _ORDERED[expr.op], literal_value(expr.value))
    else:
        equal = equality(expr.value)
        test = _equal(get, equal) if expr.op == "==" else _not_equal(get, equal)
    return Check(expr, test, _explain(expr, get, name), _affirm(get, name))


def _equal(get: Getter, equal: Callable[[Any], bool]) -> Callable[[Trace], bool]:
    return lambda trace: equal(get(trace))


def _not_equal(get: Getter, equal: Callable[[Any], bool]) -> Callable[[Trace], bool]:
    return lambda trace: not equal(get(trace))


def _ordered(
    get: Getter, name: str, compare: Callable[[Any, Any], bool], limit: Any
) -> Callable[[Trace], bool]:
    def test(trace: Trace) -> bool:
        value = get(trace)
        number = as_number(value)
        if number is None:
            raise CheckError(f"{name} is {kind_of(value)}, not a number")
        try:
            return compare(number, limit)
        except InvalidOperation:  # NaN has no order
            raise CheckError(f"{name} is {number}, which has no order") from None

    return test


def _fast_count(expr: ir.Compare, src: TextSource) -> Check:
    """``len(output) <= 1200``: one fused closure, no intermediate getter."""
    assert expr.op in _ORDERED  # the operator goes into generated code: only these four
    count = "len(value)" if src.function == "len" else "len(value.split())"
    test, negated = fused(src, f"{count} {expr.op} limit", limit=literal_value(expr.value))
    full = compile_operand(expr.operand)
    shown = operand_text(expr.operand)
    return Check(expr, test, _explain(expr, full, shown), _affirm(full, shown), negated)


def _explain(expr: ir.Compare, get: Getter, name: str) -> Callable[[Trace], str]:
    wanted = f"{expr.op} {literal_text(expr.value)}"
    return lambda trace: f"{name} is {excerpt(get(trace))}, expected {wanted}"


def _affirm(get: Getter, name: str) -> Callable[[Trace], str]:
    return lambda trace: f"{name} is {excerpt(get(trace))}"
