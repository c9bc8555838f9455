"""Three-valued and/or/not: left to right, errors decided by another argument when they can be."""

from __future__ import annotations

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec.traces.record import ToolCall

T, F, E = 'output contains "a"', 'output contains "z"', "metadata.missing == 1"


@pytest.mark.parametrize(
    ("expr", "outcome"),
    [
        (f"{T} or {E}", PASS), (f"{E} or {T}", PASS), (f"{F} or {E}", ERROR),
        (f"{E} or {F}", ERROR), (f"{F} or {F}", FAIL), (f"{T} or {T}", PASS),
        (f"{F} and {E}", FAIL), (f"{E} and {F}", FAIL), (f"{T} and {E}", ERROR),
        (f"{E} and {T}", ERROR), (f"{T} and {T}", PASS), (f"{T} and {F}", FAIL),
        (f"not {T}", FAIL), (f"not {F}", PASS), (f"not {E}", ERROR), (f"not not {T}", PASS),
        (f"not ({F} or {T})", FAIL), (f"not ({F} and {E})", PASS),
    ],
)  # fmt: skip
def test_truth_tables(check: Checker, expr: str, outcome: object) -> None:
    assert check.outcome(expr, trace(output="abc")) is outcome


def test_error_reason_is_the_first_error(check: Checker) -> None:
    assert check(f"{F} or {E} or len(input) > 1", trace(output="abc")) == (
        ERROR, "metadata.missing is missing",
    )  # fmt: skip


GUARD = 'not tool_called "refund" or tool_called "lookup_order" before "refund"'


def test_refund_guard_holds_without_tool_calls(check: Checker) -> None:
    assert check.outcome(GUARD, trace()) is PASS


def test_refund_guard(check: Checker) -> None:
    good = [ToolCall(name="lookup_order"), ToolCall(name="refund")]
    bad = [ToolCall(name="refund"), ToolCall(name="lookup_order")]
    assert check.outcome(GUARD, trace(tool_calls=good)) is PASS
    assert check(GUARD, trace(tool_calls=bad)) == (
        FAIL,
        '"refund" is called at tool_calls[0]; '
        '"lookup_order" is first called at tool_calls[1], after "refund" at tool_calls[0]',
    )


def test_explanations(check: Checker) -> None:
    t = trace(output="abc")
    assert check(f"{T} and {F}", t) == (FAIL, 'output does not contain "z": "abc"')
    assert check(f"{F} or len(output) > 5", t) == (
        FAIL, 'output does not contain "z": "abc"; len(output) is 3, expected > 5',
    )  # fmt: skip
    assert check(f"not {T}", t) == (FAIL, 'output contains "a" at 0: "abc"')
    assert check(f"not ({T} and len(output) == 3)", t) == (
        FAIL, 'output contains "a" at 0: "abc"; len(output) is 3',
    )  # fmt: skip
    assert check(f"not not {F}", t) == (FAIL, 'output does not contain "z": "abc"')
