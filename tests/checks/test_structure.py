"""is json (RFC 8259 via msgspec) and conforms (JSON Schema 2020-12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr, evaluate
from evalspec.diagnostics import Span


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ('{"a": 1}', PASS), ("[1, 2]", PASS), ("1", PASS), ('"x"', PASS), ("null", PASS),
        (' \n {"a": 1} \n', PASS), ('{"a": 1, "a": 2}', PASS), ("1e999", PASS),
        ("```json\n{}\n```", FAIL), ("", FAIL), ("  ", FAIL), ("{'a': 1}", FAIL),
        ("[1,]", FAIL), ("NaN", FAIL), ('{"a": 1} extra', FAIL), ("01", FAIL),
    ],
)  # fmt: skip
def test_is_json(check: Checker, text: str, outcome: object) -> None:
    assert check.outcome("output is json", trace(output=text)) is outcome


def test_is_json_explains_the_position(check: Checker) -> None:
    assert check("output is json", trace(output='{\n  "a": tru\n}')) == (
        FAIL, "output is not JSON: invalid character at line 2, column 9",
    )  # fmt: skip
    assert check("output is json", trace(output="```json\n{}\n```")) == (
        FAIL, "output is not JSON: invalid character at line 1, column 1 "
        "(a Markdown code fence around JSON is not JSON)",
    )  # fmt: skip
    assert check("output is json", trace(output='["é", x]')) == (
        FAIL, "output is not JSON: invalid character at line 1, column 7",
    )  # fmt: skip
    assert check("output is json", trace(output='{"a": ')) == (
        FAIL, "output is not JSON: Input data was truncated at line 1, column 7",
    )  # fmt: skip


def test_is_json_errors(check: Checker) -> None:
    assert check("output is json", trace()) == (ERROR, "output is missing")
    assert check("not output is json", trace()) == (ERROR, "output is missing")
    assert check("metadata.card is json", trace(metadata={"card": {"a": 1}})) == (
        ERROR, "is json applies to text; metadata.card is an object",
    )  # fmt: skip
    assert check.outcome("metadata.card is json", trace(metadata={"card": "[]"})) is PASS


SCHEMA = {
    "type": "object",
    "required": ["title", "steps"],
    "properties": {
        "title": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "string"}},
        "url": {"type": "string", "format": "uri"},
    },
}  # fmt: skip


@pytest.fixture
def schema_check(check: Checker) -> Checker:
    (check.root / "schemas").mkdir()
    (check.root / "schemas" / "card.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    return check


CONFORMS = 'output conforms "schemas/card.json"'


def test_conforms(schema_check: Checker) -> None:
    check = schema_check
    assert check.outcome(CONFORMS, trace(output='{"title": "t", "steps": []}')) is PASS
    assert check.outcome(CONFORMS, trace(output='{"title": "t", "steps": [], "url": "::"}')) is PASS
    assert check(CONFORMS, trace(output='{"title": "t", "steps": [1]}')) == (
        FAIL,
        'output does not conform to "schemas/card.json": '
        "at $.steps[0]: 1 is not of type 'string'",
    )  # fmt: skip
    assert check(CONFORMS, trace(output='{"steps": []}')) == (
        FAIL,
        'output does not conform to "schemas/card.json": '
        "at $: 'title' is a required property",
    )  # fmt: skip
    assert check(CONFORMS, trace(output="Here is the card: {}")) == (
        FAIL, "output is not JSON: invalid character at line 1, column 1",
    )  # fmt: skip
    assert check(CONFORMS, trace()) == (ERROR, "output is missing")
    card = {"title": "t", "steps": ["a"]}
    assert (
        check.outcome('metadata.card conforms "schemas/card.json"', trace(metadata={"card": card}))
        is PASS
    )


def test_schema_is_loaded_once_per_run(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"type": "integer"}', encoding="utf-8")
    expr = ir.Conforms(operand=ir.PathOp(root="output", steps=[], span=Span(1, 1, 1, 2)),
                       schema="s.json", span=Span(1, 1, 1, 2))  # fmt: skip
    env = CheckEnv(root=tmp_path)
    first = compile_expr(expr, env)
    (tmp_path / "s.json").write_text('{"type": "string"}', encoding="utf-8")
    second = compile_expr(expr, env)
    assert first.test(trace(output="1")) and second.test(trace(output="1"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the schema s.json: No such file or directory"),
        ("{nope", "the schema s.json is not valid JSON: "
                  "JSON is malformed: object keys must be strings (byte 1)"),
        ('{"type": 5}', "s.json is not a valid JSON Schema: "
                        "5 is not valid under any of the given schemas"),
    ],
)  # fmt: skip
def test_bad_schema_files_are_errors(tmp_path: Path, content: str | None, reason: str) -> None:
    if content is not None:
        (tmp_path / "s.json").write_text(content, encoding="utf-8")
    span = Span(1, 1, 1, 2)
    expr = ir.Conforms(
        operand=ir.PathOp(root="output", steps=[], span=span), schema="s.json", span=span
    )
    assert evaluate(compile_expr(expr, CheckEnv(root=tmp_path)), trace(output="1")) == (
        ERROR,
        reason,
    )


def test_schema_outside_the_project_is_refused(tmp_path: Path) -> None:
    span = Span(1, 1, 1, 2)
    expr = ir.Conforms(
        operand=ir.PathOp(root="output", steps=[], span=span), schema="../x.json", span=span
    )
    assert evaluate(compile_expr(expr, CheckEnv(root=tmp_path)), trace(output="1")) == (
        ERROR, "../x.json is outside the project",
    )  # fmt: skip
