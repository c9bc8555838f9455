"""Selectors and functions: values, missing values (errors), negative indices, wrong kinds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from checks_helpers import trace

from evalspec import ir
from evalspec.checks import CheckError, compile_operand
from evalspec.diagnostics import Span
from evalspec.traces.record import Message, Part, ToolCall, Usage

SPAN = Span(1, 1, 1, 2)


def path(root: str, *steps: str | int) -> ir.PathOp:
    return ir.PathOp(root=root, steps=list(steps), span=SPAN)


def call(function: str, arg: ir.Operand, *steps: str | int) -> ir.CallOp:
    return ir.CallOp(function=function, arg=arg, steps=list(steps), span=SPAN)


def value(op: ir.Operand, **fields: Any) -> Any:
    return compile_operand(op)(trace(**fields))


def reason(op: ir.Operand, **fields: Any) -> str:
    with pytest.raises(CheckError) as info:
        compile_operand(op)(trace(**fields))
    return info.value.reason


CALLS = [ToolCall(name="a", arguments={"x": [1, 2]}), ToolCall(name="b", arguments_raw="{oops")]


def test_roots_and_record_items() -> None:
    assert value(path("output"), output="hi") == "hi"
    assert value(path("latency_ms"), latency_ms=12) == 12
    assert value(path("tool_calls", 0, "name"), tool_calls=CALLS) == "a"
    assert value(path("tool_calls", -1, "name"), tool_calls=CALLS) == "b"
    assert value(path("tool_calls", 0, "arguments", "x", -1), tool_calls=CALLS) == 2
    assert value(path("usage", "total_tokens"), usage=Usage(total_tokens=7)) == 7
    assert value(path("metadata", "a b"), metadata={"a b": False}) is False


def test_cost_is_a_decimal_number() -> None:
    assert value(path("cost"), cost="0.0123") == Decimal("0.0123")
    assert reason(path("cost"), cost="cheap") == "cost is not a decimal number: 'cheap'"


@pytest.mark.parametrize(
    ("op", "fields", "expected"),
    [
        (path("output"), {}, "output is missing"),
        (path("metadata", "x"), {}, "metadata.x is missing"),
        (path("metadata", "x"), {"metadata": {"x": None}}, "metadata.x is missing"),
        (path("tool_calls", 0), {}, "tool_calls[0] is missing (tool_calls has 0 items)"),
        (path("tool_calls", -3), {"tool_calls": CALLS},
         "tool_calls[-3] is missing (tool_calls has 2 items)"),
        (path("metadata", "x", 0), {"metadata": {"x": "text"}},
         "metadata.x[0] is missing (metadata.x is text, not a list)"),
        (path("metadata", "x", "y"), {"metadata": {"x": [1]}},
         "metadata.x.y is missing (metadata.x is a list, not an object)"),
        (path("tool_calls", 1, "arguments"), {"tool_calls": CALLS},
         "tool_calls[1].arguments is missing (the arguments are not valid JSON)"),
        (path("usage", "input_tokens"), {"usage": Usage()}, "usage.input_tokens is missing"),
        (path("latency_ms"), {}, "latency_ms is missing"),
    ],
)  # fmt: skip
def test_missing_values_are_errors(op: ir.Operand, fields: dict[str, Any], expected: str) -> None:
    assert reason(op, **fields) == expected


def test_multi_part_content_reads_as_its_text() -> None:
    parts = [
        Part(type="text", text="one"),
        Part(type="image", url="u"),
        Part(type="text", text="two"),
    ]
    messages = [Message(role="user", content=parts), Message(role="assistant")]
    assert value(path("messages", 0, "content"), messages=messages) == "one\ntwo"
    assert (
        reason(path("messages", 1, "content"), messages=messages)
        == "messages[1].content is missing"
    )


def test_len_counts_code_points_items_and_keys() -> None:
    assert value(call("len", path("output")), output="héllo 👋") == 7
    assert value(call("len", path("tool_calls")), tool_calls=CALLS) == 2
    assert value(call("len", path("metadata")), metadata={"a": 1, "b": 2}) == 2
    assert reason(call("len", path("output"))) == "output is missing"
    assert reason(call("len", path("latency_ms")), latency_ms=3) == (
        "len() needs text, a list or an object; latency_ms is a number"
    )


def test_words_split_on_unicode_whitespace() -> None:
    assert value(call("words", path("output")), output="  a\u00a0b\tc\u2003d\n") == 4
    assert value(call("words", path("output")), output="") == 0
    assert reason(call("words", path("metadata", "n")), metadata={"n": 1}) == (
        "words() needs text; metadata.n is a number"
    )


def test_lower() -> None:
    assert value(call("lower", path("output")), output="ÉCOLE Straße") == "école straße"


def test_json_parses_then_walks() -> None:
    text = ' {"a": [{"price": 9.99}, true], "b": null} \n'
    assert value(call("json", path("output"), "a", 0, "price"), output=text) == Decimal("9.99")
    assert value(call("json", path("output"), "a", -1), output=text) is True
    assert reason(call("json", path("output"), "b"), output=text) == "json(output).b is missing"
    assert reason(call("json", path("output"), "a", 5), output=text) == (
        "json(output).a[5] is missing (json(output).a has 2 items)"
    )
    assert reason(call("json", path("output")), output="{nope") == (
        "output is not valid JSON: object keys must be strings at line 1, column 2"
    )
    assert reason(call("json", path("tool_calls", 0, "arguments")), tool_calls=CALLS) == (
        "json() needs text; tool_calls[0].arguments is an object"
    )


def test_operand_getters_are_compiled_once(tmp_path: Path) -> None:
    get = compile_operand(path("metadata", "k"))
    assert [get(trace(metadata={"k": i})) for i in range(3)] == [0, 1, 2]
