"""OpenAI chat logs: every accepted line shape, the fast path, and messy lines."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from evalspec.traces import ProblemLog, ToolCall
from evalspec.traces.openai import _fast, convert
from evalspec.traces.problems import RecordContext
from evalspec.traces.reader import TraceFile
from evalspec.traces.record import Part

from .helpers import FIXTURES, by_id, problems, read, write


@pytest.fixture(scope="module")
def traces() -> dict[str, object]:
    found, log = read("openai/chat.jsonl")
    assert problems(log) == [("ES705", "openai/chat.jsonl", 4)]  # a reply that only calls a tool
    return by_id(found)  # type: ignore[return-value]


def test_request_response_with_a_tool_round_trip(traces: dict) -> None:
    t = traces["oa-1"]
    assert t.input == "Where is my order K-1042?"
    assert t.output == "Your kettle shipped and should arrive on Friday."
    assert [m.role for m in t.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert t.tool_calls == [
        ToolCall(
            id="call_a",
            name="lookup_order",
            arguments={"order_id": "K-1042"},
            result='{"status": "shipped", "eta": "Friday"}',
            message_index=2,
        )
    ]
    assert t.metadata == {
        "model": "gpt-4.1-mini",
        "finish_reason": "stop",
        "persona": "returning",
        "channel": "web",
    }
    assert (t.start_time, t.usage.total_tokens) == ("2026-01-01T00:00:00Z", 134)
    assert (t.source.format, t.source.line, t.source.raw_ids) == (
        "openai",
        1,
        {"response_id": "chatcmpl-001"},
    )


def test_messages_only_with_extra_keys(traces: dict) -> None:
    t = traces["conv-2"]
    assert (t.session_id, t.cost, t.metadata) == ("s-9", "0.00042", {"experiment": "b"})
    assert t.output == "Returns are accepted within 30 days of delivery."


def test_batch_output_and_bare_completion(traces: dict) -> None:
    assert traces["req-3"].output == "Hello from the batch." and traces["req-3"].input is None
    bare = traces["chatcmpl-004"]
    assert bare.output is None
    assert bare.tool_calls == [
        ToolCall(id="call_b", name="refund", arguments_raw='{"amount": 12.5', message_index=0)
    ]


def test_string_reply_user_and_course_annotations(traces: dict) -> None:
    assert (traces["oa-5"].output, traces["oa-5"].user_id) == ("Hi!", "u-77")
    annotation = traces["oa-6"].annotations[0]
    assert (annotation.name, annotation.kind, annotation.note) == (
        "ignores_constraints",
        "HUMAN",
        "answer ignores the time limit",
    )
    assert traces["oa-6"].output == "Try a chickpea curry."


def test_multi_part_content(traces: dict) -> None:
    t = traces["oa-7"]
    assert t.messages[0].content == [
        Part(type="text", text="What is in this picture?"),
        Part(type="image", url="https://example.test/kettle.png"),
    ]
    assert (t.input, t.output) == ("What is in this picture?", "A copper kettle.")


def _lines() -> list[bytes]:
    lines = (FIXTURES / "openai/chat.jsonl").read_bytes().splitlines()
    plain = json.loads(lines[0])
    variants = [
        {**plain, "metadata": None},
        {**plain, "id": None},
        {**plain, "response": {**plain["response"], "usage": None, "created": None}},
        {
            "id": "x",
            "request": {"messages": [{"role": "user", "content": "q"}]},
            "response": {"choices": [{"message": {"role": "assistant", "content": "a"}}]},
        },
    ]
    return lines + [json.dumps(v).encode() for v in variants]


@pytest.mark.parametrize("raw", _lines())
def test_the_fast_path_agrees_with_the_general_path(raw: bytes) -> None:
    file = TraceFile("chat.jsonl", Path("chat.jsonl"))
    fast = _fast(raw, file, 9)
    general = convert(msgspec.json.decode(raw), file, RecordContext(ProblemLog(), "chat.jsonl", 9))
    if fast is not None:
        assert msgspec.to_builtins(fast) == msgspec.to_builtins(general)


def test_the_fast_path_takes_plain_lines() -> None:
    raw = (FIXTURES / "openai/chat.jsonl").read_bytes().splitlines()[0]
    assert _fast(raw, TraceFile("c", Path("c")), 1) is not None


def test_messy_lines(tmp_path: Path) -> None:
    lines = [
        {
            "id": "m1",
            "messages": [
                {"role": "usr", "content": "hi"},
                {"role": "assistant", "content": "hello"},
            ],
        },
        {
            "id": "m2",
            "messages": [[{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]],
        },
        {"id": "m3", "messages": [{"role": "user", "content": "only a question"}]},
        {
            "id": "m1",
            "messages": [
                {"role": "user", "content": "again"},
                {"role": "assistant", "content": "dup"},
            ],
        },
        {"id": "m5"},
        {
            "id": "m6",
            "messages": [
                {"role": "user", "content": "when?"},
                {"role": "assistant", "content": "now"},
            ],
            "cost": "free",
        },
    ]
    text = "\n".join(json.dumps(line) for line in lines) + '\n{"id": "m7", "messages": ['
    traces, log = read(write(tmp_path, "messy.jsonl", text).name, base=tmp_path, format="openai")
    assert [t.id for t in traces] == ["m1", "m2", "m3", "m1#2", "m6"]
    assert traces[0].messages[0].role == "user"
    assert problems(log) == [
        ("ES706", "messy.jsonl", 1),
        ("ES707", "messy.jsonl", 2),
        ("ES705", "messy.jsonl", 3),
        ("ES703", "messy.jsonl", 4),
        ("ES708", "messy.jsonl", 5),
        ("ES709", "messy.jsonl", 6),
        ("ES702", "messy.jsonl", 7),
    ]


def test_a_pretty_printed_array_of_lines(tmp_path: Path) -> None:
    records = [
        {"messages": [{"role": "user", "content": "a?"}, {"role": "assistant", "content": "A"}]},
        {"messages": [{"role": "user", "content": "b?"}, {"role": "assistant", "content": "B"}]},
    ]
    write(tmp_path, "pretty.json", json.dumps(records, indent=2))
    traces, log = read("pretty.json", base=tmp_path)
    assert [(t.id, t.output) for t in traces] == [("pretty.json#1", "A"), ("pretty.json#2", "B")]
    assert log.total == 0
