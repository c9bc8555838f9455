"""``evalspec baseline``: record the current rates in ``evalspec.lock`` for later checks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from evalspec import ir
from evalspec._version import __version__
from evalspec.cli._common import exit_with, load_specs
from evalspec.run.baseline import LOCK_NAME, ModeBaseline, SpecLock, read_lock, write_lock
from evalspec.run.check import CheckOptions, SpecRun, run_check
from evalspec.run.stats import decimal_string


@click.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--traces", "traces", multiple=True, help="Trace files or globs instead of the suite's."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Lock file to write (default: {LOCK_NAME} at the project root).",
)
@click.option("--force", is_flag=True, help="Write even when a max_rate gate or a self-test fails.")
@click.option("--allow-exec", is_flag=True, help="Let run/python guards execute code.")
@click.option("--offline", is_flag=True, help="Judge from cached verdicts only.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=1)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path))
def baseline(
    paths: tuple[Path, ...],
    traces: tuple[str, ...],
    output: Path | None,
    force: bool,
    allow_exec: bool,
    offline: bool,
    jobs: int,
    root: Path | None,
) -> None:
    """Evaluate the specs and write their per-mode rates to the lock file.

    The lock keeps judge calibrations written by `evalspec judge calibrate`. A baseline is only
    written from a passing state (max_rate gates and self-tests), unless --force.
    Exit codes: 0 written, 1 not written because a gate failed, 2 invalid input, 3 incomplete.
    """
    specs = load_specs(paths or (Path("."),), root)
    path = output or specs[0].root / LOCK_NAME
    options = CheckOptions(traces=traces, allow_exec=allow_exec, offline=offline, jobs=jobs)
    results, runs = run_check(specs, options)
    if results.exit_code == 3:
        click.echo("not written: the evaluation is incomplete (judge verdicts missing)", err=True)
        exit_with(3)
    failed = [(m.mode, g.gate) for m in results.modes for g in m.gates if not g.passed]
    if failed and not force:
        for mode, gate in failed:
            click.echo(
                f"not written: {mode}: {gate} gate failed (use --force to record it)", err=True
            )
        exit_with(1)
    lock = read_lock(path)
    lock.evalspec = __version__
    for run in runs:
        previous = lock.specs.get(run.spec.doc.path, SpecLock())
        lock.specs[run.spec.doc.path] = _spec_lock(run, previous)
    write_lock(path, lock)
    click.echo(
        f"wrote {path.as_posix()}: {sum(len(r.modes) for r in runs)} modes, "
        f"{results.traces.count} traces",
        err=True,
    )


def _spec_lock(run: SpecRun, previous: SpecLock) -> SpecLock:
    counts = run.output.result
    modes = {
        m.mode: ModeBaseline(
            evaluated=m.evaluated,
            fired=m.fired,
            rate=decimal_string(m.fired / m.evaluated) if m.evaluated else "0",
        )
        for m in run.modes
    }
    digest = hashlib.sha256(ir.encode(run.spec.doc)).hexdigest()
    fingerprint = f"{counts.traces}:{counts.fingerprint:016x}"
    return SpecLock(
        sha256=digest,
        traces=counts.traces,
        fingerprint=fingerprint,
        modes=modes,
        judges=previous.judges,
    )
