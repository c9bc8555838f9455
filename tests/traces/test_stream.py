"""The reading pipeline: order, unique ids, missing outputs, strict mode, flat memory."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evalspec.errors import TraceError
from evalspec.traces import (
    ProblemLog,
    Trace,
    find_traces,
    iter_batches,
    read_traces,
    reader,
    stream,
)

from .helpers import problems, read, write


def test_files_are_read_in_path_order(tmp_path: Path) -> None:
    write(tmp_path, "b.jsonl", '{"id": "b1", "output": "x"}\n')
    write(tmp_path, "a/z.jsonl", '{"id": "a1", "output": "x"}\n')
    write(tmp_path, "a.jsonl", '{"id": "a0", "output": "x"}\n')
    traces, _ = read(["b.jsonl", "**/*.jsonl"], base=tmp_path)
    assert [t.id for t in traces] == ["a0", "a1", "b1"]


def test_find_traces_stops_once_every_id_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "".join(f'{{"id": "t{i}", "output": "x"}}\n' for i in range(10))
    write(tmp_path, "a.jsonl", lines)
    read_ids: list[str] = []

    def spy(*args: Any, **kwargs: Any) -> Iterator[Trace]:
        for trace in read_traces(*args, **kwargs):
            read_ids.append(trace.id)
            yield trace

    monkeypatch.setattr(stream, "read_traces", spy)
    found, truncated = find_traces(["a.jsonl"], {"t3", "t1"}, base_dir=tmp_path)
    assert (sorted(found), truncated, read_ids) == (["t1", "t3"], False, ["t0", "t1", "t2", "t3"])
    found, _ = find_traces(["a.jsonl"], {"t1", "gone"}, base_dir=tmp_path)
    assert list(found) == ["t1"]


def test_find_traces_reads_every_trace_up_to_a_limit(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", '{"id": "a", "output": "x"}\n{"id": "b", "output": "y"}\n')
    found, truncated = find_traces(["a.jsonl"], None, base_dir=tmp_path)
    assert (list(found), truncated) == (["a", "b"], False)
    assert find_traces(["a.jsonl"], None, base_dir=tmp_path, limit=2)[1] is False
    found, truncated = find_traces(["a.jsonl"], None, base_dir=tmp_path, limit=1)
    assert (list(found), truncated) == (["a"], True)


def test_find_traces_reads_nothing_for_no_ids(tmp_path: Path) -> None:
    assert find_traces(["missing/*.jsonl"], set(), base_dir=tmp_path) == ({}, False)
    with pytest.raises(TraceError) as caught:
        find_traces(["missing/*.jsonl"], {"t1"}, base_dir=tmp_path)
    assert [d.code for d in caught.value.diagnostics] == ["ES714"]


def test_duplicate_ids_are_renamed_across_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.jsonl",
        '{"id": "t", "output": "1"}\n{"id": "t", "output": "2"}\n{"id": "t#2", "output": "3"}\n',
    )
    write(tmp_path, "b.jsonl", '{"id": "t", "output": "4"}\n')
    traces, log = read("*.jsonl", base=tmp_path)
    assert [(t.id, t.output) for t in traces] == [
        ("t", "1"),
        ("t#2", "2"),
        ("t#2#2", "3"),
        ("t#3", "4"),
    ]
    assert problems(log) == [
        ("ES703", "a.jsonl", 2),
        ("ES703", "a.jsonl", 3),
        ("ES703", "b.jsonl", 1),
    ]


def test_missing_outputs_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", '{"id": "a", "output": "x"}\n{"id": "b", "input": "q"}\n')
    traces, log = read("a.jsonl", base=tmp_path)
    assert len(traces) == 2 and problems(log) == [("ES705", "a.jsonl", 2)]
    assert log.diagnostics[0].severity.value == "warning"


def test_strict_raises_after_reading_everything(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", '{"id": "a", "output": "x"}\nnot json\n{"id": "c", "output": "z"}\n')
    seen: list[str] = []
    with pytest.raises(TraceError) as caught:
        for trace in read_traces(["a.jsonl"], base_dir=tmp_path, strict=True):
            seen.append(trace.id)
    assert seen == ["a", "c"]
    assert [(d.code, d.severity.value) for d in caught.value.diagnostics] == [("ES701", "error")]


def test_a_shared_log_counts_everything(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", "oops\n" * 5)
    log = ProblemLog(keep=2)
    assert list(read_traces(["a.jsonl"], base_dir=tmp_path, format="evalspec", problems=log)) == []
    assert (log.counts["ES701"], len(log.diagnostics), log.summary()) == (
        5,
        2,
        "5 problems: ES701 x5",
    )


def _records(count: int) -> str:
    line = {
        "messages": [
            {"role": "user", "content": "q" * 200},
            {"role": "assistant", "content": "a" * 800},
        ]
    }
    return "".join(json.dumps({"id": f"t{i}", **line}) + "\n" for i in range(count))


@pytest.mark.parametrize("fmt", ["openai", "evalspec"])
def test_memory_stays_flat_as_files_grow(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "CHUNK_SIZE", 1 << 16)  # reach the steady state on small files
    peaks = []
    for count in (1_000, 4_000):
        path = write(tmp_path, f"{count}.jsonl", _records(count))
        if fmt == "evalspec":
            path.write_text(
                "".join(
                    json.dumps({"id": f"t{i}", "input": "q" * 200, "output": "a" * 800}) + "\n"
                    for i in range(count)
                )
            )
        tracemalloc.start()
        for _ in iter_batches([path.name], base_dir=tmp_path, format=fmt, batch_size=100):
            pass
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # 3,000 more traces (3 MB more data) may only grow the set of seen ids (about 70 bytes
    # per id, a set resize included), never hold the traces themselves
    assert peaks[1] - peaks[0] < 3_000 * 120, peaks
