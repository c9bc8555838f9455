"""``traces show``: the terminal rendering of one trace."""

from __future__ import annotations

from evalspec.traces import Annotation, Message, Part, Span, ToolCall, Trace
from evalspec.traces.render import render_trace

from .helpers import by_id, read


def test_a_full_trace() -> None:
    traces, _ = read("otel/genai.json")
    text = render_trace(by_id(traces)["5b8efff798038103d269b633813fc60c"])
    assert text.startswith("trace 5b8efff798038103d269b633813fc60c\nsource: otel otel/genai.json\n")
    for needle in (
        "session conv-7",
        "2,400 ms",
        "[1] user",
        '⚙ lookup_order({"order_id":"K-7"})  [call_1]',
        "→ answers call_1",
        "agent     invoke_agent support",
        "LLM   tone pass",
    ):
        assert needle in text, needle


def test_parts_errors_and_orphans() -> None:
    trace = Trace(
        id="x",
        input="q",
        output=None,
        messages=[
            Message(
                role="user",
                content=[Part(type="text", text="see"), Part(type="image", url="u.png")],
            )
        ],
        tool_calls=[ToolCall(name="f", arguments_raw="{bad", error="boom")],
        spans=[Span(id="s", status="error", name="root")],
        annotations=[Annotation(name="overall", verdict="fail", note="wrong")],
    )
    text = render_trace(trace)
    for needle in (
        "<image> u.png",
        "tool calls outside the messages",
        "! arguments are not valid JSON",
        "✗ boom",
        "root ✗",
        "HUMAN overall fail — wrong",
    ):
        assert needle in text, needle


def test_input_and_output_without_messages() -> None:
    text = render_trace(Trace(id="x", input="question", output=None))
    assert "── input" in text and "question" in text and "(none)" in text
