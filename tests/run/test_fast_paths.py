"""The engine's shortcuts give exactly the reference results.

The code-only hot loop (taken when verdicts are not recorded) and the projected decoding of plain
evalspec JSONL must count every conformance run case exactly as the general path does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance_goldens import run_cases
from evalspec.checks import CheckEnv
from evalspec.lang.load import compile_path
from evalspec.run.engine import compile_modes, run_batch
from evalspec.run.views import fields_read, view_type
from evalspec.traces import read_traces


@pytest.mark.parametrize("case", run_cases(), ids=lambda c: c.name)
def test_code_only_loop_counts_like_the_general_path(case: Path) -> None:
    doc = compile_path(case / "spec.eval", root=case)
    modes = compile_modes(doc, CheckEnv(case))
    traces = list(read_traces(["traces/*.jsonl"], base_dir=case))
    fast = run_batch(modes, traces, {}, record=False)
    general = run_batch(modes, traces, {}, record=True)
    for name, counts in general.counts.items():
        assert fast.counts[name] == counts, name


def test_projection_keeps_only_the_fields_guards_read(project: Path) -> None:
    spec = project / "s.eval"
    spec.write_text(
        'mode m {\n  when metadata.channel == "web"\n  assert len(output) < 10\n'
        '  assert tool_called "x"\n}\n',
        encoding="utf-8",
    )
    fields = fields_read(compile_path(spec))
    assert fields == frozenset({"id", "metadata", "output", "tool_calls"})
    view = view_type(fields)
    assert set(view.__struct_fields__) == fields


def test_programs_and_judges_need_the_whole_record(project: Path) -> None:
    spec = project / "s.eval"
    spec.write_text('mode m {\n  assert run "true"\n}\n', encoding="utf-8")
    assert fields_read(compile_path(spec)) is None
