"""The batch core: outcomes per (trace, mode, guard), counts, samples, verdicts and merging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from evalspec.checks import CheckEnv
from evalspec.lang.load import compile_text
from evalspec.run.engine import BatchResult, compile_modes, fingerprint_of, run_batch
from evalspec.run.results import GuardCounts, ModeCounts, Verdict
from evalspec.traces import Trace

SPEC = """
mode a {
  when input contains "?"
  assert output contains "ok"
  assert metadata.lang == "en"
}

mode h {
  human "look at it"
}

mode j {
  judge tone {
    prompt "Is it rude? {{output}}"
  }
}
"""


def trace(id: str, **fields: Any) -> Trace:
    return msgspec.convert({"id": id, **fields}, Trace)


TRACES = [
    trace("t1", input="q?", output="ok", metadata={"lang": "en"}),  # a: passes
    trace("t2", input="q", output="no"),  # a: skipped
    trace("t3", input="q?", output="no", metadata={"lang": "en"}),  # a: fires
    trace("t4", input="q?", output="ok"),  # a: errors (metadata.lang is missing)
    trace("t5", input="q?", output="nope"),  # a: fires (a failure beats an error)
]
#: Judge and human outcomes, as the judge phase would supply them.
EXTERNAL = {
    ("h", "human-1", "t1"): ("fail", None),
    ("h", "human-1", "t3"): ("pass", None),
    ("j", "judge-tone", "t1"): ("fail", "Curt."),
    ("j", "judge-tone", "t2"): ("pass", "Fine."),
    ("j", "judge-tone", "t3"): ("error", "judge endpoint failed after 2 attempts: HTTP 500"),
}


def modes(spec: str = SPEC, only: tuple[str, ...] = ()) -> Any:
    return compile_modes(compile_text(spec), CheckEnv(Path.cwd()), only)


@pytest.mark.parametrize("record", [False, True])
def test_counts_for_every_outcome(record: bool) -> None:
    result = run_batch(modes(), TRACES, EXTERNAL, record=record)
    assert result.traces == 5
    assert result.counts == {
        "a": ModeCounts(
            traces=5, skipped=1, fired=2, passed=1, errors=1,
            guards={"assert-1": GuardCounts(passed=2, failed=2),
                    "assert-2": GuardCounts(passed=2, errors=2)},
        ),
        "h": ModeCounts(
            traces=5, fired=1, passed=1, pending=3,
            guards={"human-1": GuardCounts(passed=1, failed=1, pending=3)},
        ),
        "j": ModeCounts(
            traces=5, fired=1, passed=1, errors=3,
            guards={"judge-tone": GuardCounts(passed=1, failed=1, errors=3)},
        ),
    }  # fmt: skip
    assert result.counts["a"].evaluated == 3  # fired + passed: the rate's denominator


def test_every_verdict_is_recorded_when_asked() -> None:
    result = run_batch(modes(), TRACES, EXTERNAL, record=True)
    got = [(v.trace_id, v.mode, v.guard, v.outcome, v.detail) for v in result.verdicts]
    # trace by trace; within a trace, modes and guards in spec order
    assert got == [
        ("t1", "a", "assert-1", "pass", None),
        ("t1", "a", "assert-2", "pass", None),
        ("t1", "h", "human-1", "fail", None),
        ("t1", "j", "judge-tone", "fail", "Curt."),
        ("t2", "a", "assert-1", "skip", None),
        ("t2", "a", "assert-2", "skip", None),
        ("t2", "h", "human-1", "pending", None),
        ("t2", "j", "judge-tone", "pass", "Fine."),
        ("t3", "a", "assert-1", "fail", 'output does not contain "ok": "no"'),
        ("t3", "a", "assert-2", "pass", None),
        ("t3", "h", "human-1", "pass", None),
        ("t3", "j", "judge-tone", "error", "judge endpoint failed after 2 attempts: HTTP 500"),
        ("t4", "a", "assert-1", "pass", None),
        ("t4", "a", "assert-2", "error", "metadata.lang is missing"),
        ("t4", "h", "human-1", "pending", None),
        ("t4", "j", "judge-tone", "error", "no verdict"),
        ("t5", "a", "assert-1", "fail", 'output does not contain "ok": "nope"'),
        ("t5", "a", "assert-2", "error", "metadata.lang is missing"),
        ("t5", "h", "human-1", "pending", None),
        ("t5", "j", "judge-tone", "error", "no verdict"),
    ]
    assert run_batch(modes(), TRACES, EXTERNAL, record=False).verdicts == []


@pytest.mark.parametrize("record", [False, True])
def test_samples_keep_the_first_failing_traces_one_verdict_each(record: bool) -> None:
    result = run_batch(modes(), TRACES, EXTERNAL, record=record, samples=2)
    assert result.samples["a"] == [
        Verdict(trace_id="t3", mode="a", guard="assert-1", outcome="fail",
                detail='output does not contain "ok": "no"'),
        Verdict(trace_id="t4", mode="a", guard="assert-2", outcome="error",
                detail="metadata.lang is missing"),
    ]  # fmt: skip
    everything = run_batch(modes(), TRACES, EXTERNAL, record=record, samples=10)
    # t5 fails assert-1 and errors on assert-2: one sample, its first failing guard.
    assert [(v.trace_id, v.guard) for v in everything.samples["a"]] == [
        ("t3", "assert-1"),
        ("t4", "assert-2"),
        ("t5", "assert-1"),
    ]
    assert [(v.trace_id, v.outcome) for v in everything.samples["h"]] == [("t1", "fail")]
    assert [(v.trace_id, v.outcome) for v in everything.samples["j"]] == [
        ("t1", "fail"), ("t3", "error"), ("t4", "error"), ("t5", "error"),
    ]  # fmt: skip


WHEN_SPEC = 'mode a {\n  when metadata.lang == "en"\n  assert output contains "ok"\n}\n'
WHEN_TRACES = [trace("t1", output="ok"), trace("t2", output="no", metadata={"lang": "en"})]


@pytest.mark.parametrize("record", [False, True])
def test_a_when_clause_that_cannot_be_evaluated_is_an_error(record: bool) -> None:
    result = run_batch(modes(WHEN_SPEC), WHEN_TRACES, {}, record=record)
    assert result.counts["a"] == ModeCounts(
        traces=2, fired=1, errors=1, guards={"assert-1": GuardCounts(failed=1)}
    )
    if record:
        assert result.verdicts[0] == Verdict(
            trace_id="t1", mode="a", guard="assert-1", outcome="error",
            detail="when: metadata.lang is missing",
        )  # fmt: skip


def test_samples_do_not_depend_on_recording() -> None:
    fast = run_batch(modes(WHEN_SPEC), WHEN_TRACES, {}, record=False)
    general = run_batch(modes(WHEN_SPEC), WHEN_TRACES, {}, record=True)
    assert fast.samples == general.samples


def test_only_the_named_modes_are_compiled() -> None:
    assert [m.name for m in modes(only=("j", "a"))] == ["a", "j"]


def test_batches_merge_into_the_whole() -> None:
    compiled = modes()
    whole = run_batch(compiled, TRACES, EXTERNAL, samples=2)
    merged = BatchResult()
    for part in (TRACES[:2], TRACES[2:3], TRACES[3:]):
        merged.merge(run_batch(compiled, part, EXTERNAL, samples=2), samples=2)
    assert merged.traces == whole.traces
    assert merged.counts == whole.counts
    assert merged.samples == whole.samples
    assert merged.fingerprint == whole.fingerprint


def test_fingerprint_is_order_independent_and_sensitive_to_ids() -> None:
    assert fingerprint_of(TRACES) == fingerprint_of(list(reversed(TRACES)))
    assert fingerprint_of(TRACES) != fingerprint_of([*TRACES[:4], trace("t6", output="x")])
    assert fingerprint_of([]) == 0
