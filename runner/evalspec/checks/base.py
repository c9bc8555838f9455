"""The core of the checks: errors, outcomes, the run environment and the evaluator table.

A *check* is an IR expression compiled once into a :class:`Check`: three closures that read a
trace. ``test`` is the hot path and answers ``True`` or ``False`` or raises :class:`CheckError`
when the expression cannot be evaluated (a missing value, a file that does not load, a plugin
that crashed). ``explain`` is called only after ``test`` returned ``False`` and says what failed;
``affirm`` says why the expression is *true*, which is what ``not x`` needs to explain itself.

:data:`EVALUATORS` maps every IR expression class to the function that compiles it; the family
modules (``text``, ``structure``, ``pii``, ``tools``, ``citations``, ``external``, ``logic``)
fill it with ``@evaluator(ir.Kind)`` when the package is imported.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from evalspec import ir
from evalspec.checks.describe import describe
from evalspec.traces.record import Trace

Test = Callable[[Trace], bool]
Explain = Callable[[Trace], str]
T = TypeVar("T")


class CheckError(Exception):
    """A check could not be evaluated on a trace; ``reason`` says why (``output is missing``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Outcome(str, enum.Enum):
    """The verdict of one guard on one trace."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"
    PENDING = "pending"


@dataclass
class CheckEnv:
    """What checks may read, fixed for a run.

    ``root`` is the project root: every file path in the IR is relative to it. ``allow_exec``
    lets ``run`` and ``python`` guards execute code (``--allow-exec``). Files that checks need
    (JSON Schemas, the tools file, the corpus listing) are loaded once per run and cached here.
    """

    root: Path
    allow_exec: bool = False
    _cache: dict[tuple[str, Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def cached(self, kind: str, key: Any, load: Callable[[], T]) -> T:
        """Return ``load()`` for ``(kind, key)``, computing it once per environment.

        A loader that raises is not cached, so every check that needs the file reports it.
        """
        with self._lock:
            if (kind, key) in self._cache:
                value: T = self._cache[kind, key]
                return value
        value = load()
        with self._lock:
            self._cache[kind, key] = value
        return value

    def project_file(self, path: str) -> Path:
        """Return the file for a project-relative ``path``; refuse one outside the root."""
        root = self.root.resolve()
        candidate = (root / path).resolve()
        if candidate != root and root not in candidate.parents:
            raise CheckError(f"{path} is outside the project")
        return candidate


class Predicate(Protocol):
    """A compiled check, as the run engine sees it."""

    def test(self, trace: Trace) -> bool:
        """Return whether the expression holds; raise :class:`CheckError` if it cannot tell."""
        ...

    def explain(self, trace: Trace) -> str:
        """Say what failed; called only after :meth:`test` returned ``False``."""
        ...


class Check:
    """A compiled expression: the closures of :class:`Predicate` plus ``affirm`` and ``negated``.

    ``negated`` is an optional closure computing ``not test(trace)`` without a second call;
    ``not`` uses it so that a negated check costs no more than the check itself.
    """

    __slots__ = ("affirm", "explain", "expr", "negated", "test")

    def __init__(
        self,
        expr: ir.Expr,
        test: Test,
        explain: Explain | None = None,
        affirm: Explain | None = None,
        negated: Test | None = None,
    ) -> None:
        self.expr = expr
        self.test = test
        self.explain = explain or _stock(expr, "is false")
        self.affirm = affirm or _stock(expr, "is true")
        self.negated = negated

    def __repr__(self) -> str:
        return f"<Check {describe(self.expr)}>"


def _stock(expr: ir.Expr, verdict: str) -> Explain:
    text = f"{describe(expr)} {verdict}"
    return lambda trace: text


Evaluator = Callable[[Any, CheckEnv], Check]

#: The evaluator of every IR expression class (``ir.And``, ``ir.Or``, ``ir.Not`` and every class
#: of ``ir.Predicate``); filled by :func:`evaluator` when ``evalspec.checks`` is imported.
EVALUATORS: dict[type, Evaluator] = {}


def evaluator(*kinds: type) -> Callable[[Evaluator], Evaluator]:
    """Register the decorated function as the evaluator of the IR classes ``kinds``."""

    def register(function: Evaluator) -> Evaluator:
        for kind in kinds:
            if kind in EVALUATORS:
                raise ValueError(f"two evaluators for {kind.__name__}")
            EVALUATORS[kind] = function
        return function

    return register


def compile_check(expr: ir.Expr, env: CheckEnv) -> Check:
    """Compile an expression into a :class:`Check` through :data:`EVALUATORS`."""
    try:
        function = EVALUATORS[type(expr)]
    except KeyError:
        raise TypeError(f"no evaluator for IR node {type(expr).__name__}") from None
    return function(expr, env)


def compile_expr(expr: ir.Expr, env: CheckEnv) -> Predicate:
    """Compile an IR expression once into a fast predicate over traces."""
    return compile_check(expr, env)


_PASSED: tuple[Outcome, str | None] = (Outcome.PASS, None)


def evaluate(pred: Predicate, trace: Trace) -> tuple[Outcome, str | None]:
    """Evaluate ``pred`` on ``trace``: PASS, FAIL with an explanation, or ERROR with a reason.

    Nothing raised inside a check propagates: a :class:`CheckError` gives its reason and any
    other exception (a bug, a plugin misbehaving) is reported as an internal error.
    """
    try:
        if pred.test(trace):
            return _PASSED
    except CheckError as exc:
        return Outcome.ERROR, exc.reason
    except Exception as exc:  # the case boundary: report, never propagate
        return Outcome.ERROR, internal_error(exc)
    try:
        return Outcome.FAIL, pred.explain(trace)
    except Exception as exc:  # a broken explanation must not hide the verdict
        return Outcome.FAIL, f"(no explanation: {internal_error(exc)})"


def internal_error(exc: BaseException) -> str:
    """Describe an unexpected exception raised inside a check."""
    if isinstance(exc, CheckError):
        return exc.reason
    return f"internal error: {type(exc).__name__}: {exc}"


def failing(expr: ir.Expr, reason: str) -> Check:
    """Return a check that cannot be evaluated on any trace (a file that did not load, ...)."""

    def test(trace: Trace) -> bool:
        raise CheckError(reason)

    return Check(expr, test)
