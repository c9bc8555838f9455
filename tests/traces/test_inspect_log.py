"""Inspect AI logs: the ``.json`` document and ``.eval`` archives with Zstandard members."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from evalspec.traces import ToolCall, detect_format
from evalspec.traces.record import Part

from .helpers import FIXTURES, by_id, problems, read, write, zip_archive

LOG = json.loads((FIXTURES / "inspect/log.json").read_text())


def _check(traces: list) -> None:
    first, second = by_id(traces)["run-abc:1:1"], by_id(traces)["run-abc:2:1"]
    assert (first.input, first.output) == ("What is 7 * 6?", "The answer is 42.")
    assert first.messages[2].content == [
        Part(type="reasoning", text="Multiply."),
        Part(type="text", text="Let me compute."),
    ]
    assert first.tool_calls == [
        ToolCall(
            id="tc1",
            name="calculator",
            arguments={"expression": "7*6"},
            result="42",
            message_index=2,
        )
    ]
    assert (first.latency_ms, first.usage.total_tokens) == (1500, 100)
    assert first.metadata["task"] == "arithmetic" and first.metadata["difficulty"] == "easy"
    assert [(a.name, a.kind, a.verdict, a.label) for a in first.annotations] == [
        ("match", "CODE", "pass", "C")
    ]
    assert second.input == "Divide 1 by 0."
    assert second.tool_calls[0].error == "division by zero"
    assert [(a.name, a.verdict, a.score) for a in second.annotations] == [
        ("match", "fail", None),
        ("f1", None, "0.5"),
    ]


def test_json_log() -> None:
    traces, log = read("inspect/log.json")
    assert log.total == 0
    _check(traces)


@pytest.mark.parametrize("zstd", [True, False])
def test_eval_archive(tmp_path: Path, zstd: bool) -> None:
    header = {key: LOG[key] for key in ("version", "status", "eval", "plan")}
    members = {"header.json": msgspec.json.encode(header)}
    for sample in LOG["samples"]:
        members[f"samples/{sample['id']}_epoch_{sample['epoch']}.json"] = msgspec.json.encode(
            sample
        )
    path = zip_archive(tmp_path / "run.eval", members, zstd=zstd)
    assert detect_format(path) == "inspect"
    traces, log = read("run.eval", base=tmp_path)
    assert log.total == 0
    _check(traces)


def test_a_bad_member_is_reported(tmp_path: Path) -> None:
    members = {
        "header.json": b"{}",
        "samples/1_epoch_1.json": b"{not json",
        "samples/2_epoch_1.json": msgspec.json.encode(LOG["samples"][1]),
    }
    zip_archive(tmp_path / "bad.eval", members)
    traces, log = read("bad.eval", base=tmp_path)
    assert [t.id for t in traces] == ["smp-uuid-2"]
    assert problems(log) == [("ES712", "bad.eval:samples/1_epoch_1.json", None)]


def test_not_an_inspect_document(tmp_path: Path) -> None:
    write(tmp_path, "x.json", '{"eval": 3, "samples": []}')
    _, log = read("x.json", base=tmp_path, format="inspect")
    assert problems(log) == [("ES708", "x.json", 1)]
