"""OpenInference spans: OTLP with flattened attributes, and Phoenix span JSON."""

from __future__ import annotations

from evalspec.traces import ToolCall

from .helpers import problems, read


def test_otlp_with_openinference_attributes() -> None:
    (t,), log = read("openinference/otlp.json")
    assert log.total == 0
    assert (t.input, t.output) == (
        "Gluten-free pancakes for two?",
        "Use a 1:1 gluten-free flour blend; here is a recipe for two.",
    )
    assert [m.role for m in t.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert t.tool_calls == [
        ToolCall(
            id="call_r1",
            name="search_recipes",
            arguments={"query": "gluten-free pancakes", "servings": 2},
            result='["GF buttermilk pancakes"]',
            message_index=2,
            span_id="c0ffee0000000003",
        )
    ]
    assert (t.session_id, t.user_id, t.cost) == ("sess-42", "cook-9", "0.00061")
    assert (t.usage.input_tokens, t.usage.output_tokens, t.usage.total_tokens) == (230, 80, 310)
    assert t.metadata == {
        "persona": "home cook",
        "release": "v3",
        "model": "gpt-4o-mini",
        "provider": "openai",
        "tags": ["prod", "recipes"],
        "root_span": "RecipeAgent",
    }
    (note,) = t.annotations
    assert (note.name, note.kind, note.verdict, note.score, note.critique) == (
        "dietary_adherence",
        "HUMAN",
        "fail",
        "0",
        "Suggests regular oats.",
    )
    assert [s.kind for s in t.spans] == ["agent", "llm", "tool", "llm"]


def test_phoenix_span_json() -> None:
    (t,), log = read("openinference/phoenix-spans.jsonl")
    assert problems(log) == []
    assert t.input == "How long do I boil an egg?"  # the root's JSON input, not the stuffed prompt
    assert t.output == "About 7 minutes for a jammy yolk."
    assert (t.latency_ms, t.usage.total_tokens) == (1250, 49)
    assert [s.kind for s in t.spans] == ["chain", "retriever", "llm"]
    assert t.spans[1].attributes["retrieval.documents.0.document.id"] == "kb-eggs"
