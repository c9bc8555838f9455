"""The example project's spec self-tests green on its reviewed traces (an end-to-end check)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from evalspec.checks import CheckEnv, self_test
from evalspec.lang.load import compile_path
from evalspec.traces.record import Trace

PROJECT = Path(__file__).resolve().parents[2] / "examples" / "support"


def test_support_spec_self_tests_green() -> None:
    doc = compile_path(PROJECT / "support.eval", root=PROJECT)
    decoder = msgspec.json.Decoder(Trace)
    traces = {}
    for path in sorted((PROJECT / "reviewed").glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            if line.strip():
                t = decoder.decode(line)
                traces[t.id] = t
    env = CheckEnv(root=PROJECT)
    results = [r for mode in doc.modes for r in self_test(mode, traces, env)]
    assert results and all(r.ok for r in results), [r for r in results if not r.ok]
