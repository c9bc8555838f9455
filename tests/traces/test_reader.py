"""Files and lines: globs, confinement, gzip, chunked lines, JSON documents and CSV."""

from __future__ import annotations

import gzip
import io
import os
import sys
from pathlib import Path

import pytest

from evalspec.errors import TraceError, UsageError
from evalspec.traces import ProblemLog
from evalspec.traces.reader import (
    BAD,
    TraceFile,
    csv_rows,
    iter_blocks,
    iter_lines,
    json_records,
    read_document,
    resolve_files,
)

from .helpers import problems, read, write

LINE = '{"id": "%s", "output": "ok"}\n'


def test_lines_keep_numbers_and_skip_blanks() -> None:
    data = b'{"a": 1}\n\n  \n' + b'{"long": "' + b"x" * 50_000 + b'"}\n{"tail": 1}'
    lines = list(iter_lines(io.BytesIO(data)))
    assert [(n, ok) for n, _, ok in lines] == [(1, True), (4, True), (5, False)]
    assert lines[1][1].endswith(b'x"}\n') and lines[2][1] == b'{"tail": 1}'


def test_blocks_end_on_newlines() -> None:
    data = b"a\nbb\n" + b"c" * 20 + b"\nd"
    blocks = list(iter_blocks(io.BytesIO(data), chunk_size=4))
    assert b"".join(b for b, _ in blocks) == data
    assert all(b.endswith(b"\n") for b, ok in blocks if ok) and blocks[-1] == (b"d", False)


def test_globs_are_sorted_and_recursive(tmp_path: Path) -> None:
    for name in ("b/2.jsonl", "a/1.jsonl", "a/deep/3.jsonl", "a/.hidden/4.jsonl", "c.txt"):
        write(tmp_path, name, LINE % name)
    files = resolve_files(["**/*.jsonl", "a/1.jsonl"], base_dir=tmp_path)
    assert [f.name for f in files] == ["a/1.jsonl", "a/deep/3.jsonl", "b/2.jsonl"]
    folder = resolve_files(["a"], base_dir=tmp_path)
    assert [f.name for f in folder] == ["a/1.jsonl", "a/deep/3.jsonl"]


@pytest.mark.parametrize("pattern", ["/etc/passwd", "../outside.jsonl", "a/../../outside.jsonl"])
def test_paths_may_not_leave_the_base(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_files([pattern], base_dir=tmp_path)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("ES713", pattern)]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlinks_may_not_leave_the_base(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.jsonl", LINE % "s")
    base = tmp_path / "project"
    base.mkdir()
    os.symlink(outside, base / "link.jsonl")
    with pytest.raises(UsageError) as caught:
        resolve_files(["*.jsonl"], base_dir=base)
    assert caught.value.diagnostics[0].code == "ES713"
    assert resolve_files(["link.jsonl"], base_dir=base, confine=False)[0].path == outside.resolve()


@pytest.mark.parametrize("pattern", ["missing.jsonl", "nothing/*.jsonl"])
def test_patterns_that_match_nothing(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(TraceError) as caught:
        resolve_files([pattern], base_dir=tmp_path)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("ES714", pattern)]


def test_gzip_is_recognised_by_content(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl.gz", gzip.compress((LINE % "g1" + LINE % "g2").encode()))
    write(tmp_path, "named-plain.gz", LINE % "p1")
    traces, log = read(["a.jsonl.gz", "named-plain.gz"], base=tmp_path)
    assert [t.id for t in traces] == ["g1", "g2", "p1"] and log.total == 0


def test_a_gzip_cut_short_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    whole = gzip.compress("".join(LINE % f"t{i}" for i in range(2000)).encode(), compresslevel=1)
    write(tmp_path, "cut.jsonl.gz", whole[: len(whole) // 2])
    write(tmp_path, "z.jsonl", LINE % "after")
    traces, log = read(["cut.jsonl.gz", "z.jsonl"], base=tmp_path, format="evalspec")
    assert ("ES712", "cut.jsonl.gz", None) in [(c, Path(p).name, n) for c, p, n in problems(log)]
    assert traces[-1].id == "after"


def test_a_corrupt_gzip_header_stops_reading(tmp_path: Path) -> None:
    write(tmp_path, "bad.jsonl.gz", b"\x1f\x8b\x08\x00garbage that is not deflate")
    with pytest.raises(TraceError) as caught:
        read("bad.jsonl.gz", base=tmp_path)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("ES712", "bad.jsonl.gz")]


def test_stdin_head_is_replayed() -> None:
    data = (LINE % "s1").encode() * 3
    file = TraceFile("-", None, stream=io.BytesIO(data))
    assert file.head(5) == data[:5]
    with file.open() as stream:
        assert stream.read() == data


def test_json_documents_and_arrays(tmp_path: Path) -> None:
    log = ProblemLog()
    pretty = write(tmp_path, "doc.json", '[\n  {"id": 1},\n  {"id": 2}\n]\n')
    lines = write(tmp_path, "lines.jsonl", '{"id": 1}\n[{"id": 2}, {"id": 3}]\n')
    assert list(json_records(TraceFile("doc.json", pretty), log)) == [
        (None, {"id": 1}),
        (None, {"id": 2}),
    ]
    assert [n for n, _ in json_records(TraceFile("lines.jsonl", lines), log)] == [1, 2, 2]


def test_a_broken_document_is_located(tmp_path: Path) -> None:
    log = ProblemLog()
    path = write(tmp_path, "doc.json", '{\n  "a": 1,\n  "b": ,\n}\n')
    assert read_document(TraceFile("doc.json", path), log) is BAD
    assert problems(log) == [("ES701", "doc.json", 3)]
    assert log.diagnostics[0].span is not None and log.diagnostics[0].span.column == 8


def test_csv_huge_cells_and_bad_bytes(tmp_path: Path) -> None:
    huge = "x" * 300_000  # beyond the csv module's default 128 KiB limit
    data = f'id,input\n1,"{huge}"\n2,caf'.encode() + b"\xe9\n"
    path = write(tmp_path, "t.csv", data)
    log = ProblemLog()
    rows = list(csv_rows(TraceFile("t.csv", path), log))
    assert [line for line, _ in rows] == [2, 3]
    assert len(rows[0][1]["input"]) == 300_000 and rows[1][1]["input"] == "caf\ufffd"
    assert problems(log) == [("ES704", "t.csv", 3)]


def test_csv_short_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", 'id,input,output\n1,a\n2,b,c\n3,"cut off')
    log = ProblemLog()
    rows = list(csv_rows(TraceFile("t.csv", path), log))
    assert [line for line, _ in rows] == [3]
    assert problems(log) == [("ES708", "t.csv", 2), ("ES702", "t.csv", 4)]
