"""``evalspec check``: run the guards over the traces and gate the result."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from evalspec.cli._common import exit_with, load_specs, open_output
from evalspec.diagnostics import Diagnostic
from evalspec.report import FORMATS, NEEDS_VERDICTS, reporter
from evalspec.run.baseline import LOCK_NAME, read_lock
from evalspec.run.check import CheckOptions, run_check


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--traces",
    "traces",
    multiple=True,
    help="Trace files or globs to check instead of the suite's (repeatable).",
)
@click.option("--trace-format", "trace_format", help="Format of the traces (default: detected).")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Lock file to compare with (default: {LOCK_NAME} at the project root).",
)
@click.option("--no-baseline", is_flag=True, help="Do not compare with any baseline.")
@click.option("--mode", "modes", multiple=True, help="Check only this mode (repeatable).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Worker processes for large evalspec JSONL trace sets.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here instead of standard output.",
)
@click.option("--allow-exec", is_flag=True, help="Let run/python guards execute code.")
@click.option("--strict", is_flag=True, help="Treat problems in trace files as errors (exit 2).")
@click.option(
    "--offline", is_flag=True, help="Judge from cached verdicts only; report what is missing."
)
@click.option(
    "--judge-cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Local judge verdict cache (default: .evalspec/judge-cache.sqlite).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project root (default: found from each spec).",
)
def check(
    paths: tuple[Path, ...],
    traces: tuple[str, ...],
    trace_format: str | None,
    baseline: Path | None,
    no_baseline: bool,
    modes: tuple[str, ...],
    jobs: int,
    fmt: str,
    output: Path | None,
    allow_exec: bool,
    strict: bool,
    offline: bool,
    judge_cache: Path | None,
    root: Path | None,
) -> None:
    """Check specs (PATHS: .eval or IR JSON files, or folders) against their traces.

    Exit codes: 0 every gate passed; 1 a gate or a self-test failed; 2 the spec, the traces or
    the command line are invalid; 3 the evaluation could not complete (judge verdicts missing).
    """
    specs = load_specs(paths or (Path("."),), root)
    lock_path = baseline or specs[0].root / LOCK_NAME
    if baseline is not None and not baseline.exists():
        raise click.BadParameter(f"no such lock file: {baseline}", param_hint="--baseline")
    options = CheckOptions(
        traces=traces, trace_format=trace_format, modes=modes, jobs=jobs, allow_exec=allow_exec,
        strict=strict, record=fmt in NEEDS_VERDICTS, offline=offline, judge_cache=judge_cache,
        lock=None if no_baseline else read_lock(lock_path), progress=_progress(),
    )  # fmt: skip
    results, runs = run_check(specs, options)
    spools = [r.output.spool for r in runs if r.output.spool is not None]
    verdicts = (v for spool in spools for v in spool)
    try:
        with open_output(output) as out:
            reporter(fmt)(results, verdicts, out)
    finally:
        for spool in spools:
            spool.close()  # temporary files: removed even when writing the report fails
    _echo_problems(results.diagnostics)
    exit_with(results.exit_code)


#: Problems listed on standard error; every one of them is in ``--format json``.
SHOWN_PROBLEMS = 10


def _echo_problems(diagnostics: Sequence[Diagnostic]) -> None:
    """Say what went wrong besides the gates: trace problems, invalid labels, missing verdicts.

    The reports only counted them ("3 trace problem(s)"), and an exit code 3 came with no reason.
    One line each, without the source line: a trace file can be far too big to read for that.
    """
    for diag in diagnostics[:SHOWN_PROBLEMS]:
        click.echo(diag.headline(), err=True)
    if len(diagnostics) > SHOWN_PROBLEMS:
        more = len(diagnostics) - SHOWN_PROBLEMS
        click.echo(f"... and {more} more (--format json lists them all)", err=True)


def _progress() -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None
    step = [0]

    def show(count: int) -> None:
        if count - step[0] >= 50_000:
            step[0] = count
            click.echo(f"\r{count:,} traces checked", err=True, nl=False)

    return show
