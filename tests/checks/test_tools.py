"""tool_called [before] and tool_calls conform tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr, evaluate
from evalspec.diagnostics import Span
from evalspec.traces.record import ToolCall

CALLS = [ToolCall(name="search"), ToolCall(name="lookup_order"), ToolCall(name="refund"),
         ToolCall(name="search")]  # fmt: skip


@pytest.mark.parametrize(
    ("expr", "calls", "outcome"),
    [
        ('tool_called "refund"', CALLS, PASS),
        ('tool_called "cancel"', CALLS, FAIL),
        ('tool_called "refund"', [], FAIL),
        ('tool_called "lookup_order" before "refund"', CALLS, PASS),
        ('tool_called "refund" before "lookup_order"', CALLS, FAIL),
        ('tool_called "search" before "refund"', CALLS, PASS),  # first calls count
        ('tool_called "refund" before "search"', CALLS, FAIL),
        ('tool_called "refund" before "cancel"', CALLS, FAIL),  # both must be called
        ('tool_called "cancel" before "refund"', CALLS, FAIL),
        ('tool_called "search" before "search"', CALLS, FAIL),
    ],
)
def test_tool_called(check: Checker, expr: str, calls: list[ToolCall], outcome: object) -> None:
    assert check.outcome(expr, trace(tool_calls=calls)) is outcome


def test_tool_called_explanations(check: Checker) -> None:
    t = trace(tool_calls=CALLS)
    assert check('tool_called "cancel"', t)[1] == (
        'tool "cancel" is not called (calls: "search", "lookup_order", "refund", "search")'
    )
    assert check('tool_called "cancel"', trace())[1] == 'tool "cancel" is not called (calls: none)'
    assert check('tool_called "refund" before "cancel"', t)[1] == 'tool "cancel" is not called'
    assert check('tool_called "refund" before "search"', t)[1] == (
        '"refund" is first called at tool_calls[2], after "search" at tool_calls[0]'
    )
    assert check('not tool_called "lookup_order" before "refund"', t)[1] == (
        '"lookup_order" is called at tool_calls[1], before "refund" at tool_calls[2]'
    )


def function(name: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "description": name}
    if parameters is not None:
        body["parameters"] = parameters
    return {"type": "function", "function": body}


REFUND = {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"],
          "additionalProperties": False}  # fmt: skip
TOOLS = [function("refund", REFUND), function("ping")]
SUITE = 'suite s { tools "tools.json" }'


@pytest.fixture
def tools_check(check: Checker) -> Checker:
    (check.root / "tools.json").write_text(json.dumps(TOOLS), encoding="utf-8")
    check.suite = SUITE
    return check


@pytest.mark.parametrize(
    ("calls", "outcome", "explanation"),
    [
        ([], PASS, None),
        ([ToolCall(name="refund", arguments={"amount": 5})], PASS, None),
        ([ToolCall(name="ping")], PASS, None),  # no arguments: an empty object
        ([ToolCall(name="ping", arguments={"anything": 1})], PASS, None),  # no parameters
        ([ToolCall(name="refund", arguments={"amount": "5"})], FAIL,
         "tool_calls[0] (\"refund\"): the arguments do not conform: "
         "at $.amount: '5' is not of type 'number'"),
        ([ToolCall(name="ping"), ToolCall(name="refund", arguments={})], FAIL,
         "tool_calls[1] (\"refund\"): the arguments do not conform: "
         "at $: 'amount' is a required property"),
        ([ToolCall(name="cancel", arguments={})], FAIL,
         'tool_calls[0] ("cancel"): not a registered tool (tools: ping, refund)'),
        ([ToolCall(name="refund", arguments_raw='{"amount": 5')], FAIL,
         'tool_calls[0] ("refund"): the arguments are not valid JSON: "{\\"amount\\": 5"'),
    ],
)  # fmt: skip
def test_conform_tools(
    tools_check: Checker, calls: list[ToolCall], outcome: object, explanation: str | None
) -> None:
    assert tools_check("tool_calls conform tools", trace(tool_calls=calls)) == (
        outcome,
        explanation,
    )


@pytest.mark.parametrize(
    "data",
    [
        {"tools": TOOLS},
        [t["function"] for t in TOOLS],  # bare function objects
    ],
)
def test_other_tools_file_shapes(check: Checker, data: object) -> None:
    (check.root / "tools.json").write_text(json.dumps(data), encoding="utf-8")
    check.suite = SUITE
    bad = trace(tool_calls=[ToolCall(name="refund", arguments={})])
    assert check.outcome("tool_calls conform tools", bad) is FAIL
    assert (
        check.outcome("tool_calls conform tools", trace(tool_calls=[ToolCall(name="ping")])) is PASS
    )


SPAN = Span(1, 1, 1, 2)


def conform(root: Path, tools: str | None) -> tuple[object, str | None]:
    op = ir.PathOp(root="tool_calls", steps=[], span=SPAN)
    expr = ir.ConformTools(operand=op, tools=tools, span=SPAN)
    return evaluate(compile_expr(expr, CheckEnv(root=root)), trace())


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the tools file t.json: No such file or directory"),
        ("[", "the tools file t.json is not valid JSON: Input data was truncated"),
        ('{"a": 1}', 't.json: the tools file must hold a list of tools (or {"tools": [...]})'),
        ('[{"type": "function"}]', "t.json: tool 0 is not a function with a name"),
        (json.dumps([function("a"), function("a")]), 't.json: tool "a" is defined twice'),
        (json.dumps([function("a", {"type": 3})]),
         't.json: the parameters of "a": 3 is not valid under any of the given schemas'),
    ],
)  # fmt: skip
def test_bad_tools_files_are_errors(tmp_path: Path, content: str | None, reason: str) -> None:
    if content is not None:
        (tmp_path / "t.json").write_text(content, encoding="utf-8")
    assert conform(tmp_path, "t.json") == (ERROR, reason)


def test_no_tools_file_is_an_error(tmp_path: Path) -> None:
    assert conform(tmp_path, None) == (ERROR, "the suite declares no tools file")
