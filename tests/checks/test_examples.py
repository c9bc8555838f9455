"""Inline examples become Traces: record first, then the block's fields on top."""

from __future__ import annotations

from pathlib import Path

from evalspec import ir
from evalspec.checks import inline_trace
from evalspec.lang.load import compile_text
from evalspec.traces.record import Message, ToolCall


def example(body: str, tmp_path: Path) -> ir.InlineTrace:
    doc = compile_text(f"mode m {{\n  example {{\n{body}\n  }}\n}}\n", "t.eval", root=tmp_path)
    ref = doc.modes[0].examples[0]
    assert isinstance(ref, ir.InlineRef)
    return ref.trace


def test_fields_and_conversation(tmp_path: Path) -> None:
    t = inline_trace(example(
        'input "hi"\n output "bye"\n tool_call "refund" """{"amount": 5}"""\n'
        ' tool_call "ping"\n metadata "lang" "en"\n metadata "n" 3', tmp_path,
    ))  # fmt: skip
    assert (t.id, t.input, t.output, t.metadata) == (
        "m/example-1",
        "hi",
        "bye",
        {"lang": "en", "n": 3},
    )
    assert t.tool_calls == [
        ToolCall(name="refund", arguments={"amount": 5}, message_index=1),
        ToolCall(name="ping", message_index=1),
    ]
    assert t.messages == [
        Message(role="user", content="hi"),
        Message(role="assistant", tool_calls=t.tool_calls),
        Message(role="assistant", content="bye"),
    ]


def test_record_first_then_fields_on_top(tmp_path: Path) -> None:
    record = (
        '{"id": "tr_9", "input": "old", "output": "old", "metadata": {"a": 1, "b": 1},'
        ' "messages": [{"role": "user", "content": "old"}], "cost": "0.5"}'
    )
    t = inline_trace(example(f'json """{record}"""\n output "new"\n metadata "b" 2', tmp_path))
    assert (t.id, t.input, t.output, t.cost) == ("tr_9", "old", "new", "0.5")
    assert t.metadata == {"a": 1, "b": 2}
    assert t.messages == [Message(role="user", content="old")]  # the record's own messages


def test_id_from_the_block(tmp_path: Path) -> None:
    assert inline_trace(example('id "mine"\n output "x"', tmp_path)).id == "mine"
