"""Braintrust log CSV: JSON cells, span rows grouped under their root, huge cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from evalspec.traces import ToolCall

from .helpers import by_id, problems, read, write


def test_root_rows_become_traces() -> None:
    traces, log = read("braintrust/logs.csv")
    assert log.total == 0
    plan = by_id(traces)["bt-span-1"]
    assert (plan.input, plan.output) == (
        "Plan a week of dinners, no nuts.",
        "Monday: lentil soup; Tuesday: ...",
    )
    assert [m.role for m in plan.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert plan.tool_calls == [
        ToolCall(
            id="call_m",
            name="find_recipes",
            arguments={"exclude": ["nuts"]},
            result="7 recipes",
            message_index=2,
            span_id="bt-span-2",
        )
    ]
    assert (plan.start_time, plan.latency_ms, plan.cost) == ("2026-01-05T12:00:00Z", 2500, "0.0021")
    assert (plan.usage.input_tokens, plan.usage.output_tokens, plan.usage.total_tokens) == (
        210,
        95,
        305,
    )
    assert plan.metadata == {"user_tier": "free", "tags": ["meal-plan"]}
    assert [(a.name, a.kind, a.verdict, a.score, a.note) for a in plan.annotations] == [
        ("NoNuts", "CODE", "pass", "1", None),
        ("Factuality", "CODE", None, "0.6", None),
        ("comment", "HUMAN", None, None, "Good variety."),
    ]
    assert [(s.id, s.parent_id, s.kind) for s in plan.spans] == [("bt-span-2", "bt-span-1", "tool")]
    basil = by_id(traces)["bt-span-3"]
    assert (basil.input, basil.output, basil.metadata) == (
        "How do I store basil?",
        "Keep it in a glass of water, like cut flowers.",
        {"expected": "Store basil at room temperature in water."},
    )
    assert (basil.source.line, plan.source.line) == (4, 2)


def test_huge_cells(tmp_path: Path) -> None:
    answer = "step " * 100_000  # half a megabyte in one cell
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["span_id", "root_span_id", "span_parents", "input", "output"])
    writer.writerow(
        ["s1", "s1", "", json.dumps([{"role": "user", "content": "long?"}]), json.dumps(answer)]
    )
    traces, log = read(write(tmp_path, "big.csv", out.getvalue()).name, base=tmp_path)
    assert log.total == 0 and traces[0].output == answer


def test_span_rows_without_their_root(tmp_path: Path) -> None:
    text = 'span_id,root_span_id,span_parents,input,output\nc1,gone,"[""gone""]",x,y\nr2,r2,,q,a\n'
    traces, log = read(
        write(tmp_path, "orphans.csv", text).name, base=tmp_path, format="braintrust"
    )
    assert [t.id for t in traces] == ["r2"]
    assert problems(log) == [("ES715", "orphans.csv", 2)]
