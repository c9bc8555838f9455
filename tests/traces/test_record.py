"""The record Structs: minimal decoding, defaults, no floats, and the committed schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import msgspec
import pytest

from evalspec._resources import schemas_dir
from evalspec.traces import Trace, trace_schema
from evalspec.traces.record import SCHEMA_ID, TRACE_FIELDS, main, schema_text

CONTRACT_FIELDS = {
    "id",
    "input",
    "output",
    "messages",
    "tool_calls",
    "metadata",
    "latency_ms",
    "cost",
    "usage",
    "session_id",
    "user_id",
    "start_time",
    "end_time",
    "spans",
    "annotations",
    "source",
}


def test_a_minimal_line_decodes() -> None:
    trace = msgspec.json.Decoder(Trace).decode(b'{"id": "x", "output": "hi"}')
    assert (trace.id, trace.output, trace.input, trace.messages, trace.metadata) == (
        "x",
        "hi",
        None,
        [],
        {},
    )


def test_the_selector_fields_are_present() -> None:
    assert CONTRACT_FIELDS <= TRACE_FIELDS


def test_only_id_is_required() -> None:
    assert trace_schema()["$defs"]["Trace"]["required"] == ["id"]


def test_encoding_omits_defaults() -> None:
    assert msgspec.json.encode(Trace(id="x", output="hi")) == b'{"id":"x","output":"hi"}'


def test_defaults_are_not_shared() -> None:
    first, second = Trace(id="a"), Trace(id="b")
    first.metadata["k"] = 1
    assert second.metadata == {}


def _types(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["type"]] if isinstance(node.get("type"), str) else list(node.get("type", []))
        return found + [t for value in node.values() for t in _types(value)]
    if isinstance(node, list):
        return [t for value in node for t in _types(value)]
    return []


def test_the_schema_has_no_floats() -> None:
    assert "number" not in _types(trace_schema())


def test_schema_header() -> None:
    schema = trace_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_committed_schema_matches_the_structs() -> None:
    committed = (schemas_dir() / "evalspec-trace.v1.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: python -m evalspec.traces --write"


def test_converted_records_validate_against_the_schema() -> None:
    from .helpers import read

    traces, _ = read("**/*")
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    for trace in traces:
        errors = list(validator.iter_errors(msgspec.to_builtins(trace)))
        assert not errors, (trace.id, errors[0].message)


def test_main_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out) == trace_schema()
