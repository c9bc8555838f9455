"""Langfuse: trace objects with observations and scores, and bare observations."""

from __future__ import annotations

from evalspec.traces import ToolCall

from .helpers import read


def test_trace_objects() -> None:
    (t,), log = read("langfuse/traces.json")
    assert log.total == 0
    assert (t.input, t.output) == ("Is the kettle dishwasher safe?", "No, wash it by hand.")
    assert [m.role for m in t.messages] == ["system", "user", "assistant"]
    assert t.tool_calls == [
        ToolCall(
            name="product_manual",
            arguments={"sku": "K-1"},
            result='{"error":"manual not found"}',
            error="404 from manuals service",
            span_id="obs-3",
        )
    ]
    assert (t.session_id, t.user_id, t.latency_ms, t.cost) == (
        "lf-sess-1",
        "lf-user-1",
        1234,
        "0.0015",
    )
    assert (t.usage.input_tokens, t.usage.output_tokens) == (50, 8)
    assert t.source.url == "/project/p1/traces/lf-trace-1"
    assert t.metadata["persona"] == "vip" and t.metadata["tags"] == ["beta"]
    kinds = [(a.name, a.kind, a.verdict, a.score, a.label, a.target) for a in t.annotations]
    assert kinds == [
        ("correctness", "HUMAN", "pass", "1", None, None),
        ("helpfulness", "LLM", None, "0.75", None, "span:obs-2"),
        ("category", "CODE", None, None, "product", None),
    ]
    assert [(s.kind, s.status) for s in t.spans] == [
        ("chain", None),
        ("llm", None),
        ("tool", "error"),
    ]


def test_bare_observations_are_grouped() -> None:
    (t,), _ = read("langfuse/observations.jsonl")
    assert (t.id, t.input, t.output, t.latency_ms) == (
        "lf-trace-2",
        "What time do you open?",
        "We open at 9am.",
        500,
    )
    assert t.usage.total_tokens == 11
