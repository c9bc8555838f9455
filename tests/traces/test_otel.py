"""OpenTelemetry GenAI (OTLP JSON): current attributes, legacy events, tool spans, problems."""

from __future__ import annotations

import json
from pathlib import Path

from evalspec.traces import ToolCall

from .helpers import FIXTURES, by_id, problems, read, write

AGENT = "5b8efff798038103d269b633813fc60c"
BROKEN = "0af7651916cd43dd8448eb211c80319c"


def test_an_agent_trace() -> None:
    traces, _ = read("otel/genai.json")
    t = by_id(traces)[AGENT]
    assert [m.role for m in t.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert (t.input, t.output) == (
        "Where is order K-7?",
        "Order K-7 is delayed; it should ship next week.",
    )
    assert t.tool_calls == [
        ToolCall(
            id="call_1",
            name="lookup_order",
            arguments={"order_id": "K-7"},
            result='{"status":"delayed"}',
            message_index=2,
            span_id="00f067aa0ba902b7",
        )
    ]
    assert (t.session_id, t.user_id, t.latency_ms) == ("conv-7", "u-1", 2400)
    assert (t.start_time, t.end_time) == ("2026-01-01T00:00:00Z", "2026-01-01T00:00:02.4Z")
    assert (t.usage.input_tokens, t.usage.output_tokens, t.usage.total_tokens) == (470, 40, 510)
    assert t.metadata["model"] == "gpt-4.1" and t.metadata["service"] == "support-bot"
    assert [(s.kind, s.parent_id) for s in t.spans] == [
        ("agent", None),
        ("llm", "eee19b7ec3c1b174"),
        ("tool", "eee19b7ec3c1b174"),
        ("llm", "eee19b7ec3c1b174"),
    ]
    assert "gen_ai.input.messages" not in t.spans[1].attributes  # content lives in messages
    tone = t.annotations[0]
    assert (tone.name, tone.kind, tone.verdict, tone.score, tone.critique) == (
        "tone",
        "LLM",
        "pass",
        "0.9",
        "Polite and clear.",
    )


def test_a_trace_without_content_and_a_broken_tree() -> None:
    traces, log = read("otel/genai.json")
    t = by_id(traces)[BROKEN]
    assert (t.output, t.messages) == (None, [])
    assert t.tool_calls == [
        ToolCall(name="search", error="TimeoutError", span_id="2222222222222222")
    ]
    assert t.spans[1].parent_id == "1111111111111111"
    assert sorted(code for code, _, _ in problems(log)) == ["ES705", "ES715"]


def test_legacy_events_and_flattened_prompts() -> None:
    traces, log = read("otel/legacy.jsonl")
    events, flat = traces
    assert [(m.role, m.content) for m in events.messages] == [
        ("system", "You are terse."),
        ("user", "Capital of France?"),
        ("assistant", "Paris."),
    ]
    assert (events.usage.input_tokens, events.metadata["provider"]) == (30, "openai")
    assert (flat.input, flat.output) == ("Two plus two?", "Four.")
    assert [t.source.line for t in traces] == [1, 2] and log.total == 0


def test_problems_carry_the_line_in_json_lines(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "otel/genai.json").read_text())
    text = json.dumps({"not": "otlp"}) + "\n" + json.dumps(doc) + "\n"
    _, log = read(write(tmp_path, "spans.jsonl", text).name, base=tmp_path, format="otel")
    assert problems(log) == [
        ("ES708", "spans.jsonl", 1),
        ("ES715", "spans.jsonl", 2),
        ("ES705", "spans.jsonl", 2),
    ]
