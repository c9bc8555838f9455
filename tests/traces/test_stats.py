"""Counts over trace files."""

from __future__ import annotations

from evalspec.traces import ProblemLog
from evalspec.traces.stats import StatsBuilder, render_stats
from evalspec.traces.stream import plan_files, read_plan

from .helpers import FIXTURES


def test_counts_over_several_formats() -> None:
    log = ProblemLog()
    plan = plan_files(["openai/chat.jsonl", "otel/genai.json"], base_dir=FIXTURES)
    builder = StatsBuilder()
    files = {id(f): builder.add_file(f.name, imp.name) for f, imp in plan}
    for file, batch in read_plan(plan, log):
        for trace in batch:
            builder.add(trace, files[id(file)])
    stats = builder.finish(log)
    assert (stats.traces, stats.formats) == (9, {"openai": 7, "otel": 2})
    assert (stats.tool_calls, stats.tool_errors, stats.without_output) == (4, 1, 2)
    assert stats.problems == {"ES705": 2, "ES715": 1}
    assert stats.cost == "0.00042" and stats.latency_ms_max == 2400
    text = render_stats(stats)
    assert "9 traces in 2 files (openai 7, otel 2)" in text
    assert "ES715 broken-span-tree x1" in text
