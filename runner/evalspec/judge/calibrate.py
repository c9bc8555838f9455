"""Calibrating a judge against human labels: deterministic splits, few-shot examples, TPR/TNR.

The split follows the course practice (``random.seed(seed)``, shuffle, then slice): train feeds the
few-shot examples and nothing else; dev is for iterating on the prompt; test is measured once and
its TPR and TNR correct the judge's rates in ``check``. Pass (the mode absent) is the positive
class, as in judgy.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from evalspec import ir
from evalspec.judge.estimate import Confusion, confusion

if TYPE_CHECKING:
    from evalspec.judge.templates import FewShot
    from evalspec.run.baseline import JudgeCalibration

T = TypeVar("T")
#: Few-shot examples shown to the judge at most (gains plateau after a handful).
MAX_SHOTS = 4
#: A judge guard's split (train, dev, test percentages) and seed when it names none.
DEFAULT_SPLIT = (15, 40, 45)
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Split:
    """Train, dev and test parts of a labelled set, and the percentages and seed that cut it."""

    train: list[Any]
    dev: list[Any]
    test: list[Any]
    percent: tuple[int, ...] = DEFAULT_SPLIT
    seed: int = DEFAULT_SEED


def split_items(
    items: Sequence[T], percent: Sequence[int] = DEFAULT_SPLIT, seed: int = DEFAULT_SEED
) -> Split:
    """Shuffle a copy with ``random.Random(seed)`` and cut it at the train and dev percentages.

    >>> s = split_items(list(range(20)), (15, 40, 45), 42)
    >>> len(s.train), len(s.dev), len(s.test)
    (3, 8, 9)
    """
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    n = len(shuffled)
    first = int(percent[0] / 100 * n)
    second = int((percent[0] + percent[1]) / 100 * n)
    return Split(shuffled[:first], shuffled[first:second], shuffled[second:], tuple(percent), seed)


def guard_split(guard: ir.JudgeGuard, items: Sequence[T]) -> Split:
    """Split a judge's labelled items as the guard says (``split``, ``seed``), else by default."""
    percent = (guard.split.train, guard.split.dev, guard.split.test) if guard.split else None
    seed = guard.seed if guard.seed is not None else DEFAULT_SEED
    return split_items(items, percent or DEFAULT_SPLIT, seed)


def few_shots(train: Sequence[tuple[Any, str, str]]) -> list[FewShot]:
    """Pick up to :data:`MAX_SHOTS` examples from ``(trace, "pass"|"fail", note)``, both classes.

    Examples alternate between the classes in train order, so the judge sees at least one PASS
    and one FAIL whenever train has both.
    """
    from evalspec.judge.templates import FewShot  # lint reads drift from here, never templates

    passes = [t for t in train if t[1] == "pass"]
    fails = [t for t in train if t[1] == "fail"]
    chosen: list[tuple[Any, str, str]] = []
    while len(chosen) < MAX_SHOTS and (passes or fails):
        for pool in (fails, passes):
            if pool and len(chosen) < MAX_SHOTS:
                chosen.append(pool.pop(0))
    return [
        FewShot(trace=t, result=label.upper(), critique=note or "", split="train")  # type: ignore[arg-type]
        for t, label, note in chosen
    ]


def measure(labels: Sequence[str], verdicts: Sequence[str]) -> Confusion:
    """TPR/TNR of judge ``verdicts`` against human ``labels`` ("pass"/"fail"); errors excluded."""
    pairs = [(lab, v) for lab, v in zip(labels, verdicts, strict=False) if v in ("pass", "fail")]
    return confusion([int(lab == "pass") for lab, _ in pairs], [int(v == "pass") for _, v in pairs])


def sha256_file(path: Path) -> str:
    """The content hash recorded in the lock, to notice labels or prompts that changed."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_text(text: str) -> str:
    """Hash an inline prompt the same way."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_prompt(root: Path, guard: ir.JudgeGuard) -> str:
    """A judge's prompt template: inline, or read from its file.

    Raises:
        OSError, UnicodeDecodeError: the prompt file cannot be read as UTF-8 text.
    """
    if guard.prompt is not None:
        return guard.prompt
    return (root / (guard.prompt_file or "")).read_text(encoding="utf-8")


def calibration_drift(root: Path, guard: ir.JudgeGuard, calibration: JudgeCalibration) -> list[str]:
    """What changed since the lock's calibration of a judge: ``"prompt"``, ``"labels"``, both.

    A file that cannot be read is not counted as changed: the compiler reports it (ES039).
    """
    changed = []
    try:
        if sha256_text(read_prompt(root, guard)) != calibration.prompt_sha256:
            changed.append("prompt")
    except (OSError, UnicodeDecodeError):
        pass
    try:
        if guard.labels and sha256_file(root / guard.labels) != calibration.labels_sha256:
            changed.append("labels")
    except OSError:
        pass
    return changed
