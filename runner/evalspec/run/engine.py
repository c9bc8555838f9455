"""The runner core: a pure function from a batch of traces to mergeable results.

Engines (``run/engines.py``) feed it batches, in this process or over all cores.

:func:`run_batch` raises nothing: every check runs inside ``try`` and a failure to evaluate becomes
an ``error`` outcome. Its :class:`BatchResult` holds sums, so batches evaluated anywhere merge with
:meth:`BatchResult.merge` (see ``evalspec.run.distributed`` for a Ray Data adapter).

Per (trace, mode): the mode is skipped when its ``when`` is false; otherwise each guard passes,
fails, errors or (human guards without a label) stays pending, and the mode fires when any guard
fails. Judge and human outcomes are looked up in ``external``, filled before the batch runs.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from evalspec import ir
from evalspec.checks import CheckEnv, CheckError, Predicate, compile_expr
from evalspec.run.results import GuardCounts, ModeCounts, Verdict
from evalspec.traces import Trace

#: (mode name, guard id, trace id) -> (outcome, detail) for judge and human guards.
External = Mapping[tuple[str, str, str], tuple[str, "str | None"]]
_MASK = (1 << 64) - 1


class CompiledGuard(NamedTuple):
    """A guard ready to run: code guards carry their predicate, others are looked up."""

    id: str
    kind: str
    check: Predicate | None


@dataclass
class CompiledMode:
    """A mode ready to run."""

    name: str
    when: Predicate | None
    guards: list[CompiledGuard]
    ir: ir.Mode


def compile_modes(doc: ir.EvalFile, env: CheckEnv, only: Sequence[str] = ()) -> list[CompiledMode]:
    """Compile every mode of ``doc`` (or those named in ``only``) once, for many batches."""
    out = []
    for mode in doc.modes:
        if only and mode.name not in only:
            continue
        when = compile_expr(mode.when, env) if mode.when is not None else None
        guards = [
            CompiledGuard(
                g.id,
                ir.kind_of(g),
                compile_expr(g.expr, env) if isinstance(g, ir.AssertGuard) else None,
            )
            for g in mode.guards
        ]
        out.append(CompiledMode(mode.name, when, guards, mode))
    return out


@dataclass
class BatchResult:
    """What a batch (or a whole run, once merged) produced."""

    traces: int = 0
    fingerprint: int = 0
    counts: dict[str, ModeCounts] = field(default_factory=dict)
    samples: dict[str, list[Verdict]] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)

    def merge(self, other: BatchResult, samples: int = 5) -> None:
        """Add another batch; keep the first ``samples`` failing traces of each mode."""
        self.traces += other.traces
        self.fingerprint = (self.fingerprint + other.fingerprint) & _MASK
        for name, counts in other.counts.items():
            self.counts.setdefault(name, ModeCounts()).merge(counts)
        for name, found in other.samples.items():
            kept = self.samples.setdefault(name, [])
            kept.extend(found[: max(samples - len(kept), 0)])
        self.verdicts.extend(other.verdicts)


def fingerprint_of(traces: Iterable[Trace]) -> int:
    """An order-independent fingerprint of the trace ids (a sum, so batches merge)."""
    return sum(zlib.crc32(t.id.encode()) for t in traces) & _MASK


def run_batch(
    modes: Sequence[CompiledMode],
    traces: Sequence[Trace],
    external: External | None = None,
    *,
    record: bool = False,
    samples: int = 5,
) -> BatchResult:
    """Evaluate every mode on every trace of the batch; never raises."""
    result = BatchResult(traces=len(traces), fingerprint=fingerprint_of(traces))
    runners = []
    for mode in modes:
        if not record and all(g.check is not None for g in mode.guards):
            counts, kept = _code_only(mode, traces, samples)
            result.counts[mode.name], result.samples[mode.name] = counts, kept
        else:
            runners.append(_ModeRun(mode, external or {}, record, samples, result.verdicts))
    for trace in traces:  # trace by trace, so recorded verdicts come in trace, mode, guard order
        for runner in runners:
            runner.trace(trace)
    for runner in runners:
        result.counts[runner.mode.name] = runner.counts
        result.samples[runner.mode.name] = runner.samples
    return result


def _code_only(
    mode: CompiledMode, traces: Sequence[Trace], samples: int
) -> tuple[ModeCounts, list[Verdict]]:
    """The hot loop for a mode whose guards are all code and whose verdicts are not kept.

    Same outcomes as :class:`_ModeRun`, counted in local lists: on a million traces the
    per-call overhead of the general path costs more than the checks themselves.
    """
    tests = [g.check.test for g in mode.guards if g.check is not None]
    ids = [g.id for g in mode.guards]
    n = len(tests)
    passed, failed, errors = [0] * n, [0] * n, [0] * n
    counts = ModeCounts()
    kept: list[Verdict] = []
    when = mode.when.test if mode.when is not None else None
    skipped = fired = erred = 0
    for trace in traces:
        if when is not None:
            try:
                if not when(trace):
                    skipped += 1
                    continue
            except Exception as exc:  # noqa: BLE001 - reported like the general path does
                erred += 1
                if len(kept) < samples:
                    kept.append(_when_error(mode, trace, exc))
                continue
        worst = 0
        for i, test in enumerate(tests):
            try:
                if test(trace):
                    passed[i] += 1
                    continue
                failed[i] += 1
                worst = 3
            except Exception as exc:  # noqa: BLE001 - a check that cannot evaluate is an error
                errors[i] += 1
                worst = max(worst, 2)
                if len(kept) < samples and not _seen(kept, trace):
                    kept.append(_error_verdict(mode, ids[i], trace, exc))
                continue
            if len(kept) < samples and not _seen(kept, trace):
                check = mode.guards[i].check
                assert check is not None
                kept.append(
                    Verdict(
                        trace_id=trace.id,
                        mode=mode.name,
                        guard=ids[i],
                        outcome="fail",
                        detail=_explain(check, trace),
                    )
                )
        if worst == 3:
            fired += 1
        elif worst == 2:
            erred += 1
    counts.traces = len(traces)
    counts.skipped, counts.fired, counts.errors = skipped, fired, erred
    counts.passed = len(traces) - skipped - fired - erred
    counts.guards = {
        ids[i]: GuardCounts(passed=passed[i], failed=failed[i], errors=errors[i]) for i in range(n)
    }
    return counts, kept


def _seen(kept: list[Verdict], trace: Trace) -> bool:
    return bool(kept) and kept[-1].trace_id == trace.id


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, CheckError) else f"{type(exc).__name__}: {exc}"


def _error_verdict(mode: CompiledMode, guard: str, trace: Trace, exc: Exception) -> Verdict:
    return Verdict(
        trace_id=trace.id, mode=mode.name, guard=guard, outcome="error", detail=_reason(exc)
    )


def _when_error(mode: CompiledMode, trace: Trace, exc: Exception) -> Verdict:
    guard = mode.guards[0].id if mode.guards else "when"
    return Verdict(
        trace_id=trace.id,
        mode=mode.name,
        guard=guard,
        outcome="error",
        detail=f"when: {_reason(exc)}",
    )


class _ModeRun:
    """One mode over one batch: the hot loop, kept free of allocation on passing traces."""

    def __init__(
        self, mode: CompiledMode, external: External, record: bool, samples: int,
        verdicts: list[Verdict],
    ) -> None:  # fmt: skip
        self.mode = mode
        self.external = external
        self.record = record
        self.max_samples = samples
        self.counts = ModeCounts(guards={g.id: GuardCounts() for g in mode.guards})
        self.samples: list[Verdict] = []
        self.verdicts = verdicts  # shared by the batch's modes, in trace order
        self._guard_counts = [self.counts.guards[g.id] for g in mode.guards]

    def trace(self, trace: Trace) -> None:
        counts = self.counts
        counts.traces += 1
        applies = self._applies(trace)
        if applies is not True:
            if applies is False:
                counts.skipped += 1
                self._note_all(trace, "skip", None)
            else:
                counts.errors += 1
                self._note_all(trace, "error", f"when: {applies}")
                if len(self.samples) < self.max_samples:  # as the code-only loop samples it
                    first = self.mode.guards[0].id if self.mode.guards else "when"
                    self.samples.append(
                        Verdict(
                            trace_id=trace.id,
                            mode=self.mode.name,
                            guard=first,
                            outcome="error",
                            detail=f"when: {applies}",
                        )
                    )
            return
        worst = 0  # 0 pass, 1 pending, 2 error, 3 fail
        for guard, guard_counts in zip(self.mode.guards, self._guard_counts, strict=False):
            worst = max(worst, self._guard(guard, guard_counts, trace))
        if worst == 3:
            counts.fired += 1
        elif worst == 2:
            counts.errors += 1
        elif worst == 1:
            counts.pending += 1
        else:
            counts.passed += 1

    def _applies(self, trace: Trace) -> bool | str:
        when = self.mode.when
        if when is None:
            return True
        try:
            return bool(when.test(trace))
        except CheckError as exc:
            return exc.reason
        except Exception as exc:  # noqa: BLE001 - a broken check must not stop the run
            return f"{type(exc).__name__}: {exc}"

    def _guard(self, guard: CompiledGuard, counts: GuardCounts, trace: Trace) -> int:
        check = guard.check
        if check is None:
            outcome, detail = self.external.get(
                (self.mode.name, guard.id, trace.id),
                (
                    "pending" if guard.kind == "human" else "error",
                    None if guard.kind == "human" else "no verdict",
                ),
            )
            return self._count(guard, counts, trace, outcome, detail)
        try:
            if check.test(trace):
                counts.passed += 1
                if self.record:
                    self.verdicts.append(
                        Verdict(
                            trace_id=trace.id, mode=self.mode.name, guard=guard.id, outcome="pass"
                        )
                    )
                return 0
            return self._count(guard, counts, trace, "fail", None, check)
        except CheckError as exc:
            return self._count(guard, counts, trace, "error", exc.reason)
        except Exception as exc:  # noqa: BLE001 - a broken check must not stop the run
            return self._count(guard, counts, trace, "error", f"{type(exc).__name__}: {exc}")

    def _count(
        self,
        guard: CompiledGuard,
        counts: GuardCounts,
        trace: Trace,
        outcome: str,
        detail: str | None,
        check: Predicate | None = None,
    ) -> int:
        """Count an outcome; build a verdict (and explain a failure) only when one is kept."""
        rank = _RANK[outcome]
        if rank == 3:
            counts.failed += 1
        elif rank == 2:
            counts.errors += 1
        elif rank == 1:
            counts.pending += 1
        else:
            counts.passed += 1
        verdict = None
        keep = rank >= 2 and len(self.samples) < self.max_samples and not self._sampled(trace)
        if self.record or keep:
            if check is not None:
                detail = _explain(check, trace)
            verdict = Verdict(
                trace_id=trace.id,
                mode=self.mode.name,
                guard=guard.id,
                outcome=outcome,
                detail=detail,
            )
        if verdict is not None and self.record:
            self.verdicts.append(verdict)
        if verdict is not None and keep:
            self.samples.append(verdict)
        return rank

    def _sampled(self, trace: Trace) -> bool:
        """One sample per trace: its first failing guard says enough."""
        return bool(self.samples) and self.samples[-1].trace_id == trace.id

    def _note_all(self, trace: Trace, outcome: str, detail: str | None) -> None:
        if self.record:
            for guard in self.mode.guards:
                self.verdicts.append(
                    Verdict(
                        trace_id=trace.id,
                        mode=self.mode.name,
                        guard=guard.id,
                        outcome=outcome,
                        detail=detail,
                    )
                )


_RANK = {"pass": 0, "pending": 1, "error": 2, "fail": 3}


def _explain(check: Predicate, trace: Trace) -> str | None:
    try:
        return check.explain(trace)
    except Exception:  # noqa: BLE001 - an explanation is a courtesy
        return None


BatchRunner = Callable[[Sequence[Trace]], BatchResult]
