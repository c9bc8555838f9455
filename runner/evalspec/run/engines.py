"""Engines feed batches of traces to :func:`~evalspec.run.engine.run_batch` and merge the results.

:class:`SequentialEngine` is the reference: it reads every supported format in order, in this
process, and asks for judge verdicts batch by batch. :class:`ChunkedEngine` reads plain evalspec
JSONL by byte range (see ``run/chunks.py``), over ``-j`` processes; :func:`get_engine` picks it
when every file is uncompressed evalspec JSONL and no guard needs a judge or a human label.
Verdicts, when asked for, are spooled to a temporary file so memory stays flat.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec

from evalspec import ir
from evalspec.checks import CheckEnv
from evalspec.diagnostics import Diagnostic
from evalspec.run.chunks import Chunk, first_line, open_range, plan_chunks
from evalspec.run.engine import BatchResult, External, compile_modes, run_batch
from evalspec.run.results import Verdict
from evalspec.run.views import fields_read, view_type
from evalspec.traces import Importer, ProblemLog, Trace, plan_files
from evalspec.traces.native import decode_block
from evalspec.traces.reader import TraceFile, iter_blocks
from evalspec.traces.stream import plan_batches

Progress = Callable[[int], None]
_VERDICT_ENCODER = msgspec.json.Encoder()


@dataclass
class TraceSource:
    """Where a run reads traces: patterns relative to ``base_dir`` and how to read them."""

    patterns: list[str]
    base_dir: Path
    format: str | None = None
    strict: bool = False
    confine: bool = True
    _plan: list[tuple[TraceFile, Importer]] | None = field(default=None, init=False, repr=False)

    def plan(self) -> list[tuple[TraceFile, Importer]]:
        """The files to read and their importers, planned once per run.

        Planning globs the patterns and sniffs each file's format; standard input can be sniffed
        only once, so the engine choice, the reading and the file list share one plan.
        """
        if self._plan is None:
            self._plan = plan_files(
                self.patterns, base_dir=self.base_dir, format=self.format, confine=self.confine
            )
        return self._plan


@dataclass
class RunSettings:
    """How to run: which modes, whether to keep every verdict, how many failing samples."""

    modes: Sequence[str] = ()
    record: bool = False
    samples: int = 5
    batch_size: int = 2000
    progress: Progress | None = None


@dataclass
class RunOutput:
    """Merged result of a run, the problems met reading traces, and the verdict spool."""

    result: BatchResult
    problems: list[Diagnostic] = field(default_factory=list)
    problem_count: int = 0
    spool: VerdictSpool | None = None
    sources: list[str] = field(default_factory=list)


class VerdictSpool:
    """Verdicts written as JSON lines to a temporary file, read back once by a reporter."""

    def __init__(self) -> None:
        import tempfile

        handle, name = tempfile.mkstemp(prefix="evalspec-verdicts-", suffix=".jsonl")
        os.close(handle)
        self.path = Path(name)
        self._out: IO[bytes] | None = self.path.open("ab")

    def write(self, verdicts: Sequence[Verdict]) -> None:
        """Append verdicts."""
        assert self._out is not None
        for verdict in verdicts:
            self._out.write(_VERDICT_ENCODER.encode(verdict) + b"\n")

    def append_file(self, path: Path) -> None:
        """Append a worker's spool file, then delete it."""
        assert self._out is not None
        with path.open("rb") as part:
            while block := part.read(1 << 20):
                self._out.write(block)
        path.unlink()

    def __iter__(self) -> Iterator[Verdict]:
        if self._out is not None:
            self._out.close()
            self._out = None
        decoder = msgspec.json.Decoder(Verdict)
        with self.path.open("rb") as handle:
            for line in handle:
                yield decoder.decode(line)

    def finish(self) -> None:
        """Close the file for writing (a worker hands it over to the parent)."""
        if self._out is not None:
            self._out.close()
            self._out = None

    def close(self) -> None:
        """Delete the spool."""
        if self._out is not None:
            self._out.close()
            self._out = None
        self.path.unlink(missing_ok=True)


class SequentialEngine:
    """The reference engine: every format, judges included, in this process."""

    def run(
        self,
        doc: ir.EvalFile,
        env: CheckEnv,
        source: TraceSource,
        settings: RunSettings,
        external: Callable[[list[Trace]], External] | None = None,
    ) -> RunOutput:
        """Evaluate every batch of the source; ``external`` supplies judge/human outcomes."""
        modes = compile_modes(doc, env, settings.modes)
        log = ProblemLog(strict=source.strict)
        total = BatchResult()
        spool = VerdictSpool() if settings.record else None
        for batch in plan_batches(source.plan(), log, settings.batch_size):
            part = run_batch(
                modes,
                batch,
                external(batch) if external else None,
                record=settings.record,
                samples=settings.samples,
            )
            _drain(part, spool)
            total.merge(part, settings.samples)
            if settings.progress:
                settings.progress(total.traces)
        log.raise_if_strict()
        files = [f.display for f, _ in source.plan()]
        return RunOutput(total, list(log.diagnostics), log.total, spool, files)


def _drain(part: BatchResult, spool: VerdictSpool | None) -> None:
    if spool is not None:
        spool.write(part.verdicts)
    part.verdicts = []


class ChunkedEngine:
    """Plain evalspec JSONL read by byte range: in this process, or on ``jobs`` processes.

    Records are read as written (no id renaming, no missing-output report: ``evalspec traces
    stats`` finds those), and when the spec's guards read only some fields, only those fields are
    decoded (``run/views.py``).
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(
        self, doc: ir.EvalFile, env: CheckEnv, source: TraceSource, settings: RunSettings
    ) -> RunOutput:
        """Evaluate the ranges and merge the results in file order."""
        files = [(f.path, f.display, f.name) for f, _ in source.plan() if f.path is not None]
        chunks = plan_chunks(files, self.jobs)
        task = _Task(
            ir.encode(doc), env.root, env.allow_exec, tuple(settings.modes), settings.record,
            settings.samples, fields_read(doc),
        )  # fmt: skip
        if self.jobs == 1 or len(chunks) == 1:
            parts = [task(chunk) for chunk in chunks]
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(self.jobs, mp_context=_context()) as pool:
                parts = list(pool.map(task, chunks))
        return _combine(chunks, parts, source, settings)


def _combine(
    chunks: list[Chunk], parts: list[_ChunkOut], source: TraceSource, settings: RunSettings
) -> RunOutput:
    total, spool = BatchResult(), VerdictSpool() if settings.record else None
    problems: list[Diagnostic] = []
    count = 0
    for chunk, part in zip(chunks, parts, strict=False):
        total.merge(part.result, settings.samples)
        if spool is not None and part.spool is not None:
            spool.append_file(part.spool)
        if part.problems:
            offset = first_line(chunk.path, chunk.start) - 1
            problems += [_shift(d, offset) for d in part.problems]
        count += part.problem_count
    if source.strict and count:
        ProblemLog(strict=True).raise_for(problems)
    return RunOutput(total, problems, count, spool, [c.display for c in chunks if c.start == 0])


def _shift(diag: Diagnostic, lines: int) -> Diagnostic:
    if diag.span is None or not lines:
        return diag
    span = msgspec.structs.replace(
        diag.span, line=diag.span.line + lines, end_line=diag.span.end_line + lines
    )
    return msgspec.structs.replace(diag, span=span)


@dataclass
class _ChunkOut:
    result: BatchResult
    problems: list[Diagnostic]
    problem_count: int
    spool: Path | None


@dataclass(frozen=True)
class _Task:
    """What a worker needs: the IR as JSON (compiled once per worker) and the settings."""

    doc: bytes
    root: Path
    allow_exec: bool
    modes: tuple[str, ...]
    record: bool
    samples: int
    fields: frozenset[str] | None

    def __call__(self, chunk: Chunk) -> _ChunkOut:
        modes = _compiled(self)
        log = ProblemLog()
        file = TraceFile(display=chunk.display, path=chunk.path, name=chunk.name)
        decode = _view_decoder(self.fields)
        total = BatchResult()
        spool = VerdictSpool() if self.record else None
        line = 1
        with open_range(chunk.path, chunk.start, chunk.end) as stream:
            for block, terminated in iter_blocks(stream):
                traces = _decode(decode, block, line, terminated, file, log)
                line += block.count(b"\n")
                part = run_batch(modes, traces, None, record=self.record, samples=self.samples)
                _drain(part, spool)
                total.merge(part, self.samples)
        if spool is not None:
            spool.finish()
        return _ChunkOut(total, list(log.diagnostics), log.total, spool.path if spool else None)


def _view_decoder(fields: frozenset[str] | None) -> Callable[[bytes], list[Any]] | None:
    return msgspec.json.Decoder(view_type(fields)).decode_lines if fields is not None else None


def _decode(
    decode: Callable[[bytes], list[Any]] | None,
    block: bytes,
    line: int,
    terminated: bool,
    file: TraceFile,
    log: ProblemLog,
) -> list[Any]:
    """The block's records: projected when clean, else read record by record with reports."""
    if decode is not None and terminated:
        try:
            records = decode(block)
            if len(records) == block.count(b"\n"):
                return records
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            pass  # a bad line somewhere: the careful reader below reports it with its number
    return [t for _, t in decode_block(block, line, terminated, file, log)]


_WORKER_CACHE: dict[bytes, Any] = {}


def _compiled(task: _Task) -> Any:
    """Compile the modes once per worker process, not once per chunk."""
    key = task.doc + repr((task.modes, task.allow_exec, str(task.root))).encode()
    if key not in _WORKER_CACHE:
        doc = ir.decode(task.doc)
        _WORKER_CACHE[key] = compile_modes(doc, CheckEnv(task.root, task.allow_exec), task.modes)
    return _WORKER_CACHE[key]


def _context() -> Any:
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def get_engine(
    jobs: int, doc: ir.EvalFile, source: TraceSource
) -> SequentialEngine | ChunkedEngine:
    """Pick the chunked engine for plain evalspec JSONL without judges, else the reference."""
    if needs_judges(doc):
        return SequentialEngine()
    plain = all(
        importer.name == "evalspec" and file.path is not None and not file.path.name.endswith(".gz")
        for file, importer in source.plan()
    )
    return ChunkedEngine(jobs) if plain else SequentialEngine()


def needs_judges(doc: ir.EvalFile) -> bool:
    """Whether a guard of the spec needs a judge verdict or a human label (the judge phase)."""
    return any(isinstance(g, (ir.JudgeGuard, ir.HumanGuard)) for m in doc.modes for g in m.guards)
