"""evalspec JSONL: the fast path, line numbers, and lenient repair of imperfect records."""

from __future__ import annotations

from pathlib import Path

from evalspec.traces import ProblemLog, iter_batches
from evalspec.traces.native import decode_block
from evalspec.traces.reader import TraceFile

from .helpers import by_id, problems, read, write


def test_fixture() -> None:
    traces, log = read("evalspec/traces.jsonl")
    assert log.total == 0
    second = by_id(traces)["e-2"]
    assert (second.cost, second.latency_ms, second.metadata) == ("0.0004", 840, {"persona": "new"})
    assert second.annotations[0].verdict == "pass"
    assert second.source is not None and (second.source.format, second.source.line) == (
        "evalspec",
        2,
    )


def test_source_is_kept_when_present(tmp_path: Path) -> None:
    source = '{"format": "otel", "file": "o.json", "raw_ids": {"trace_id": "t"}}'
    line = f'{{"id": "a", "output": "x", "source": {source}}}\n'
    traces, _ = read(write(tmp_path, "a.jsonl", line).name, base=tmp_path)
    assert traces[0].source is not None and traces[0].source.format == "otel"


def test_line_numbers_survive_blank_lines(tmp_path: Path) -> None:
    a, b, c = (f'{{"id": "{name}", "output": "x"}}' for name in "abc")
    text = f"{a}\n\n{b}\n   \n{c}\n"
    traces, _ = read(write(tmp_path, "a.jsonl", text).name, base=tmp_path)
    assert [(t.id, t.source.line if t.source else None) for t in traces] == [
        ("a", 1),
        ("b", 3),
        ("c", 5),
    ]


def test_bad_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    text = (
        '{"id": "a", "output": "x"}\n'
        '{"id": "b", "output": \n'  # malformed
        "[1, 2]\n"  # not an object
        '{"id": "c", "output": "z", "messages": "hello"}\n'  # not a trace
        '{"id": "d", "output": "tail"'  # cut off, no newline
    )
    traces, log = read(write(tmp_path, "a.jsonl", text).name, base=tmp_path, format="evalspec")
    assert [t.id for t in traces] == ["a"]
    assert problems(log) == [
        ("ES701", "a.jsonl", 2),
        ("ES708", "a.jsonl", 3),
        ("ES708", "a.jsonl", 4),
        ("ES702", "a.jsonl", 5),
    ]


def test_lenient_repairs(tmp_path: Path) -> None:
    text = (
        '{"id": "a", "output": "x", "cost": 0.0012, "latency_ms": 12.7, "start_time": 1767225600,'
        ' "messages": [{"role": "Assisant", "content": "x"}, [{"role": "user", "content": "q"}]],'
        ' "annotations": [{"name": "tone", "kind": "llm", "verdict": "FAIL", "score": 0.25}],'
        ' "spans": [{"id": "s", "kind": "WORKFLOW"}]}\n'
        '{"output": "no id"}\n'
        '{"id": 7, "output": "numeric id"}\n'
    )
    traces, log = read(write(tmp_path, "a.jsonl", text).name, base=tmp_path, format="evalspec")
    first = traces[0]
    assert (first.cost, first.latency_ms, first.start_time) == (
        "0.0012",
        13,
        "2026-01-01T00:00:00Z",
    )
    assert [m.role for m in first.messages] == ["assistant", "user"]
    assert (
        first.annotations[0].kind,
        first.annotations[0].verdict,
        first.annotations[0].score,
    ) == ("LLM", "fail", "0.25")
    assert first.spans[0].kind == "other"
    assert [t.id for t in traces[1:]] == ["a.jsonl:2", "7"]
    assert problems(log) == [
        ("ES706", "a.jsonl", 1),
        ("ES707", "a.jsonl", 1),
        ("ES709", "a.jsonl", 2),
    ]


def test_invalid_utf8_is_replaced(tmp_path: Path) -> None:
    data = (
        b'{"id": "a", "output": "ok"}\n'
        b'{"id": "b", "output": "caf\xe9"}\n'
        b'{"id": "c", "output": "\\ud83d!"}\n'
    )
    traces, log = read(write(tmp_path, "a.jsonl", data).name, base=tmp_path, format="evalspec")
    assert [t.output for t in traces] == ["ok", "caf\ufffd", "\ufffd!"]
    assert problems(log) == [("ES704", "a.jsonl", 2), ("ES704", "a.jsonl", 3)]


def test_batches_have_the_requested_size(tmp_path: Path) -> None:
    text = "".join(f'{{"id": "t{i}", "output": "x"}}\n' for i in range(25))
    write(tmp_path, "a.jsonl", text)
    write(tmp_path, "b.jsonl", text.replace('"t', '"u'))
    sizes = [len(b) for b in iter_batches(["*.jsonl"], base_dir=tmp_path, batch_size=10)]
    assert sizes == [10, 10, 10, 10, 10]


def test_decode_block_numbers_lines_from_its_start(tmp_path: Path) -> None:
    log = ProblemLog()
    file = TraceFile("part.jsonl", tmp_path / "part.jsonl")
    block = b'{"id": "a", "output": "x"}\nnope\n{"id": "c", "output": "z"}'
    items = decode_block(block, 41, False, file, log)
    assert [(n, t.id) for n, t in items] == [(41, "a"), (43, "c")]
    assert problems(log) == [("ES701", "part.jsonl", 42)]
