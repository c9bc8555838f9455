"""``evalspec check`` as a library call: compiled specs + traces -> :class:`Results`.

For each spec: refuse code execution unless allowed, self-test every guard against its mode's
examples, evaluate every trace (judges batch by batch), then apply the gates (``max_rate``,
the baseline, the self-test). Exit code: 1 when a gate fails, else 3 when judge verdicts are
missing (the evaluation is incomplete: never reported as a regression), else 0.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalspec import ir
from evalspec._version import __version__
from evalspec.checks import CheckEnv, needs_exec
from evalspec.diagnostics import Diagnostic, Severity, error
from evalspec.errors import UsageError
from evalspec.run import codes
from evalspec.run.baseline import Lock, SpecLock
from evalspec.run.engines import RunOutput, RunSettings, TraceSource, get_engine, needs_judges
from evalspec.run.modes import mode_result
from evalspec.run.results import RESULTS_VERSION, ModeResult, Results, TraceSummary
from evalspec.run.selftest import run_self_test, self_test_diagnostics

if TYPE_CHECKING:
    from evalspec.run.judging import JudgePhase


@dataclass
class Spec:
    """A compiled spec and where it lives: ``path`` as shown, ``root`` its project root."""

    doc: ir.EvalFile
    path: str
    root: Path


@dataclass
class CheckOptions:
    """Everything ``evalspec check`` can be told on the command line."""

    traces: Sequence[str] = ()
    trace_format: str | None = None
    lock: Lock | None = None
    modes: Sequence[str] = ()
    jobs: int = 1
    allow_exec: bool = False
    strict: bool = False
    record: bool = False
    offline: bool = False
    judge_cache: Path | None = None
    progress: Callable[[int], None] | None = None
    samples: int = 5
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class SpecRun:
    """One spec's evaluation, kept for the baseline writer."""

    spec: Spec
    output: RunOutput
    modes: list[ModeResult]
    incomplete: bool


def run_check(specs: Sequence[Spec], options: CheckOptions) -> tuple[Results, list[SpecRun]]:
    """Check every spec and return the results document and the per-spec runs."""
    _refuse_exec(specs, options)
    _known_modes(specs, options.modes)
    runs = [_run_spec(spec, options) for spec in specs]
    modes = [m for run in runs for m in run.modes]
    failed = any(not m.passed_gates for m in modes)
    incomplete = any(run.incomplete for run in runs)
    exit_code = 1 if failed else 3 if incomplete else 0
    outcome = {0: "pass", 1: "fail", 3: "incomplete"}[exit_code]
    results = Results(
        results_version=RESULTS_VERSION, evalspec_version=__version__, outcome=outcome,
        exit_code=exit_code, specs=[s.path for s in specs], traces=_summary(runs), modes=modes,
        diagnostics=options.diagnostics + [d for r in runs for d in r.output.problems],
        verdicts=[],
    )  # fmt: skip
    return results, runs


def _run_spec(spec: Spec, options: CheckOptions) -> SpecRun:
    env = CheckEnv(spec.root, options.allow_exec)
    source = _source(spec, options)
    settings = RunSettings(
        modes=options.modes,
        record=options.record,
        samples=options.samples,
        progress=options.progress,
    )
    judges = _judge_phase(spec, env, options)
    if judges is None:
        output = get_engine(options.jobs, spec.doc, source).run(spec.doc, env, source, settings)
    else:
        output = judges.run(spec.doc, env, source, settings)
    self_tests = run_self_test(spec, env, options.diagnostics)
    lock = (options.lock or Lock()).specs.get(spec.doc.path, SpecLock())
    modes = [
        mode_result(spec, mode, output, self_tests.get(mode.name, []), lock, judges)
        for mode in spec.doc.modes
        if not options.modes or mode.name in options.modes
    ]
    if judges is not None:  # invalid labels (ES609), missing verdicts (ES605), stale calibration
        options.diagnostics.extend(judges.problems)
    options.diagnostics.extend(self_test_diagnostics(spec, self_tests))
    incomplete = judges is not None and judges.incomplete
    return SpecRun(spec, output, modes, incomplete)


def _judge_phase(spec: Spec, env: CheckEnv, options: CheckOptions) -> JudgePhase | None:
    """The judge phase, imported only for specs with judge or human guards (it needs httpx)."""
    if not needs_judges(spec.doc):
        return None
    from evalspec.run.judging import JudgePhase

    return JudgePhase.create(spec, env, options)


def _source(spec: Spec, options: CheckOptions) -> TraceSource:
    suite = spec.doc.suite
    if options.traces:
        return TraceSource(
            list(options.traces), Path.cwd(), options.trace_format, options.strict, confine=False
        )
    patterns = suite.traces if suite else []
    if not patterns:
        message = f"{spec.path}: no trace source; name one with --traces or `traces` in the suite"
        raise UsageError(message, [error(codes.NO_TRACES, message, spec.path)])
    fmt = options.trace_format or (suite.trace_format if suite else None)
    return TraceSource(list(patterns), spec.root, fmt, options.strict)


def _refuse_exec(specs: Sequence[Spec], options: CheckOptions) -> None:
    if options.allow_exec:
        return
    found = [
        error(codes.EXEC_NOT_ALLOWED, f"{what} runs code; pass --allow-exec to allow it",
              spec.path, span)
        for spec in specs for what, span in needs_exec(spec.doc)
    ]  # fmt: skip
    if found:
        raise UsageError("the spec runs external code and --allow-exec was not given", found)


def _known_modes(specs: Sequence[Spec], wanted: Sequence[str]) -> None:
    names = {m.name for s in specs for m in s.doc.modes}
    unknown = [w for w in wanted if w not in names]
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(names), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        message = f"no mode named '{unknown[0]}'{hint}"
        raise UsageError(message, [error(codes.NO_SUCH_MODE, message, "<command line>")])


def _summary(runs: list[SpecRun]) -> TraceSummary:
    count = sum(r.output.result.traces for r in runs)
    fingerprint = sum(r.output.result.fingerprint for r in runs) & ((1 << 64) - 1)
    sources = sorted({s for r in runs for s in r.output.sources})
    problems = sum(r.output.problem_count for r in runs)
    return TraceSummary(
        count=count, sources=sources, fingerprint=f"{count}:{fingerprint:016x}", problems=problems
    )


def warning(code: str, message: str, path: str) -> Diagnostic:
    """A non-blocking diagnostic for the report."""
    return Diagnostic(code=code, severity=Severity.WARNING, message=message, path=path)
