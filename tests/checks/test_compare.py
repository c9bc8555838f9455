"""== and != on any value without coercion; < <= > >= on numbers only."""

from __future__ import annotations

from pathlib import Path

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr, evaluate
from evalspec.diagnostics import Span


@pytest.mark.parametrize(
    ("expr", "fields", "outcome"),
    [
        ('output == "Hi"', {"output": "Hi"}, PASS),
        ('output == "Hi"', {"output": "Hi "}, FAIL),  # no trimming
        ('output == "é"', {"output": "e\u0301"}, FAIL),  # no normalisation
        ('output != "Hi"', {"output": "hi"}, PASS),
        ("latency_ms == 1200", {"latency_ms": 1200}, PASS),
        ("cost == 0.0123", {"cost": "0.01230"}, PASS),  # by value, Decimal
        ("cost < 0.02", {"cost": "0.0123"}, PASS),
        ("cost >= 0.02", {"cost": "0.0123"}, FAIL),
        ('metadata.n == "5"', {"metadata": {"n": 5}}, FAIL),  # a string never equals a number
        ("metadata.n == 5", {"metadata": {"n": "5"}}, FAIL),
        ("metadata.n != 5", {"metadata": {"n": "5"}}, PASS),
        ("metadata.n == 5", {"metadata": {"n": 5.0}}, PASS),
        ("metadata.score == 0.1", {"metadata": {"score": 0.1}}, PASS),  # float by shortest repr
        ("metadata.flag == true", {"metadata": {"flag": True}}, PASS),
        ("metadata.flag == 1", {"metadata": {"flag": True}}, FAIL),  # a boolean is not a number
        ("metadata.flag == true", {"metadata": {"flag": 1}}, FAIL),
        ("metadata.tags == 1", {"metadata": {"tags": [1]}}, FAIL),
        ("len(output) <= 5", {"output": "héllo"}, PASS),
        ("len(output) < 5", {"output": "héllo"}, FAIL),
        ("words(output) > 1", {"output": "one two"}, PASS),
        ("latency_ms > 1s", {"latency_ms": 1001}, PASS),  # durations are milliseconds
        ("metadata.rate <= 2%", {"metadata": {"rate": 0.02}}, PASS),
        ("usage.total_tokens >= 10", {"usage": {"total_tokens": 9}}, FAIL),
    ],
)
def test_verdicts(check: Checker, expr: str, fields: dict[str, object], outcome: object) -> None:
    assert check.outcome(expr, trace(**fields)) is outcome


@pytest.mark.parametrize(
    ("expr", "fields", "reason"),
    [
        ("len(output) <= 1200", {}, "output is missing"),
        ('output == "x"', {}, "output is missing"),
        ("cost < 1", {}, "cost is missing"),
        ("metadata.n > 1", {"metadata": {"n": "7"}}, "metadata.n is text, not a number"),
        ("metadata.n > 1", {"metadata": {"n": False}}, "metadata.n is a boolean, not a number"),
        (
            "metadata.n < 1",
            {"metadata": {"n": float("nan")}},
            "metadata.n is NaN, which has no order",
        ),
    ],
)
def test_errors(check: Checker, expr: str, fields: dict[str, object], reason: str) -> None:
    assert check(expr, trace(**fields)) == (ERROR, reason)


def test_explanations(check: Checker) -> None:
    assert check("len(output) <= 3", trace(output="abcd")) == (
        FAIL,
        "len(output) is 4, expected <= 3",
    )
    assert check('metadata.lang == "en"', trace(metadata={"lang": "de"})) == (
        FAIL, 'metadata.lang is "de", expected == "en"',
    )  # fmt: skip
    assert check("not latency_ms < 10", trace(latency_ms=3)) == (FAIL, "latency_ms is 3")


def test_unknown_operator_in_ir_is_an_error(tmp_path: Path) -> None:
    span = Span(1, 1, 1, 2)
    op = ir.CallOp(function="len", arg=ir.PathOp(root="output", steps=[], span=span), steps=[],
                   span=span)  # fmt: skip
    expr = ir.Compare(operand=op, op="<1 or __import__('os')", value=ir.IntLit(value=1), span=span)
    pred = compile_expr(expr, CheckEnv(root=tmp_path))
    assert evaluate(pred, trace(output="x")) == (
        ERROR, "unknown comparison operator \"<1 or __import__('os')\"",
    )  # fmt: skip
