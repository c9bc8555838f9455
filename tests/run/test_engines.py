"""Engines: the chunked engine (byte ranges, -j N) gives what the sequential reference gives."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from evalspec.checks import CheckEnv
from evalspec.errors import TraceError
from evalspec.lang.load import compile_path
from evalspec.run import chunks
from evalspec.run.chunks import lines_before, open_range, plan_chunks
from evalspec.run.engines import (
    RunOutput,
    RunSettings,
    SequentialEngine,
    TraceSource,
    VerdictSpool,
    get_engine,
)
from evalspec.run.results import Verdict

SPEC = """suite s {
  traces "traces/*.jsonl"
}

mode short {
  assert len(output) <= 12
}

mode polite {
  when input contains "?"
  assert output icontains "please"
  assert metadata.lang == "en"
}

mode refunds {
  assert not tool_called "refund" or tool_called "lookup_order" before "refund"
}

mode fast {
  when latency_ms > 0
  assert latency_ms < 900
  assert words(messages[0].content) < 4
}
"""


def record(i: int) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": f"t{i:03}",
        "input": "why?" if i % 2 else "hello",
        "output": "x" * (i % 17) + (" please" if i % 3 else ""),
        "messages": [{"role": "user", "content": "a b c d e"[: 1 + (i % 9)]}],
    }
    if i % 4:
        rec["metadata"] = {"lang": "en" if i % 5 else "fr"}
    if i % 7 == 0:
        rec["tool_calls"] = [{"name": "refund", "arguments": "{}"}]
    if i % 6 == 0:
        rec["latency_ms"] = 100 * i
    return rec


def write_traces(root: Path) -> None:
    """CRLF and LF lines, blank and white lines, malformed lines, a file without a final newline."""
    lines: list[str] = []
    for i in range(80):
        lines.append(json.dumps(record(i)))
        if i % 11 == 0:
            lines.append("")
        if i % 13 == 5:
            lines.append("   ")
        if i % 19 == 3:
            lines.append('{"id": "broken", "output": ')
    folder = root / "traces"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(("\r\n".join(lines) + "\r\n").encode())
    tail = [json.dumps(record(i)) for i in range(100, 112)]
    (folder / "b.jsonl").write_bytes(("\n".join(tail)).encode())  # no final newline


def summary(output: RunOutput) -> dict[str, Any]:
    result = output.result
    verdicts = sorted(
        (msgspec.to_builtins(v) for v in output.spool or ()),
        key=lambda v: (v["trace_id"], v["mode"], v["guard"]),
    )
    return {
        "traces": result.traces,
        "fingerprint": result.fingerprint,
        "counts": msgspec.to_builtins(result.counts),
        "samples": msgspec.to_builtins(result.samples),
        "verdicts": verdicts,
        "problems": [(d.code, d.message, d.path) for d in output.problems],
        "problem_count": output.problem_count,
        "sources": output.sources,
    }


@pytest.fixture
def setup(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, CheckEnv, TraceSource]:
    monkeypatch.chdir(project)  # trace files are shown relative to the working folder
    (project / "s.eval").write_text(SPEC, encoding="utf-8")
    write_traces(project)
    doc = compile_path(project / "s.eval", root=project)
    return doc, CheckEnv(project), TraceSource(["traces/*.jsonl"], project)


def run_both(
    setup: tuple[Any, CheckEnv, TraceSource], jobs: int, record: bool
) -> tuple[RunOutput, RunOutput]:
    doc, env, source = setup
    settings = RunSettings(record=record, samples=3)
    reference = SequentialEngine().run(doc, env, source, settings)
    engine = get_engine(jobs, doc, source)
    assert not isinstance(engine, SequentialEngine)  # plain evalspec JSONL, code guards only
    return reference, engine.run(doc, env, source, settings)


@pytest.mark.parametrize(("jobs", "record"), [(1, True), (2, True), (3, False)])
def test_chunked_engine_equals_the_sequential_reference(
    setup: tuple[Any, CheckEnv, TraceSource],
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
    record: bool,
) -> None:
    # Tiny ranges: about 4 * jobs chunks per run, cut in the middle of lines and of CRLF pairs.
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1)
    reference, chunked = run_both(setup, jobs, record)
    want, got = summary(reference), summary(chunked)
    assert want["traces"] == 92
    assert want["problem_count"] == 5 and {p[0] for p in want["problems"]} == {"ES701"}
    assert got == want


def test_chunked_engine_reports_problems_on_their_lines(
    setup: tuple[Any, CheckEnv, TraceSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1)
    reference, chunked = run_both(setup, 2, False)
    lines = [d.span.line if d.span else 0 for d in reference.problems]
    assert [d.span.line if d.span else 0 for d in chunked.problems] == lines


def test_problem_lines_are_right_when_nothing_is_cut(
    setup: tuple[Any, CheckEnv, TraceSource],
) -> None:
    reference, chunked = run_both(setup, 2, False)
    want = [(d.path, d.span.line if d.span else 0) for d in reference.problems]
    assert want[0] == ("traces/a.jsonl", 6)
    assert [(d.path, d.span.line if d.span else 0) for d in chunked.problems] == want


def test_strict_names_the_file_and_line(setup: tuple[Any, CheckEnv, TraceSource]) -> None:
    doc, env, source = setup
    strict = TraceSource(source.patterns, source.base_dir, strict=True)
    for engine in (SequentialEngine(), get_engine(2, doc, strict)):
        with pytest.raises(TraceError) as caught:
            engine.run(doc, env, strict, RunSettings())
        first = caught.value.diagnostics[0]
        assert (first.code, first.path, first.span and first.span.line) == (
            "ES701",
            "traces/a.jsonl",
            6,
        )


def test_judges_humans_and_other_formats_use_the_sequential_engine(project: Path) -> None:
    (project / "t.jsonl").write_text(
        json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant",
                    "content": "yo"}]}) + "\n", encoding="utf-8",
    )  # fmt: skip
    (project / "a.eval").write_text('mode m {\n  human "look"\n}\n', encoding="utf-8")
    (project / "b.eval").write_text("mode m {\n  assert output is json\n}\n", encoding="utf-8")
    human = compile_path(project / "a.eval", root=project)
    code = compile_path(project / "b.eval", root=project)
    source = TraceSource(["t.jsonl"], project)
    assert isinstance(get_engine(4, human, source), SequentialEngine)
    openai = TraceSource(["t.jsonl"], project, format="openai")
    assert isinstance(get_engine(4, code, openai), SequentialEngine)


CUT_DATA = [
    b'{"a":1}\r\n\r\n{"b":22}\n  \n{"c":333}',
    b"\n\nab\r\ncd\n",
    b"x",
    b"\r\n\r\n",
]


@pytest.mark.parametrize("data", CUT_DATA)
def test_ranges_cut_anywhere_cover_every_byte_once(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    size = len(data)
    for first, second in itertools.combinations_with_replacement(range(size + 1), 2):
        read = b""
        for start, end in ((0, first), (first, second), (second, size)):
            with open_range(path, start, end) as stream:
                read += stream.read()
        assert read == data, (first, second)


def test_plan_chunks_covers_each_file_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1)
    a, b, empty = tmp_path / "a", tmp_path / "b", tmp_path / "e"
    a.write_bytes(b"x" * 100)
    b.write_bytes(b"y" * 37)
    empty.write_bytes(b"")
    plan = plan_chunks([(a, "a", "a"), (empty, "e", "e"), (b, "b", "b")], jobs=2)
    assert [c.index for c in plan] == list(range(len(plan)))
    for path, size in ((a, 100), (b, 37)):
        ranges = [(c.start, c.end) for c in plan if c.path == path]
        assert ranges[0][0] == 0 and ranges[-1][1] == size
        assert all(x[1] == y[0] for x, y in itertools.pairwise(ranges))
        assert len(ranges) > 1
    assert [(c.start, c.end) for c in plan if c.path == empty] == [(0, 0)]


def test_lines_before(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a\nb\r\n\nc")
    assert [lines_before(path, i) for i in range(8)] == [0, 0, 1, 1, 1, 2, 3, 3]


def test_verdict_spool_round_trip_and_cleanup() -> None:
    spool = VerdictSpool()
    verdicts = [
        Verdict(trace_id="t1", mode="m", guard="assert-1", outcome="pass"),
        Verdict(trace_id="t2", mode="m", guard="assert-1", outcome="fail", detail="a\nb"),
    ]
    spool.write(verdicts[:1])
    spool.write(verdicts[1:])
    assert list(spool) == verdicts
    assert spool.path.exists()
    spool.close()
    assert not spool.path.exists()
