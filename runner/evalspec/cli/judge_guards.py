"""``evalspec judge calibrate|compare|export``: the commands that ask a judge about labelled traces.

Kept apart from ``cli/judge.py`` (``estimate`` needs no network), and imported only when one of
them runs: the judge client pulls in httpx.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from evalspec import ir
from evalspec.cli._common import exit_with, load_specs
from evalspec.cli.judge import judge
from evalspec.run.calibration import Calibration
from evalspec.run.check import Spec
from evalspec.run.labels import Label, read_labels


def _one_spec(path: Path, root: Path | None) -> Spec:
    """The one spec a judge command works on; a folder must hold exactly one.

    (A folder with two specs used to crash with "too many values to unpack".)
    """
    specs = load_specs([path], root)
    if len(specs) != 1:
        names = ", ".join(s.path for s in specs)
        raise click.BadParameter(f"name one spec, not a folder of {len(specs)}: {names}")
    return specs[0]


def _read_labels(path: Path, shown: str) -> list[Label]:
    """Read labels; say which lines are skipped (ES609) instead of dropping them silently."""
    labels, problems = read_labels(path, shown)
    for problem in problems:
        click.echo(problem.headline(), err=True)
    return labels


@judge.command("calibrate")
@click.argument("spec", type=click.Path(exists=True, path_type=Path))
@click.option("--mode", help="Only the judges of this mode.")
@click.option("--judge", "name", help="Only the judge with this name.")
@click.option("--offline", is_flag=True, help="Use cached verdicts only.")
@click.option(
    "--lock",
    "lock_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Lock file to update (default: evalspec.lock at the project root).",
)
@click.option("--judge-cache", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, path_type=Path))
def calibrate_command(
    spec: Path,
    mode: str | None,
    name: str | None,
    offline: bool,
    lock_path: Path | None,
    judge_cache: Path | None,
    root: Path | None,
) -> None:
    """Measure each judge's TPR and TNR on its labels and record them in the lock.

    The labels are split train/dev/test as the spec declares (seeded): few-shot examples come
    from train only, dev is for iterating on the prompt, test gives the TPR and TNR that correct
    the judge's rates in `check`. Exit codes: 0 recorded, 2 invalid input, 3 verdicts missing.
    """
    from evalspec.run.baseline import LOCK_NAME, SpecLock, read_lock, write_lock
    from evalspec.run.calibration import calibrate, judge_guards
    from evalspec.run.judging import open_store

    loaded = _one_spec(spec, root)
    store = open_store(loaded.root, loaded.doc.suite, judge_cache)
    path = lock_path or loaded.root / LOCK_NAME
    lock = read_lock(path)
    entry = lock.specs.setdefault(loaded.doc.path, SpecLock())
    incomplete = False
    for mode_ir, guard in judge_guards(loaded.doc, mode, name):
        result = calibrate(loaded.root, loaded.doc, mode_ir, guard, store, offline, dt.date.today())
        _show(result)
        incomplete = incomplete or bool(result.incomplete)
        if result.entry is not None:
            entry.judges[result.key] = result.entry
    write_lock(path, lock)
    click.echo(f"updated {path.as_posix()}", err=True)
    exit_with(3 if incomplete else 0)


def _show(result: Calibration) -> None:
    click.echo(f"{result.key}")
    for name, conf in (("dev", result.dev), ("test", result.test)):
        click.echo(
            f"  {name:<4}  TPR {_fmt(conf.tpr)}  TNR {_fmt(conf.tnr)}  "
            f"(tp {conf.tp}, fn {conf.fn}, tn {conf.tn}, fp {conf.fp})"
        )
    for warning in result.warnings:
        click.echo(f"  warning: {warning}")
    if result.incomplete:
        click.echo(f"  {result.incomplete} verdict(s) missing: not recorded")


def _fmt(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "  -  "


@judge.command("compare")
@click.argument("mode")
@click.argument("spec", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labels to compare with (default: the judge's labels, else the suite's).",
)
@click.option("--offline", is_flag=True, help="Use cached judge verdicts only.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path))
def compare_command(
    mode: str, spec: Path, labels_path: Path | None, offline: bool, root: Path | None
) -> None:
    """Show how every guard of MODE agrees with the human labels (EvalGen's figures).

    Coverage: share of human-FAIL traces the guard flags (TNR). False-failure rate: share of
    human-PASS traces it flags (1 - TPR). Alignment: their harmonic mean.
    Exit codes: 0 shown, 2 invalid input, 3 judge verdicts missing (figures left incomplete).
    """
    from evalspec.run.calibration import compare
    from evalspec.run.judging import open_store

    loaded = _one_spec(spec, root)
    mode_ir = next((m for m in loaded.doc.modes if m.name == mode), None)
    if mode_ir is None:
        raise click.BadParameter(f"no mode named '{mode}'", param_hint="MODE")
    labels = _labels_for(loaded, mode_ir, labels_path)
    store = open_store(loaded.root, loaded.doc.suite, None)
    rows = compare(loaded.root, loaded.doc, mode_ir, labels, store, offline)
    click.echo(
        f"{'guard':<14}{'kind':<8}{'coverage':>9}{'FFR':>7}{'alignment':>11}"
        f"{'TPR':>7}{'TNR':>7}{'n':>6}{'errors':>8}"
    )
    for row in rows:
        c = row.confusion
        n = c.positives + c.negatives
        # With nothing compared, coverage 1 and FFR 0 are vacuous: a judge that never
        # answered used to show a perfect alignment of 1.000.
        cov, ffr, align = (c.coverage, c.false_failure_rate, c.alignment) if n else (None,) * 3
        click.echo(
            f"{row.guard:<14}{row.kind:<8}{_fmt(cov):>9}{_fmt(ffr):>7}"
            f"{_fmt(align):>11}{_fmt(c.tpr):>7}{_fmt(c.tnr):>7}"
            f"{n:>6}{row.errors:>8}"
        )
    lost = [row for row in rows if row.missing]
    for row in lost:
        click.echo(f"{row.guard}: {row.missing} verdict(s) missing: {row.reason}", err=True)
    exit_with(3 if lost else 0)


def _labels_for(spec: Spec, mode: ir.Mode, path: Path | None) -> list[Label]:
    if path is not None:
        labels = _read_labels(path, path.as_posix())
        return [lab for lab in labels if lab.mode in (None, mode.name)]
    judge_labels = next(
        (g.labels for g in mode.guards if isinstance(g, ir.JudgeGuard) and g.labels), None
    )
    if judge_labels is not None:
        labels = _read_labels(spec.root / judge_labels, judge_labels)
        return list(labels)
    suite = spec.doc.suite
    if suite is None or suite.labels is None:
        raise click.UsageError("no labels: pass --labels or declare labels in the suite")
    labels = _read_labels(spec.root / suite.labels, suite.labels)
    return [
        lab for lab in labels
        if lab.mode == mode.name or (lab.mode is None and lab.label == "pass")
    ]  # fmt: skip


@judge.command("export")
@click.argument("spec", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL file to write (default: the suite's judge `cache` file).",
)
@click.option("--judge-cache", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, path_type=Path))
def export_command(
    spec: Path, output: Path | None, judge_cache: Path | None, root: Path | None
) -> None:
    """Write every cached verdict (replayed and local) to a diffable JSONL file to commit.

    With that file named as `cache` in the suite's judge block, CI replays the verdicts with no
    API key and no call.
    """
    from evalspec.run.judging import open_store

    loaded = _one_spec(spec, root)
    suite = loaded.doc.suite
    target = output or (
        loaded.root / suite.judge.cache if suite and suite.judge and suite.judge.cache else None
    )
    if target is None:
        raise click.UsageError("no output: pass -o FILE or set `cache` in the suite's judge block")
    store = open_store(loaded.root, suite, judge_cache)
    if store.replay is not None:
        store.local.import_jsonl(store.replay.path)
    target.parent.mkdir(parents=True, exist_ok=True)  # the first export of a fresh project
    count = store.local.export_jsonl(target)
    click.echo(f"wrote {count} verdicts to {target.as_posix()}", err=True)
