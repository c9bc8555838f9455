"""Reading traces: files in, normalised :class:`Trace` records out, lazily and in order.

The pipeline is: expand the patterns into files (sorted by path), settle each file's format
(named, or detected from its content) before reading anything, then read file after file.
Every trace passes one last step that keeps ids unique and notes missing outputs.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path

from evalspec.traces.base import Importer, Item
from evalspec.traces.codes import DUPLICATE_ID, MISSING_OUTPUT, UNREADABLE_FILE
from evalspec.traces.problems import ProblemLog
from evalspec.traces.reader import ReadOptions, TraceFile, resolve_files
from evalspec.traces.record import Trace
from evalspec.traces.registry import IMPORTERS, detect, resolve_format
from evalspec.traces.table import check_columns


def plan_files(
    patterns: Sequence[str],
    *,
    base_dir: Path,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    confine: bool = True,
) -> list[tuple[TraceFile, Importer]]:
    """Return each file to read with its importer; raise before reading any record.

    Raises:
        UsageError: unknown format name (ES710) or a path outside ``base_dir`` (ES713).
        TraceError: a pattern matches nothing (ES714), a file cannot be read (ES712) or
            its format cannot be detected (ES711).
    """
    if format is not None:
        format = resolve_format(format)
    if columns:
        check_columns(columns)
    options = ReadOptions(columns=dict(columns or {}))
    files = resolve_files(patterns, base_dir=base_dir, confine=confine, options=options)
    return [(file, IMPORTERS[format or detect(file)]) for file in files]


def read_traces(
    patterns: Sequence[str],
    *,
    base_dir: Path,
    format: str | None = None,
    strict: bool = False,
    problems: ProblemLog | None = None,
    columns: Mapping[str, str] | None = None,
    confine: bool = True,
) -> Iterator[Trace]:
    """Yield the traces of every file matching ``patterns`` (paths, globs with ``**``, ``.gz``).

    Files are read in path order and records in file order. ``format`` names the format of
    every file (else each is detected). Problems go to ``problems`` (a new log if omitted);
    with ``strict`` a :class:`~evalspec.errors.TraceError` is raised after the last file if
    any was found. ``columns`` maps fields to columns for the ``table`` format; ``confine``
    keeps every path inside ``base_dir`` (turn it off for paths typed on the command line).
    """
    batches = iter_batches(
        patterns,
        base_dir=base_dir,
        format=format,
        strict=strict,
        problems=problems,
        batch_size=64,
        columns=columns,
        confine=confine,
    )
    for batch in batches:
        yield from batch


def find_traces(
    patterns: Sequence[str],
    ids: Collection[str] | None,
    *,
    base_dir: Path,
    format: str | None = None,
    limit: int | None = None,
) -> tuple[dict[str, Trace], bool]:
    """Look traces up by id: the ones in ``ids`` (every one: ``None``), and whether cut short.

    Reading stops once every id is found, or after ``limit`` traces (the ``True`` returned says
    the source held more). Problems in the records are not reported here: whoever reads the
    source in full (``check``, ``traces validate``) reports them.

    Raises:
        UsageError, TraceError: as :func:`plan_files`, before any record is read.
    """
    found: dict[str, Trace] = {}
    if ids is not None and not ids:
        return found, False
    traces = read_traces(patterns, base_dir=base_dir, format=format, problems=ProblemLog())
    for count, trace in enumerate(traces, 1):
        if limit is not None and count > limit:
            return found, True
        if ids is None or trace.id in ids:
            found[trace.id] = trace  # ids are unique: repeats were renamed on the way in
            if ids is not None and len(found) == len(ids):
                break
    return found, False


def iter_batches(
    patterns: Sequence[str],
    *,
    base_dir: Path,
    format: str | None = None,
    strict: bool = False,
    problems: ProblemLog | None = None,
    batch_size: int = 1000,
    columns: Mapping[str, str] | None = None,
    confine: bool = True,
) -> Iterator[list[Trace]]:
    """Like :func:`read_traces`, but yield lists of ``batch_size`` traces (the last may be short).

    evalspec JSONL takes a fast path that decodes blocks of lines in one call; this is what
    the check engine uses over large trace sets.
    """
    log = problems if problems is not None else ProblemLog()
    log.strict = log.strict or strict
    plan = plan_files(patterns, base_dir=base_dir, format=format, columns=columns, confine=confine)
    yield from plan_batches(plan, log, batch_size)
    log.raise_if_strict()


def plan_batches(
    plan: list[tuple[TraceFile, Importer]], log: ProblemLog, batch_size: int = 1000
) -> Iterator[list[Trace]]:
    """The traces of planned files in lists of ``batch_size`` (the last may be short)."""
    batch: list[Trace] = []
    for _, traces in read_plan(plan, log, batch_size):
        batch.extend(traces)
        while len(batch) >= batch_size:
            yield batch[:batch_size]
            batch = batch[batch_size:]
    if batch:
        yield batch


def read_plan(
    plan: list[tuple[TraceFile, Importer]], log: ProblemLog, batch_size: int = 1000
) -> Iterator[tuple[TraceFile, list[Trace]]]:
    """Read planned files in order, yielding each file's traces in lists as they come.

    Ids are kept unique across all files. The caller raises for ``--strict``
    (:meth:`ProblemLog.raise_if_strict`) once it has read what it needs.
    """
    finish = _Finisher(log)
    for file, importer in plan:
        for items in _read_file(file, importer, log, batch_size):
            yield file, finish(items, file)


def _read_file(
    file: TraceFile, importer: Importer, log: ProblemLog, size: int
) -> Iterator[list[Item]]:
    try:
        yield from importer.read_batches(file, log, size)
    except (OSError, EOFError, zlib.error) as exc:  # e.g. a gzip file cut off in the middle
        log.report(UNREADABLE_FILE, f"stopped reading the file: {exc}", file.display)


class _Finisher:
    """Keeps trace ids unique across all files and reports traces without output.

    A repeated id is renamed ``<id>#2``, ``<id>#3``, ... (ES703) so no trace is lost and
    every id stays unique. Ids are remembered as 64-bit hashes, a few dozen bytes per trace.
    """

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        self.seen: set[int] = set()
        self.repeats: dict[str, int] = {}

    def __call__(self, items: list[Item], file: TraceFile) -> list[Trace]:
        seen = self.seen
        out: list[Trace] = []
        for line, trace in items:
            key = hash(trace.id)
            if key in seen:
                self._rename(trace, line, file)
            else:
                seen.add(key)
            if trace.output is None:
                self.log.report(
                    MISSING_OUTPUT, f"trace {trace.id!r} has no output", file.display, line
                )
            out.append(trace)
        return out

    def _rename(self, trace: Trace, line: int | None, file: TraceFile) -> None:
        original = trace.id
        count = self.repeats.get(original, 1)
        while True:
            count += 1
            renamed = f"{original}#{count}"
            if hash(renamed) not in self.seen:
                break
        self.repeats[original] = count
        self.seen.add(hash(renamed))
        trace.id = renamed
        message = f"duplicate trace id {original!r}; this one is read as {renamed!r}"
        self.log.report(DUPLICATE_ID, message, file.display, line)
