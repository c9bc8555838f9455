"""Messages from every dialect: roles, content parts, tool calls and the transcript."""

from __future__ import annotations

import pytest

from evalspec.traces import ProblemLog, ToolCall
from evalspec.traces.messages import (
    content,
    message,
    messages,
    normalise_role,
    parse_arguments,
    tool_call,
    transcript,
)
from evalspec.traces.problems import RecordContext
from evalspec.traces.record import Message, Part


@pytest.fixture
def ctx() -> RecordContext:
    return RecordContext(ProblemLog(), "t.jsonl", 3)


@pytest.mark.parametrize(
    ("raw", "role"),
    [
        ("user", "user"),
        ("User ", "user"),
        ("human", "user"),
        ("ai", "assistant"),
        ("model", "assistant"),
        ("agent", "assistant"),
        ("function", "tool"),
        ("developer", "developer"),
    ],
)
def test_known_roles_are_quiet(raw: str, role: str, ctx: RecordContext) -> None:
    assert normalise_role(raw, ctx) == role
    assert ctx.log.total == 0


@pytest.mark.parametrize(
    ("raw", "role"),
    [("assisant", "assistant"), ("usr", "user"), ("sytem", "system"), ("narrator", "user")],
)
def test_misspelled_and_unknown_roles_are_reported(raw: str, role: str, ctx: RecordContext) -> None:
    assert normalise_role(raw, ctx) == role
    diag = ctx.log.diagnostics[0]
    assert (diag.code, diag.path, diag.span and diag.span.line) == ("ES706", "t.jsonl", 3)
    assert repr(raw) in diag.message


def test_text_parts_are_joined() -> None:
    text, calls, answered = content(
        [{"type": "text", "text": "a"}, "b", {"type": "input_text", "text": "c"}]
    )
    assert (text, calls, answered) == ("a\nb\nc", [], None)


def test_mixed_parts_stay_parts() -> None:
    parts, _, _ = content(
        [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}},
            {"type": "reasoning", "reasoning": "hmm"},
            {"type": "blob", "modality": "audio", "mime_type": "audio/wav", "content": "AAAA"},
        ]
    )
    assert parts == [
        Part(type="text", text="look"),
        Part(type="image", url="https://x.test/a.png"),
        Part(type="reasoning", text="hmm"),
        Part(
            type="blob",
            mime_type="audio/wav",
            data={"modality": "audio", "mime_type": "audio/wav", "content": "AAAA"},
        ),
    ]


def test_otel_tool_parts() -> None:
    _, calls, _ = content([{"type": "tool_call", "id": "c1", "name": "f", "arguments": {"x": 1}}])
    assert calls == [ToolCall(id="c1", name="f", arguments={"x": 1})]
    text, _, answered = content(
        [{"type": "tool_call_response", "id": "c1", "response": {"ok": True}}]
    )
    assert (text, answered) == ('{"ok":true}', "c1")


@pytest.mark.parametrize(
    "raw",
    [
        {
            "id": "c",
            "type": "function",
            "function": {"name": "f", "arguments": '{"x": 1}'},
        },  # OpenAI
        {"id": "c", "function": "f", "arguments": {"x": 1}},  # Inspect AI
        {"id": "c", "name": "f", "args": {"x": 1}, "type": "tool_call"},  # LangChain
        {
            "tool_call": {"id": "c", "function": {"name": "f", "arguments": '{"x": 1}'}}
        },  # OpenInference
        {"type": "tool_use", "id": "c", "name": "f", "input": {"x": 1}},  # Anthropic
    ],
)
def test_tool_call_dialects(raw: dict[str, object]) -> None:
    assert tool_call(raw) == ToolCall(id="c", name="f", arguments={"x": 1})


def test_invalid_arguments_keep_the_raw_string() -> None:
    assert parse_arguments('{"amount": 12.5') == (None, '{"amount": 12.5')
    assert parse_arguments("") == (None, "")
    assert parse_arguments({"a": 1}) == ({"a": 1}, None)


def test_langchain_serialisations(ctx: RecordContext) -> None:
    raw = [
        {
            "lc": 1,
            "type": "constructor",
            "id": ["langchain", "schema", "messages", "HumanMessage"],
            "kwargs": {"content": "hi", "type": "human"},
        },
        {
            "type": "ai",
            "data": {"content": "hello", "tool_calls": [{"name": "f", "args": {}, "id": "t"}]},
        },
        {
            "lc": 1,
            "type": "constructor",
            "id": ["langchain_core", "messages", "ToolMessage"],
            "kwargs": {"content": "done", "tool_call_id": "t"},
        },
    ]
    got = messages(raw, ctx)
    assert [(m.role, m.content, m.tool_call_id) for m in got] == [
        ("user", "hi", None),
        ("assistant", "hello", None),
        ("tool", "done", "t"),
    ]
    assert got[1].tool_calls == [ToolCall(id="t", name="f", arguments={})]
    assert ctx.log.total == 0


def test_openinference_and_gemini_shapes(ctx: RecordContext) -> None:
    oi = message(
        {
            "message": {
                "role": "user",
                "contents": [{"message_content": {"type": "text", "text": "q"}}],
            }
        },
        ctx,
    )
    gemini = message({"role": "model", "parts": [{"text": "a"}]}, ctx)
    assert (oi, gemini) == (
        Message(role="user", content="q"),
        Message(role="assistant", content="a"),
    )


def test_refusal_and_legacy_function_call(ctx: RecordContext) -> None:
    refused = message({"role": "assistant", "content": None, "refusal": "I can't help."}, ctx)
    legacy = message(
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
        ctx,
    )
    assert refused is not None and refused.content == [Part(type="refusal", text="I can't help.")]
    assert legacy is not None and legacy.tool_calls == [ToolCall(name="f", arguments={})]


def test_nested_lists_are_flattened_and_reported(ctx: RecordContext) -> None:
    got = messages(
        [{"role": "user", "content": "a"}, [{"role": "assistant", "content": "b"}], 7], ctx
    )
    assert [m.content for m in got] == ["a", "b"]
    assert [d.code for d in ctx.log.diagnostics] == ["ES707", "ES709"]


def test_transcript_joins_results_by_id_then_by_name() -> None:
    call = ToolCall(id="c1", name="a", arguments={})
    unnamed = ToolCall(name="b", arguments={})
    msgs = [
        Message(role="assistant", tool_calls=[call, unnamed]),
        Message(role="tool", name="b", content="B"),
        Message(role="tool", tool_call_id="c1", content="A"),
    ]
    flat = transcript(msgs)
    assert [(c.name, c.result, c.message_index) for c in flat] == [("a", "A", 0), ("b", "B", 0)]
    assert msgs[0].tool_calls[0].result is None  # the message keeps the call as made
