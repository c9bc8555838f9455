"""The problem log: counts, bounded memory, ordering and strict mode."""

from __future__ import annotations

import pytest

from evalspec.errors import TraceError
from evalspec.traces import ProblemLog
from evalspec.traces.codes import CODES


def test_every_code_is_documented() -> None:
    docs = (__import__("pathlib").Path(__file__).parents[2] / "docs/traces.md").read_text(
        encoding="utf-8"
    )
    for code, info in CODES.items():
        assert f"{code}" in docs and info.name in docs, code
    assert sorted(CODES) == [f"ES7{n:02d}" for n in range(1, 17)]


def test_counts_and_kept_diagnostics() -> None:
    log = ProblemLog(keep=1)
    log.report("ES705", "no output", "b.jsonl", 2)
    log.report("ES701", "bad", "a.jsonl", 1)
    assert (log.total, len(log.diagnostics), log.counts["ES701"]) == (2, 1, 1)
    assert log.diagnostics[0].severity.value == "warning"


def test_order_by_file_then_line() -> None:
    log = ProblemLog()
    log.report("ES705", "x", "b.jsonl", 9)
    log.report("ES701", "x", "b.jsonl", 2)
    log.report("ES701", "x", "a.jsonl", 1)
    assert [(d.path, d.span.line) for d in log.in_order() if d.span] == [
        ("b.jsonl", 2),
        ("b.jsonl", 9),
        ("a.jsonl", 1),
    ]


def test_strict_turns_problems_into_errors() -> None:
    log = ProblemLog(strict=True)
    log.raise_if_strict()
    log.report("ES705", "no output", "a.jsonl", 3)
    with pytest.raises(TraceError) as caught:
        log.raise_if_strict()
    assert caught.value.exit_code == 2
    assert caught.value.diagnostics[0].headline() == "a.jsonl:3:1: error[ES705]: no output"


def test_raise_for_diagnostics_gathered_elsewhere() -> None:
    gathered = ProblemLog()
    gathered.report("ES701", "bad", "a.jsonl", 4)
    ProblemLog().raise_for(gathered.diagnostics)  # not strict: nothing happens
    with pytest.raises(TraceError) as caught:
        ProblemLog(strict=True).raise_for(gathered.diagnostics)
    assert caught.value.diagnostics == gathered.diagnostics
