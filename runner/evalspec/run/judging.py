"""Judge and human guards during ``check``: verdicts fetched batch by batch, then looked up.

Judge verdicts come from the committed replay file (``judge { cache "..." }``), then the local
SQLite cache (``.evalspec/judge-cache.sqlite``), then the endpoint; every verdict is stored the
moment it arrives. Human guards read the suite's labels: a label ``fail`` for the mode makes the
guard fail; no label leaves it pending.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr
from evalspec.diagnostics import Diagnostic, error
from evalspec.errors import UsageError
from evalspec.judge.cache import CachedVerdict, ReplayCache, VerdictCache
from evalspec.judge.calibrate import Split, calibration_drift, few_shots, guard_split, read_prompt
from evalspec.judge.client import JudgeClient, JudgeSettings
from evalspec.judge.templates import FewShot, render
from evalspec.run import codes
from evalspec.run.baseline import JudgeCalibration
from evalspec.run.engine import External
from evalspec.run.labels import Label, human_outcomes, read_labels
from evalspec.traces import Trace, find_traces

if TYPE_CHECKING:
    from evalspec.run.check import CheckOptions, Spec
    from evalspec.run.engines import RunOutput, RunSettings, TraceSource

DEFAULT_CACHE = ".evalspec/judge-cache.sqlite"


class LayeredStore:
    """Replayed verdicts first, then the local cache; new verdicts go to the local cache."""

    def __init__(self, replay: ReplayCache | None, local: VerdictCache) -> None:
        self.replay = replay
        self.local = local

    def get(self, key: str) -> CachedVerdict | None:
        """Look the key up in the replay file, then in the local cache."""
        hit = self.replay.get(key) if self.replay is not None else None
        return hit or self.local.get(key)

    def put(
        self, key: str, model: str, result: str, critique: str, *, created: str | None = None
    ) -> bool:
        """Store a fetched verdict in the local cache."""
        return self.local.put(key, model, result, critique, created=created)


@dataclass
class JudgeSpec:
    """A judge guard ready to ask: its mode, template, few-shot examples and settings."""

    mode: ir.Mode
    guard: ir.JudgeGuard
    template: str
    shots: list[FewShot]
    settings: JudgeSettings


def settings_for(suite: ir.Suite | None, guard: ir.JudgeGuard, offline: bool) -> JudgeSettings:
    """Build client settings from the suite's judge block and the guard's model override."""
    config = suite.judge if suite else None
    model = _resolve(guard.model) or _resolve(config.model if config else None)
    if not model:
        raise UsageError(
            f"judge '{guard.name}' has no model: set `model` in the suite's judge block"
        )
    key = config.api_key if config else None
    return JudgeSettings(
        model=model,
        base_url=_resolve(config.base_url if config else None) or "https://api.openai.com/v1",
        api_key_env=key.name if isinstance(key, ir.EnvValue) else "OPENAI_API_KEY",
        temperature=float(config.temperature) if config else 0.0,
        timeout=(config.timeout_ms / 1000) if config else 60.0,
        concurrency=config.concurrency if config else 8,
        max_retries=config.max_retries if config else 4,
        max_calls=config.max_calls if config else None,
        offline=offline,
    )


def _resolve(value: ir.Setting | None) -> str | None:
    if isinstance(value, ir.EnvValue):
        return os.environ.get(value.name, value.default or "") or None
    return value.value if value is not None else None


def open_store(root: Path, suite: ir.Suite | None, local: Path | None) -> LayeredStore:
    """The verdict store of a project: the committed replay file and the local cache."""
    replay_path = suite.judge.cache if suite and suite.judge else None
    replay = (
        ReplayCache(root / replay_path) if replay_path and (root / replay_path).exists() else None
    )
    path = local or root / DEFAULT_CACHE
    path.parent.mkdir(parents=True, exist_ok=True)
    return LayeredStore(replay, VerdictCache(path))


def labelled_traces(
    root: Path, suite: ir.Suite | None, labels: Sequence[Label]
) -> list[tuple[Trace, Label]]:
    """Pair labels with their traces: the label's own record, else the trace source by id."""
    wanted = {lab.trace_id for lab in labels if lab.record is None}
    found: dict[str, Trace] = {}
    if wanted and suite and suite.example_source:
        found = find_traces(suite.example_source, wanted, base_dir=root, format=suite.trace_format)[
            0
        ]
    pairs = []
    for label in labels:
        paired = msgspec.convert(label.record, Trace) if label.record else found.get(label.trace_id)
        if paired is not None and label.label is not None:
            pairs.append((paired, label))
    return pairs


def judge_specs(
    spec: Spec, offline: bool, only: Sequence[str], problems: list[Diagnostic] | None = None
) -> list[JudgeSpec]:
    """Every judge guard of the spec's (selected) modes, with its template and examples.

    Invalid lines of the judges' labels files are reported in ``problems`` (ES609).
    """
    out = []
    suite = spec.doc.suite
    for mode in spec.doc.modes:
        if only and mode.name not in only:
            continue
        for guard in mode.guards:
            if isinstance(guard, ir.JudgeGuard):
                template = read_prompt(spec.root, guard)
                shots = _shots(spec.root, suite, guard, problems)
                out.append(
                    JudgeSpec(mode, guard, template, shots, settings_for(suite, guard, offline))
                )
    return out


def _shots(
    root: Path, suite: ir.Suite | None, guard: ir.JudgeGuard, problems: list[Diagnostic] | None
) -> list[FewShot]:
    if guard.labels is None:
        return []
    labels, bad = read_labels(root / guard.labels, guard.labels)
    if problems is not None:
        problems.extend(bad)  # ES609 lines were read and then dropped without a word
    return split_labelled(guard, labelled_traces(root, suite, labels))[1]


def split_labelled(
    guard: ir.JudgeGuard, pairs: Sequence[tuple[Trace, Label]]
) -> tuple[Split, list[FewShot]]:
    """Split a judge's labelled traces as the guard says; few-shot examples come from train only.

    ``check``, ``judge calibrate`` and ``judge compare`` all show the judge these same examples,
    so the prompts match and each one's cached verdicts serve the others.
    """
    split = guard_split(guard, pairs)
    return split, few_shots([(t, lab.label or "", lab.note or "") for t, lab in split.train])


@dataclass
class JudgePhase:
    """Fills the engine's ``external`` table for one spec, batch by batch."""

    judges: list[JudgeSpec]
    humans: dict[tuple[str, str], str]
    human_guards: dict[str, list[str]]
    store: LayeredStore | None
    env: CheckEnv
    incomplete: bool = False
    judged: dict[str, list[str]] = field(default_factory=dict)  # guard key -> verdicts ("pass"...)
    missing: int = 0
    clients: dict[str, JudgeClient] = field(default_factory=dict)
    #: mode name -> (judge verdicts missing, the first reason): the mode's rate gates are not
    #: applied (a broken endpoint must never look like a regression) and ES605 says why.
    missing_by_mode: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: The same per judge guard (``mode/judge``), for one ES605 per judge that lost verdicts.
    missing_by_judge: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: Diagnostics for the results: invalid label lines (ES609), missing verdicts (ES605).
    problems: list[Diagnostic] = field(default_factory=list)
    path: str = ""

    def calibration_problem(self, key: str, calibration: JudgeCalibration | None) -> str | None:
        """Why the lock's calibration of judge ``mode/judge`` cannot correct its rate, if so."""
        judge = next((j for j in self.judges if f"{j.mode.name}/{j.guard.name}" == key), None)
        if judge is None:
            return None
        if calibration is None:
            return "it was never calibrated"
        if calibration.model != judge.settings.model:
            return (
                f"it was calibrated with model {calibration.model!r}, not {judge.settings.model!r}"
            )
        changed = calibration_drift(self.env.root, judge.guard, calibration)
        return f"its {' and '.join(changed)} changed since it was calibrated" if changed else None

    @classmethod
    def create(cls, spec: Spec, env: CheckEnv, options: CheckOptions) -> JudgePhase | None:
        """Return the phase for a spec with judge or human guards, else ``None``."""
        problems: list[Diagnostic] = []
        judges = judge_specs(spec, options.offline, options.modes, problems)
        human_guards = {
            m.name: [g.id for g in m.guards if isinstance(g, ir.HumanGuard)] for m in spec.doc.modes
        }
        human_guards = {k: v for k, v in human_guards.items() if v}
        if not judges and not human_guards:
            return None
        suite = spec.doc.suite
        labels = _suite_labels(spec.root, suite, problems)
        store = open_store(spec.root, suite, options.judge_cache) if judges else None
        phase = cls(judges, human_outcomes(labels), human_guards, store, env)
        phase.problems, phase.path = problems, spec.path
        return phase

    def run(
        self, doc: ir.EvalFile, env: CheckEnv, source: TraceSource, settings: RunSettings
    ) -> RunOutput:
        """Run the sequential engine with this phase answering judge and human guards."""
        from evalspec.run.engines import SequentialEngine

        loop = asyncio.new_event_loop()
        try:
            output = SequentialEngine().run(
                doc, env, source, settings, external=lambda batch: self.external(batch, loop)
            )
        finally:
            for client in self.clients.values():
                loop.run_until_complete(client.aclose())
            loop.close()
        self.problems += [self._missing_problem(j) for j in self.judges if self._missed(j)]
        return output

    def _missed(self, judge: JudgeSpec) -> bool:
        return _key(judge) in self.missing_by_judge

    def _missing_problem(self, judge: JudgeSpec) -> Diagnostic:
        """ES605: why the run is incomplete (exit 3), on the judge guard's line."""
        count, reason = self.missing_by_judge[_key(judge)]
        message = (
            f"{count} verdict(s) of judge '{judge.guard.name}' (mode '{judge.mode.name}') are "
            f"missing: {reason}; the evaluation is incomplete and the mode's rate is not gated"
        )
        return error(codes.JUDGE_INCOMPLETE, message, self.path, judge.guard.span)

    def external(self, batch: list[Trace], loop: asyncio.AbstractEventLoop) -> External:
        """Outcomes of the judge and human guards for one batch."""
        table: dict[tuple[str, str, str], tuple[str, str | None]] = {}
        for mode, guard_ids in self.human_guards.items():
            for trace in batch:
                label = self.humans.get((mode, trace.id))
                for guard_id in guard_ids:
                    table[(mode, guard_id, trace.id)] = (
                        (label, None) if label else ("pending", None)
                    )
        for judge in self.judges:
            table.update(loop.run_until_complete(self._grade(judge, batch)))
        return table

    async def _grade(self, judge: JudgeSpec, batch: list[Trace]) -> External:
        when = compile_expr(judge.mode.when, self.env) if judge.mode.when is not None else None
        applicable = [t for t in batch if when is None or _safe(when, t)]
        prompts = [render(judge.template, t, judge.shots) for t in applicable]
        key = f"{judge.mode.name}/{judge.guard.name}"
        if key not in self.clients:  # one client (one connection pool) per judge for the run
            assert self.store is not None
            self.clients[key] = JudgeClient(judge.settings, self.store)
        verdicts = await self.clients[key].grade_many(prompts)
        out: dict[tuple[str, str, str], tuple[str, str | None]] = {}
        for trace, verdict in zip(applicable, verdicts, strict=False):
            detail = verdict.critique if verdict.result != "error" else verdict.reason
            out[(judge.mode.name, judge.guard.id, trace.id)] = (verdict.result, detail or None)
            self.judged.setdefault(key, []).append(verdict.result)
            if verdict.result == "error" and not_judged(verdict.reason):
                self.incomplete = True
                self.missing += 1
                for table, name in (
                    (self.missing_by_mode, judge.mode.name),
                    (self.missing_by_judge, key),
                ):
                    count, reason = table.get(name, (0, verdict.reason))
                    table[name] = (count + 1, reason)
        return out


def _key(judge: JudgeSpec) -> str:
    return f"{judge.mode.name}/{judge.guard.name}"


def not_judged(reason: str) -> bool:
    """Errors that mean "not judged" (endpoint, budget, offline), not "judged badly".

    Only an unparseable answer is a (bad) judgement: the judge answered, not with PASS or FAIL.
    Every other error is a verdict that never arrived: a miss under ``--offline``
    (``OFFLINE_MISS``), the budget spent (``BUDGET_EXHAUSTED``), an endpoint down after
    its retries, and also an endpoint that refuses every request (HTTP 401/403/404, whose reasons
    start with ``HTTP``). Those used to count as judged, so a revoked API key passed with exit 0.
    """
    return not reason.startswith("unparseable answer")


def _safe(check: Any, trace: Trace) -> bool:
    try:
        return bool(check.test(trace))
    except Exception:  # noqa: BLE001 - the engine reports when-errors; do not judge those traces
        return False


def _suite_labels(root: Path, suite: ir.Suite | None, problems: list[Diagnostic]) -> list[Label]:
    if suite is None or suite.labels is None or not (root / suite.labels).exists():
        return []
    labels, bad = read_labels(root / suite.labels, suite.labels)
    problems.extend(bad)
    return labels
