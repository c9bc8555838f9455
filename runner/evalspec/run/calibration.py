"""Measure judges (and every other guard) against human labels.

``calibrate``: split a judge's labels (seeded), show it few-shot examples from train only, grade
dev and test, and return TPR/TNR for the lock. ``compare``: EvalGen's coverage, false-failure
rate and alignment of every guard of a mode on the labelled traces, so a team sees whether a cheap
code guard agrees with the humans as well as the judge does. Pass (the mode absent) is positive.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr, evaluate
from evalspec.errors import UsageError
from evalspec.judge.calibrate import Split, measure, read_prompt, sha256_file, sha256_text
from evalspec.judge.client import JudgeClient
from evalspec.judge.estimate import Confusion
from evalspec.judge.templates import FewShot, render
from evalspec.run.baseline import JudgeCalibration
from evalspec.run.judging import (
    LayeredStore,
    labelled_traces,
    not_judged,
    settings_for,
    split_labelled,
)
from evalspec.run.labels import Label, read_labels
from evalspec.run.stats import decimal_string
from evalspec.traces import Trace

#: Below these, calibration warns: the interval of a corrected rate gets wide.
MIN_LABELS = 60
MIN_PER_CLASS = 10


@dataclass
class Calibration:
    """What ``judge calibrate`` measured for one judge, and what it warns about."""

    key: str
    dev: Confusion
    test: Confusion
    entry: JudgeCalibration | None
    warnings: list[str] = field(default_factory=list)
    incomplete: int = 0


def judge_guards(
    doc: ir.EvalFile, mode: str | None, name: str | None
) -> list[tuple[ir.Mode, ir.JudgeGuard]]:
    """The judge guards of a spec, optionally of one mode and one judge name."""
    found = [
        (m, g) for m in doc.modes for g in m.guards
        if isinstance(g, ir.JudgeGuard) and (mode is None or m.name == mode)
        and (name is None or g.name == name)
    ]  # fmt: skip
    if not found:
        raise UsageError("no judge guard matches" + (f" mode '{mode}'" if mode else ""))
    return found


def calibrate(
    root: Path,
    doc: ir.EvalFile,
    mode: ir.Mode,
    guard: ir.JudgeGuard,
    store: LayeredStore,
    offline: bool,
    today: dt.date,
) -> Calibration:
    """Grade the dev and test splits of the judge's labels and measure TPR and TNR."""
    if guard.labels is None:
        raise UsageError(
            f"judge '{guard.name}' of mode '{mode.name}' has no labels to calibrate on"
        )
    labels, bad = read_labels(root / guard.labels, guard.labels)
    pairs = labelled_traces(root, doc.suite, labels)
    split, shots = split_labelled(guard, pairs)
    template = read_prompt(root, guard)
    settings = settings_for(doc.suite, guard, offline)
    graded = asyncio.run(_grade(settings, store, template, shots, split.dev + split.test))
    dev_verdicts, test_verdicts = graded[: len(split.dev)], graded[len(split.dev) :]
    dev = measure([lab.label or "" for _, lab in split.dev], [v for v, _ in dev_verdicts])
    test = measure([lab.label or "" for _, lab in split.test], [v for v, _ in test_verdicts])
    incomplete = sum(1 for v, reason in graded if v == "error" and not_judged(reason))
    # Invalid label lines are skipped, and said so (they used to vanish without a word).
    skipped = [f"{d.path}:{d.span.line if d.span else 0}: {d.message}; skipped" for d in bad]
    result = Calibration(
        f"{mode.name}/{guard.name}", dev, test, None, skipped + _warnings(pairs, test), incomplete
    )
    if not incomplete and test.tpr is not None and test.tnr is not None:
        result.entry = _entry(
            root, guard, settings.model, template, len(pairs), split, dev, test, today
        )
    return result


async def _grade(
    settings: object,
    store: LayeredStore,
    template: str,
    shots: list[FewShot],
    items: Sequence[tuple[Trace, Label]],
) -> list[tuple[str, str]]:
    async with JudgeClient(settings, store) as client:  # type: ignore[arg-type]
        verdicts = await client.grade_many([render(template, t, shots) for t, _ in items])
    return [(v.result, v.reason) for v in verdicts]


def _warnings(pairs: Sequence[tuple[Trace, Label]], test: Confusion) -> list[str]:
    out = []
    passes = sum(1 for _, lab in pairs if lab.label == "pass")
    fails = len(pairs) - passes
    if len(pairs) < MIN_LABELS:
        out.append(f"only {len(pairs)} labels: aim for about 100 (at least {MIN_LABELS})")
    if min(passes, fails) < MIN_PER_CLASS:
        out.append(
            f"labels are unbalanced ({passes} pass, {fails} fail): TNR or TPR is barely "
            "measurable; label more of the rarer class"
        )
    if test.tpr is not None and test.tnr is not None and test.tpr + test.tnr - 1 < 0.2:
        out.append(
            "TPR + TNR - 1 is below 0.2: the judge is close to chance and its rates "
            "cannot be corrected reliably"
        )
    if test.tpr is None or test.tnr is None:
        out.append("the test split lacks a class: TPR or TNR cannot be measured")
    return out


def _entry(
    root: Path,
    guard: ir.JudgeGuard,
    model: str,
    template: str,
    labels: int,
    split: Split,
    dev: Confusion,
    test: Confusion,
    today: dt.date,
) -> JudgeCalibration:
    prompt_hash = sha256_text(template)
    return JudgeCalibration(
        model=model, prompt_sha256=prompt_hash,
        labels_sha256=sha256_file(root / (guard.labels or "")), labels=labels,
        split=list(split.percent), seed=split.seed,
        train=len(split.train), dev=len(split.dev), test=len(split.test),
        dev_tpr=_rate(dev.tpr), dev_tnr=_rate(dev.tnr), tpr=_rate(test.tpr), tnr=_rate(test.tnr),
        tp=test.tp, fn=test.fn, tn=test.tn, fp=test.fp, calibrated=today.isoformat(),
    )  # fmt: skip


def _rate(value: float | None) -> str:
    return decimal_string(value) if value is not None else ""


@dataclass
class GuardAgreement:
    """How one guard (or all of them together) agrees with the human labels."""

    guard: str
    kind: str
    confusion: Confusion
    errors: int
    #: Judge verdicts that never arrived (endpoint down, offline miss): without them the
    #: figures are measured on what happened to be answered, or on nothing at all.
    missing: int = 0
    reason: str = ""


def compare(
    root: Path,
    doc: ir.EvalFile,
    mode: ir.Mode,
    labels: Sequence[Label],
    store: LayeredStore | None,
    offline: bool,
) -> list[GuardAgreement]:
    """Evaluate every guard of ``mode`` on the labelled traces and compare with the labels."""
    pairs, shots = _held_out(root, doc, mode, labelled_traces(root, doc.suite, labels))
    if not pairs:
        raise UsageError(f"no labelled trace found for mode '{mode.name}'")
    env = CheckEnv(root)
    columns: dict[str, list[str]] = {}
    missing: dict[str, tuple[int, str]] = {}
    for guard in mode.guards:
        if isinstance(guard, ir.AssertGuard):
            check = compile_expr(guard.expr, env)
            columns[guard.id] = [evaluate(check, t)[0].value for t, _ in pairs]
        elif isinstance(guard, ir.JudgeGuard) and store is not None:
            settings = settings_for(doc.suite, guard, offline)
            graded = asyncio.run(_grade(settings, store, read_prompt(root, guard), shots, pairs))
            columns[guard.id] = [v for v, _ in graded]
            lost = [r for v, r in graded if v == "error" and not_judged(r)]
            if lost:
                missing[guard.id] = (len(lost), lost[0])
    human = [lab.label or "" for _, lab in pairs]
    rows = [_agreement(gid, _kind(mode, gid), human, verdicts) for gid, verdicts in columns.items()]
    if len(columns) > 1:
        combined = [_any_fail([c[i] for c in columns.values()]) for i in range(len(pairs))]
        rows.append(_agreement("all guards", "set", human, combined))
    for row in rows:
        row.missing, row.reason = missing.get(row.guard, (0, ""))
    return rows


def _held_out(
    root: Path, doc: ir.EvalFile, mode: ir.Mode, pairs: list[tuple[Trace, Label]]
) -> tuple[list[tuple[Trace, Label]], list[FewShot]]:
    """The items every guard is compared on, and the judge's few-shot examples.

    When the mode's judge has a split, its train items are left out (the judge was shown them,
    so they would flatter it) and the judge sees the same few-shot examples as in ``check`` and
    ``calibrate``, so their cached verdicts are reused.
    """
    judge = next((g for g in mode.guards if isinstance(g, ir.JudgeGuard) and g.labels), None)
    if judge is None:
        return pairs, []
    split, shots = split_labelled(judge, pairs)
    return split.dev + split.test, shots


def _kind(mode: ir.Mode, guard_id: str) -> str:
    return next(ir.kind_of(g) for g in mode.guards if g.id == guard_id)


def _any_fail(outcomes: list[str]) -> str:
    if "fail" in outcomes:
        return "fail"
    return "error" if "error" in outcomes else "pass"


def _agreement(guard: str, kind: str, human: list[str], verdicts: list[str]) -> GuardAgreement:
    errors = sum(1 for v in verdicts if v not in ("pass", "fail"))
    return GuardAgreement(guard, kind, measure(human, verdicts), errors)
