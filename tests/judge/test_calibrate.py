"""A judge guard's split, prompt and calibration drift, shared by check, lint and calibrate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evalspec import ir
from evalspec.diagnostics import Span
from evalspec.judge.calibrate import calibration_drift, guard_split, read_prompt, split_items
from evalspec.run.baseline import JudgeCalibration

SPAN = Span(1, 1, 1, 2)


def judge(**fields: object) -> ir.JudgeGuard:
    base: dict[str, object] = {
        "id": "judge-tone", "name": "tone", "prompt": None, "prompt_file": "prompt.txt",
        "labels": "labels.jsonl", "split": None, "seed": None, "model": None, "span": SPAN,
    }  # fmt: skip
    return ir.JudgeGuard(**{**base, **fields})  # type: ignore[arg-type]


def calibrated(prompt: bytes, labels: bytes) -> JudgeCalibration:
    return JudgeCalibration(
        model="m", prompt_sha256=hashlib.sha256(prompt).hexdigest(),
        labels_sha256=hashlib.sha256(labels).hexdigest(), labels=20, split=[15, 40, 45],
        seed=42, train=3, dev=8, test=9, dev_tpr="", dev_tnr="", tpr="0.9", tnr="0.8",
        tp=9, fn=1, tn=8, fp=2, calibrated="2026-11-20",
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "prompt.txt").write_text("Is {{output}} rude?", encoding="utf-8")
    (tmp_path / "labels.jsonl").write_bytes(b'{"trace_id": "t1", "label": "pass"}\n')
    return tmp_path


def test_guard_split_fills_in_the_default_split_and_seed() -> None:
    items = list(range(20))
    assert guard_split(judge(), items) == split_items(items, (15, 40, 45), 42)
    custom = guard_split(judge(split=ir.Split(20, 40, 40), seed=7), items)
    assert custom == split_items(items, (20, 40, 40), 7)
    assert (custom.percent, custom.seed, len(custom.train)) == ((20, 40, 40), 7, 4)


def test_read_prompt_is_inline_text_or_the_file(project: Path) -> None:
    assert read_prompt(project, judge(prompt="inline", prompt_file=None)) == "inline"
    assert read_prompt(project, judge()) == "Is {{output}} rude?"
    with pytest.raises(OSError):
        read_prompt(project, judge(prompt_file="gone.txt"))


def test_drift_names_what_changed_since_calibration(project: Path) -> None:
    lock = calibrated(b"Is {{output}} rude?", b'{"trace_id": "t1", "label": "pass"}\n')
    assert calibration_drift(project, judge(), lock) == []
    (project / "labels.jsonl").write_bytes(b'{"trace_id": "t1", "label": "fail"}\n')
    assert calibration_drift(project, judge(), lock) == ["labels"]
    (project / "prompt.txt").write_text("Is {{output}} curt?", encoding="utf-8")
    assert calibration_drift(project, judge(), lock) == ["prompt", "labels"]


def test_an_unreadable_file_is_not_drift(project: Path) -> None:
    lock = calibrated(b"old prompt", b"old labels")
    guard = judge(prompt_file="gone.txt", labels="gone.jsonl")
    assert calibration_drift(project, guard, lock) == []
    (project / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    assert calibration_drift(project, judge(prompt_file="bad.txt"), lock) == ["labels"]
