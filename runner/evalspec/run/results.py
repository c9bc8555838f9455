"""What a run produces: mergeable counts, verdicts, per-mode rates and gate outcomes.

Counts are plain sums, so batches evaluated anywhere (other processes, other machines, a Spark
job) merge into one result with :meth:`ModeCounts.merge`. The document written by ``--format json``
is :class:`Results`, under ``schemas/evalspec-results.v1.schema.json``; like the IR it holds no
floats: rates and p-values are decimal strings.
"""

from __future__ import annotations

from typing import Any

import msgspec

from evalspec.diagnostics import Diagnostic, Span

RESULTS_VERSION = 1
OUTCOMES = ("pass", "fail", "error", "skip", "pending")


class GuardCounts(msgspec.Struct, kw_only=True):
    """Outcomes of one guard over the traces where its mode applied."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    pending: int = 0

    def merge(self, other: GuardCounts) -> None:
        """Add another batch's counts."""
        self.passed += other.passed
        self.failed += other.failed
        self.errors += other.errors
        self.pending += other.pending


class ModeCounts(msgspec.Struct, kw_only=True):
    """Per-mode counts; a trace is in exactly one of skipped, fired, passed, errors, pending.

    ``fired``: some guard failed. ``passed``: every guard passed. ``errors``: no guard failed and
    some guard could not be evaluated. ``pending``: only human guards are left undecided.
    ``skipped``: the mode's ``when`` was false.
    """

    traces: int = 0
    skipped: int = 0
    fired: int = 0
    passed: int = 0
    errors: int = 0
    pending: int = 0
    guards: dict[str, GuardCounts] = msgspec.field(default_factory=dict)

    @property
    def evaluated(self) -> int:
        """Traces where the mode applied and every guard gave a verdict: the rate's denominator."""
        return self.fired + self.passed

    def merge(self, other: ModeCounts) -> None:
        """Add another batch's counts."""
        for name in ("traces", "skipped", "fired", "passed", "errors", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for guard, counts in other.guards.items():
            self.guards.setdefault(guard, GuardCounts()).merge(counts)


class Verdict(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One (trace, mode, guard) outcome; ``detail`` says what failed or why it errored."""

    trace_id: str
    mode: str
    guard: str
    outcome: str
    detail: str | None = None


class GateResult(msgspec.Struct, kw_only=True):
    """One gate of one mode: ``max_rate``, ``baseline`` or ``self_test``."""

    gate: str
    passed: bool
    message: str
    threshold: str | None = None
    baseline_rate: str | None = None
    baseline_n: int | None = None
    p_value: str | None = None


class GuardSummary(msgspec.Struct, kw_only=True):
    """A guard's counts, with where it is written."""

    id: str
    kind: str
    span: Span
    passed: int
    failed: int
    errors: int
    pending: int


class JudgeRate(msgspec.Struct, kw_only=True):
    """A judge guard's raw failure rate and its Rogan–Gladen correction from the calibration."""

    guard: str
    raw_rate: str
    corrected_rate: str
    interval: list[str]
    tpr: str
    tnr: str


class ModeResult(msgspec.Struct, kw_only=True):
    """Everything the reports need about one mode."""

    spec: str
    mode: str
    title: str | None
    severity: str | None
    span: Span
    traces: int
    skipped: int
    evaluated: int
    fired: int
    errors: int
    pending: int
    rate: str | None
    interval: list[str] | None
    judge: JudgeRate | None
    gates: list[GateResult]
    guards: list[GuardSummary]
    failing: list[Verdict]

    @property
    def passed_gates(self) -> bool:
        """Whether every gate of the mode passed."""
        return all(g.passed for g in self.gates)


class TraceSummary(msgspec.Struct, kw_only=True):
    """The traces a run read: how many, from where, and a fingerprint of their ids and content."""

    count: int
    sources: list[str]
    fingerprint: str
    problems: int


class Results(msgspec.Struct, kw_only=True):
    """A whole run: the document of ``evalspec check --format json``."""

    results_version: int
    evalspec_version: str
    outcome: str
    exit_code: int
    specs: list[str]
    traces: TraceSummary
    modes: list[ModeResult]
    diagnostics: list[Diagnostic]
    verdicts: list[Verdict]


def results_schema() -> dict[str, Any]:
    """Return the JSON Schema committed as ``schemas/evalspec-results.v1.schema.json``."""
    from evalspec._schema import publish

    return publish(Results, "evalspec-results.v1.schema.json", "evalspec check results, version 1")
