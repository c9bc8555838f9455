"""``evalspec traces``: convert, show, sample and count traces in any supported format.

Paths typed here are taken as given (absolute or relative to the working directory); with no
path, ``show``, ``sample`` and ``stats`` read standard input. Problems are printed to stderr as
``path:line:col: warning[ES705]: message``; they do not change the exit code unless
``--strict`` is given. Exit codes: 0 ok, 2 unreadable input, unknown format, or problems under
``--strict``.
"""

from __future__ import annotations

import difflib
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click
import msgspec

from evalspec.cli._common import exit_with
from evalspec.diagnostics import Diagnostic, render_text
from evalspec.errors import EvalspecError, UsageError
from evalspec.traces import ProblemLog, read_traces
from evalspec.traces.reader import STDIN
from evalspec.traces.render import render_trace
from evalspec.traces.sample import sample as draw_sample
from evalspec.traces.stats import StatsBuilder, render_stats
from evalspec.traces.stream import plan_files, read_plan
from evalspec.traces.writer import convert as convert_traces
from evalspec.traces.writer import write_jsonl

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_PROBLEMS = 20


@click.group()
def traces() -> None:
    """Convert, show, sample and count traces (OpenAI, OTel, OpenInference, Langfuse, ...)."""


def _reading_options(func: F) -> F:
    func = click.option(
        "--column",
        "columns",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="Map a field to a column for the table format, e.g. input=query.",
    )(func)
    func = click.option(
        "--strict", is_flag=True, help="Fail (exit 2) when any problem is found in the traces."
    )(func)
    func = click.option(
        "-f",
        "--format",
        "fmt",
        metavar="FORMAT",
        help="Trace format (default: detected from each file's content).",
    )(func)
    return func


def _guarded(func: F) -> F:
    """Print evalspec errors as diagnostics (never a traceback) and exit with their code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EvalspecError as exc:
            if exc.diagnostics:
                _echo_problems(exc.diagnostics)
            else:
                click.echo(f"error: {exc}", err=True)
            exit_with(exc.exit_code)
        except OSError as exc:
            click.echo(f"error: {exc}", err=True)
            exit_with(2)

    return wrapper  # type: ignore[return-value]


def _inputs(paths: Sequence[str]) -> list[str]:
    """The paths given, else standard input (unless it is a terminal, which would just wait)."""
    if paths:
        return list(paths)
    if sys.stdin.isatty():
        raise UsageError("give trace files, or pipe traces into standard input")
    return [STDIN]


def _columns(pairs: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--column expects FIELD=COLUMN, not {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def _echo_problems(diags: Sequence[Diagnostic], total: int | None = None) -> None:
    """Print diagnostics without their source lines (a trace line can be megabytes long)."""
    for diag in diags[:SHOWN_PROBLEMS]:
        click.echo(render_text(diag), err=True)
    hidden = (total if total is not None else len(diags)) - min(len(diags), SHOWN_PROBLEMS)
    if hidden > 0:
        click.echo(f"... and {hidden:,} more", err=True)


def _report(log: ProblemLog) -> None:
    if log.total:
        _echo_problems(log.in_order(), log.total)
        click.echo(log.summary(), err=True)


@contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes]]:
    """Write to ``path`` through a temporary file renamed at the end (stdout without a path)."""
    if path is None or str(path) == STDIN:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", dir=path.parent if str(path.parent) else "."
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@traces.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write evalspec JSONL here (default: standard output).",
)
@_reading_options
@_guarded
def convert(
    inputs: tuple[str, ...],
    output: Path | None,
    fmt: str | None,
    strict: bool,
    columns: tuple[str, ...],
) -> None:
    """Convert traces to evalspec JSONL.

    INPUTS are files, folders or globs ('**' and .gz files included); '-' reads standard input.
    With -o, the file is replaced only when the command succeeds.
    """
    log = ProblemLog(strict=strict)
    with _output(output) as sink:
        count = convert_traces(
            list(inputs),
            sink,
            base_dir=Path.cwd(),
            format=fmt,
            strict=strict,
            problems=log,
            columns=_columns(columns),
        )
    _report(log)
    click.echo(f"converted {count:,} traces", err=True)


@traces.command()
@click.argument("trace_id")
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option("-f", "--format", "fmt", metavar="FORMAT", help="Trace format (default: detected).")
@_guarded
def show(trace_id: str, paths: tuple[str, ...], as_json: bool, fmt: str | None) -> None:
    """Show one whole trace, readable in a terminal.

    Reads PATHS (default: standard input) until the trace with id TRACE_ID is found.
    """
    log = ProblemLog()
    seen: list[str] = []
    for trace in read_traces(
        _inputs(paths), base_dir=Path.cwd(), format=fmt, problems=log, confine=False
    ):
        if trace.id == trace_id:
            if as_json:
                click.echo(msgspec.json.format(msgspec.json.encode(trace), indent=2).decode())
            else:
                click.echo(render_trace(trace), nl=False)
            return
        if len(seen) < 100_000:
            seen.append(trace.id)
    _report(log)
    close = difflib.get_close_matches(trace_id, seen, n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UsageError(f"no trace with id {trace_id!r} among {len(seen):,} traces{hint}")


@traces.command()
@click.argument("paths", nargs=-1)
@click.option(
    "-n",
    "size",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="How many traces to draw.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed and input give the same sample.",
)
@click.option("--by", metavar="FIELD", help="Stratify by a field, e.g. metadata.persona.")
@click.option(
    "--allocation",
    type=click.Choice(["proportional", "equal"]),
    default="proportional",
    show_default=True,
    help="How a stratified sample is shared among strata.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the sample as evalspec JSONL here (default: standard output).",
)
@_reading_options
@_guarded
def sample(
    paths: tuple[str, ...],
    size: int,
    seed: int,
    by: str | None,
    allocation: str,
    output: Path | None,
    fmt: str | None,
    strict: bool,
    columns: tuple[str, ...],
) -> None:
    """Draw a reservoir sample of traces.

    Reads PATHS (default: standard input) once, in constant memory; the same input and seed
    give the same sample, written in input order as evalspec JSONL.
    """
    log = ProblemLog(strict=strict)
    stream = read_traces(
        _inputs(paths),
        base_dir=Path.cwd(),
        format=fmt,
        strict=strict,
        problems=log,
        columns=_columns(columns),
        confine=False,
    )
    chosen = draw_sample(stream, size, seed=seed, by=by, allocation=allocation)  # type: ignore[arg-type]
    with _output(output) as sink:
        write_jsonl(chosen, sink)
    _report(log)
    click.echo(f"sampled {len(chosen):,} traces", err=True)


@traces.command()
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@_reading_options
@_guarded
def stats(
    paths: tuple[str, ...], as_json: bool, fmt: str | None, strict: bool, columns: tuple[str, ...]
) -> None:
    """Count traces, formats, content and problems.

    Reads PATHS (default: standard input).
    """
    log = ProblemLog(strict=strict)
    plan = plan_files(
        _inputs(paths),
        base_dir=Path.cwd(),
        format=fmt,
        columns=_columns(columns),
        confine=False,
    )
    builder = StatsBuilder()
    files = {id(file): builder.add_file(file.display, importer.name) for file, importer in plan}
    for file, batch in read_plan(plan, log):
        for trace in batch:
            builder.add(trace, files[id(file)])
    log.raise_if_strict()
    result = builder.finish(log)
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(result), indent=2).decode())
    else:
        _echo_problems(log.in_order(), log.total)
        click.echo(render_stats(result))
