"""Linting files: read, parse, compile, run the selected rules, apply suppressions.

:func:`lint_file` is the whole pipeline for one file and returns a value; it never raises for
a problem in the file (a file that cannot be read, parsed or compiled gives findings with ES0xx
codes). :func:`lint_files` runs it over many files, in worker processes when there are many,
and :class:`LintReport` holds the results in path order with the exit code they imply.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from evalspec import ir
from evalspec.diagnostics import Diagnostic, Severity
from evalspec.errors import CompileError, EvalSyntaxError
from evalspec.lang import ast, codes
from evalspec.lang.compiler import compile_file
from evalspec.lang.parser import parse, read_source
from evalspec.lint import rules as _rules  # noqa: F401 - registers the rule catalogue
from evalspec.lint.base import RULES, LintContext, Rule
from evalspec.lint.cache import CACHE_DIR, AstCache, prune
from evalspec.lint.sources import Project

#: Below this many files, worker processes cost more than they save.
PARALLEL_THRESHOLD = 8
#: Compile errors after which the IR is rebuilt without file checks, so IR rules still run.
_FILE_ERRORS = frozenset({codes.FILE_NOT_FOUND, codes.INVALID_SCHEMA})
_PROJECT = Project()  # per process: lock files and labels shared by the files of a run


@dataclass(frozen=True)
class Job:
    """One file to lint: where it is, how it is shown, its project root and enabled codes."""

    path: Path
    display: str
    root: Path
    enabled: frozenset[str]


@dataclass(frozen=True)
class LintOptions:
    """Settings of a lint run: the date rules see, and whether the tree cache is used."""

    today: dt.date = field(default_factory=dt.date.today)
    cache: bool = True


class FileResult(msgspec.Struct, kw_only=True):
    """The outcome of linting one file.

    ``diagnostics`` are the findings left after suppressions, in source order; ``text`` is the
    source, kept when there are findings so reports can show lines; ``skipped`` maps rule codes
    that could not run to the reason; ``fatal`` marks a file that could not be read at all
    (exit code 2); ``stored`` that a new tree was written to the cache.
    """

    path: str
    root: str
    enabled: list[str]
    diagnostics: list[Diagnostic] = msgspec.field(default_factory=list)
    skipped: dict[str, str] = msgspec.field(default_factory=dict)
    text: str | None = None
    fatal: bool = False
    stored: bool = False


def lint_file(job: Job, options: LintOptions) -> FileResult:
    """Lint one file (see the module docstring)."""
    result = FileResult(path=job.display, root=job.root.as_posix(), enabled=sorted(job.enabled))
    try:
        text = read_source(job.path, job.display)
    except EvalSyntaxError as exc:
        result.diagnostics = _named(exc.diagnostics)
        result.fatal = any(d.code == codes.UNREADABLE for d in exc.diagnostics)
        result.skipped = dict.fromkeys(result.enabled, "the file cannot be read")
        return result
    tree, store = _parse(text, job, options)
    if isinstance(tree, list):
        result.diagnostics, result.text = _named(tree), text
        result.skipped = dict.fromkeys(result.enabled, "the spec does not parse")
        return result
    doc, problems = _compile(tree, job)
    ctx = LintContext(path=job.display, text=text, tree=tree, doc=doc, root=job.root.resolve(),
                      today=options.today, enabled=job.enabled, project=_PROJECT,
                      compiled=not problems)  # fmt: skip
    findings = run_rules(ctx, result.skipped)
    result.diagnostics = sorted(_named(problems) + findings, key=_order)
    result.text = text if result.diagnostics else None
    result.stored = store
    return result


def _parse(text: str, job: Job, options: LintOptions) -> tuple[ast.File | list[Diagnostic], bool]:
    """The tree (from the cache when possible) and whether it was newly stored; or the errors."""
    cache = AstCache.for_root(job.root, options.cache)
    tree = cache.get(text)
    if tree is not None:
        return tree, False
    try:
        tree = parse(text, job.display)
    except EvalSyntaxError as exc:
        return exc.diagnostics, False
    cache.put(text, tree)
    return tree, cache.written > 0


def _compile(tree: ast.File, job: Job) -> tuple[ir.EvalFile | None, list[Diagnostic]]:
    """Compile; when only referenced files are missing, still return an IR (without file checks)."""
    root, spec_dir = job.root, job.path.parent
    try:
        return compile_file(tree, job.display, root, spec_dir), []
    except CompileError as exc:
        if not all(d.code in _FILE_ERRORS for d in exc.diagnostics):
            return None, exc.diagnostics
        try:
            return compile_file(
                tree, job.display, root, spec_dir, check_files=False
            ), exc.diagnostics
        except CompileError:
            return None, exc.diagnostics


def run_rules(ctx: LintContext, skipped: dict[str, str]) -> list[Diagnostic]:
    """Run the enabled rules on one parsed file, then apply its suppressions.

    Rules that cannot run (no IR, or an IR with errors for ``"compiled"`` rules) are recorded
    in ``skipped`` with the reason. Late rules (unused suppressions) run last.
    """
    early: list[Rule] = []
    late: list[Rule] = []
    for code in sorted(ctx.enabled):
        rule = RULES[code]()
        if rule.needs != "ast" and ctx.doc is None:
            skipped[code] = "the spec does not compile"
        elif rule.needs == "compiled" and not ctx.compiled:
            skipped[code] = "the spec has compile errors"
        else:
            (late if rule.late else early).append(rule)
    suppressions = ctx.suppressions()
    findings = suppressions.filter(d for rule in early for d in rule.check(ctx))
    findings += suppressions.filter(d for rule in late for d in rule.check(ctx))
    return findings


def _named(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Give ES0xx diagnostics their kebab-case name, as lint findings have."""
    out = []
    for diag in diags:
        known = codes.CODES.get(diag.code)
        out.append(
            msgspec.structs.replace(diag, name=known.name) if known and not diag.name else diag
        )
    return out


def _order(diag: Diagnostic) -> tuple[int, int, str]:
    return (diag.span.line, diag.span.column, diag.code) if diag.span else (0, 0, diag.code)


@dataclass
class LintReport:
    """The results of a lint run, one per file, in the order the files were given."""

    results: list[FileResult]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding of every file."""
        return [d for r in self.results for d in r.diagnostics]

    def exit_code(self, exit_zero: bool = False) -> int:
        """2 if a file could not be read; else 1 with findings (0 with ``exit_zero``); else 0."""
        if any(r.fatal for r in self.results):
            return 2
        return 1 if self.diagnostics and not exit_zero else 0

    def counts(self) -> dict[Severity, int]:
        """Findings per severity."""
        out: dict[Severity, int] = {}
        for diag in self.diagnostics:
            out[diag.severity] = out.get(diag.severity, 0) + 1
        return out


def lint_files(
    jobs: Sequence[Job], options: LintOptions, processes: int | None = None
) -> LintReport:
    """Lint every job, in ``processes`` workers (default: one per CPU when there are many files)."""
    count = processes if processes is not None else default_processes(len(jobs))
    if count <= 1 or len(jobs) < 2:
        results = [lint_file(job, options) for job in jobs]
    else:
        results = _in_workers(jobs, options, count)
    for root in {r.root for r in results if r.stored}:
        prune(Path(root) / CACHE_DIR)
    return LintReport(results)


def default_processes(files: int) -> int:
    """One worker per available CPU for many files; none for a few."""
    if files < PARALLEL_THRESHOLD:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, files // 2))


def _in_workers(jobs: Sequence[Job], options: LintOptions, count: int) -> list[FileResult]:
    from evalspec.lang.parser import parser

    # build the parser (and Lark's grammar cache file) once, before forking: workers inherit it
    # instead of racing to write the cache; what else they need they import in parallel
    parser()
    # fork shares the loaded parser and rules; elsewhere (macOS, Windows) workers import them
    method = "fork" if sys.platform == "linux" else None
    context = multiprocessing.get_context(method)
    # largest files first, in small chunks, so that no worker is left with a long tail
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i].path))
    chunk = max(1, len(jobs) // (count * 16))
    gc.freeze()  # keep the collector from touching, and so copying, every inherited object
    try:
        with context.Pool(count) as pool:
            done = pool.starmap(lint_file, [(jobs[i], options) for i in order], chunksize=chunk)
    finally:
        gc.unfreeze()
    results: list[FileResult] = [done[0]] * len(jobs)
    for position, index in enumerate(order):
        results[index] = done[position]
    return results


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
