"""LangSmith runs: LangChain serialisations, wrap_openai runs, tool runs and feedback."""

from __future__ import annotations

import json
from pathlib import Path

from evalspec.traces import ToolCall

from .helpers import by_id, problems, read, write

AGENT = "11111111-0000-4000-8000-000000000001"


def test_agent_trace() -> None:
    traces, log = read("langsmith/runs.jsonl")
    assert log.total == 0
    t = by_id(traces)[AGENT]
    assert (t.input, t.output) == ("Cancel my subscription", "Done: your plan ends on 31 January.")
    assert [m.role for m in t.messages] == ["system", "user", "assistant"]
    assert t.tool_calls == [
        ToolCall(
            id="call_x",
            name="cancel_plan",
            arguments={"account": "A-9"},
            result="plan ends 2026-01-31",
            message_index=2,
            span_id="11111111-0000-4000-8000-000000000003",
        )
    ]
    assert (t.session_id, t.latency_ms, t.cost, t.usage.total_tokens) == (
        "thread-5",
        2500,
        "0.0031",
        87,
    )
    assert [(s.kind, s.parent_id is None) for s in t.spans] == [
        ("chain", True),
        ("llm", False),
        ("tool", False),
    ]
    (feedback,) = t.annotations
    assert (feedback.name, feedback.kind, feedback.verdict, feedback.critique) == (
        "resolved",
        "HUMAN",
        "pass",
        "User confirmed.",
    )


def test_wrap_openai_run() -> None:
    traces, _ = read("langsmith/runs.jsonl")
    t = by_id(traces)["22222222-0000-4000-8000-000000000001"]
    assert (t.input, t.output, t.usage.total_tokens) == (
        "Translate 'kettle' to French.",
        "bouilloire",
        14,
    )


def test_a_run_whose_parent_is_missing(tmp_path: Path) -> None:
    runs = [
        {
            "id": "r1",
            "trace_id": "t",
            "run_type": "chain",
            "inputs": {"q": "x"},
            "outputs": {"a": "y"},
        },
        {"id": "r2", "trace_id": "t", "parent_run_id": "gone", "run_type": "llm"},
    ]
    text = "\n".join(json.dumps(r) for r in runs) + "\n"
    _, log = read(write(tmp_path, "runs.jsonl", text).name, base=tmp_path, format="langsmith")
    assert problems(log) == [("ES715", "runs.jsonl", 1)]
