"""Checks: every code predicate and selector of the language, compiled once into a fast check.

The run engine compiles each guard with :func:`compile_expr` and calls :func:`evaluate` per
trace, which never raises. ``docs/checks.md`` gives the exact semantics of every predicate.

One module per family fills :data:`EVALUATORS` (keyed by IR expression class) when imported:
``logic`` (and, or, not), ``compare``, ``text``, ``structure`` (is json, conforms), ``pii``,
``tools``, ``citations``, ``external`` (run, python). ``operands`` compiles selectors and
functions; ``examples`` builds inline traces; ``selftest`` checks guards against their examples.
This package consumes IR only: it never imports ``evalspec.lang``.
"""

from evalspec.checks import citations, compare, logic, pii, structure, text, tools  # noqa: F401
from evalspec.checks.base import (
    EVALUATORS,
    Check,
    CheckEnv,
    CheckError,
    Outcome,
    Predicate,
    compile_expr,
    evaluate,
)
from evalspec.checks.describe import describe
from evalspec.checks.examples import inline_trace
from evalspec.checks.external import needs_exec
from evalspec.checks.operands import compile_operand
from evalspec.checks.pii import PII_DETECTOR_VERSION
from evalspec.checks.selftest import SelfTestResult, self_test

__all__ = [
    "EVALUATORS",
    "PII_DETECTOR_VERSION",
    "Check",
    "CheckEnv",
    "CheckError",
    "Outcome",
    "Predicate",
    "SelfTestResult",
    "compile_expr",
    "compile_operand",
    "describe",
    "evaluate",
    "inline_trace",
    "needs_exec",
    "self_test",
]
