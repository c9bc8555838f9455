"""``evalspec baseline``: writes counts and rates to the lock, only from a passing state."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalspec.run.baseline import JudgeCalibration, Lock, SpecLock, read_lock, write_lock

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: The ``evalspec`` fixture: runs a command, returns its code, stdout and stderr.
Evalspec = Callable[..., Any]

SPEC = """\
suite s {
  traces "traces/*.jsonl"
}

mode short {
  max_rate 50%
  assert len(output) <= 12
}

mode polite {
  when input contains "?"
  assert output icontains "please"
}

mode manual {
  human "Read it"
}
"""
TRACES = [
    {"id": "t1", "input": "hi?", "output": "ok, please"},
    {"id": "t2", "input": "yo", "output": "fine"},
    {"id": "t3", "input": "x?", "output": "far too long, please"},
    {"id": "t4", "input": "why?", "output": "no"},
]
CALIBRATION = JudgeCalibration(
    model="m", prompt_sha256="p", labels_sha256="l", labels=100, split=[15, 40, 45], seed=42,
    train=15, dev=40, test=45, dev_tpr="0.9", dev_tnr="0.8", tpr="0.88", tnr="0.75", tp=22,
    fn=3, tn=15, fp=5, calibrated="2026-11-20",
)  # fmt: skip


def write_traces(root: Path, records: list[dict[str, Any]]) -> None:
    folder = root / "traces"
    folder.mkdir(exist_ok=True)
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")


@pytest.fixture
def small(workdir: Path) -> Path:
    (workdir / "s.eval").write_text(SPEC, encoding="utf-8")
    write_traces(workdir, TRACES)
    return workdir


def test_writes_counts_and_rates(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("baseline", "s.eval")
    assert (ran.code, ran.out) == (0, "")
    lock_path = small / "evalspec.lock"
    assert ran.err == f"wrote {lock_path.as_posix()}: 3 modes, 4 traces\n"
    data = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    entry = data["specs"]["s.eval"]
    assert entry["modes"] == {
        "short": {"evaluated": 4, "fired": 1, "rate": "0.25"},
        "polite": {"evaluated": 3, "fired": 1, "rate": "0.333333"},
        "manual": {"evaluated": 0, "fired": 0, "rate": "0"},
    }
    assert entry["traces"] == 4 and entry["fingerprint"].startswith("4:")
    assert len(entry["sha256"]) == 64
    assert (data["version"], data["evalspec"]) == (1, "0.1.0")
    # A check right after the baseline compares with it, and passes.
    ran = evalspec("check", "s.eval", "--format", "json")
    gates = {m["mode"]: [g["gate"] for g in m["gates"]] for m in json.loads(ran.out)["modes"]}
    assert ran.code == 0
    assert gates == {
        "short": ["max_rate", "baseline"],
        "polite": ["baseline"],
        "manual": ["baseline"],
    }


def test_output_option(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("baseline", "s.eval", "-o", "other.lock")
    assert ran.code == 0
    assert not (small / "evalspec.lock").exists()
    assert read_lock(small / "other.lock").specs["s.eval"].modes["short"].fired == 1


def test_refuses_when_a_gate_fails_unless_forced(small: Path, evalspec: Evalspec) -> None:
    write_traces(small, [*TRACES, {"id": "t5", "output": "also far too long"}] * 1)
    (small / "s.eval").write_text(SPEC.replace("max_rate 50%", "max_rate 10%"), "utf-8")
    ran = evalspec("baseline", "s.eval")
    assert (ran.code, ran.out) == (1, "")
    assert ran.err == "not written: short: max_rate gate failed (use --force to record it)\n"
    assert not (small / "evalspec.lock").exists()
    forced = evalspec("baseline", "s.eval", "--force")
    assert forced.code == 0
    assert read_lock(small / "evalspec.lock").specs["s.eval"].modes["short"].fired == 2


def test_keeps_the_judges_written_by_calibrate(small: Path, evalspec: Evalspec) -> None:
    lock_path = small / "evalspec.lock"
    write_lock(
        lock_path,
        Lock(specs={"s.eval": SpecLock(judges={"tone/tone": CALIBRATION}),
                    "other.eval": SpecLock(traces=9)}),
    )  # fmt: skip
    assert evalspec("baseline", "s.eval").code == 0
    lock = read_lock(lock_path)
    assert lock.specs["s.eval"].judges == {"tone/tone": CALIBRATION}
    assert lock.specs["s.eval"].modes["short"].rate == "0.25"
    assert lock.specs["other.eval"] == SpecLock(traces=9)


def test_an_invalid_lock_is_not_overwritten(small: Path, evalspec: Evalspec) -> None:
    (small / "evalspec.lock").write_text("this is not toml =\n", encoding="utf-8")
    ran = evalspec("baseline", "s.eval")
    assert ran.code == 2
    assert "error[ES601]: the lock file is not valid" in ran.err
    assert (small / "evalspec.lock").read_text(encoding="utf-8") == "this is not toml =\n"


def test_incomplete_evaluation_is_not_recorded(small: Path, evalspec: Evalspec) -> None:
    (small / "s.eval").write_text(
        SPEC.replace("suite s {\n", 'suite s {\n  judge {\n    model "m"\n  }\n')
        + '\nmode rude {\n  judge tone {\n    prompt "Rude? {{output}}"\n  }\n}\n',
        encoding="utf-8",
    )
    ran = evalspec("baseline", "s.eval", "--offline")
    assert ran.code == 3
    assert ran.err == "not written: the evaluation is incomplete (judge verdicts missing)\n"
    assert not (small / "evalspec.lock").exists()
