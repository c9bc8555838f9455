"""Combinators with three-valued logic: ``and``, ``or``, ``not``.

Arguments are evaluated left to right. ``or`` is true as soon as one argument is true, even if
another could not be evaluated; it is false only when every argument is false; otherwise it is
an error. ``and`` is the dual: false as soon as one argument is false, true only when all are
true, otherwise an error. ``not`` swaps true and false and keeps errors. So
``not tool_called "refund" or tool_called "lookup_order" before "refund"`` holds on a trace
without tool calls.
"""

from __future__ import annotations

from evalspec import ir
from evalspec.checks.base import (
    Check,
    CheckEnv,
    CheckError,
    Explain,
    Test,
    compile_check,
    evaluator,
    internal_error,
)
from evalspec.traces.record import Trace


def _reason(exc: Exception) -> CheckError:
    return exc if isinstance(exc, CheckError) else CheckError(internal_error(exc))


def _outcome(test: Test, trace: Trace) -> bool | None:
    """Return the argument's value, or ``None`` when it cannot be evaluated."""
    try:
        return test(trace)
    except Exception:  # an error in one argument may be decided by another
        return None


@evaluator(ir.And)
def compile_and(expr: ir.And, env: CheckEnv) -> Check:
    """Compile ``a and b and ...``."""
    args = [compile_check(arg, env) for arg in expr.args]
    tests = [arg.test for arg in args]

    def test(trace: Trace) -> bool:
        error: Exception | None = None
        for one in tests:
            try:
                if not one(trace):
                    return False
            except Exception as exc:  # decided later by a false argument, else re-raised
                error = error or exc
        if error is not None:
            raise _reason(error)
        return True

    def explain(trace: Trace) -> str:
        for arg in args:
            if _outcome(arg.test, trace) is False:
                return arg.explain(trace)
        return "an argument of 'and' is false"  # pragma: no cover - test() said one is

    def affirm(trace: Trace) -> str:
        return "; ".join(arg.affirm(trace) for arg in args)

    return Check(expr, test, explain, affirm)


@evaluator(ir.Or)
def compile_or(expr: ir.Or, env: CheckEnv) -> Check:
    """Compile ``a or b or ...``."""
    args = [compile_check(arg, env) for arg in expr.args]
    tests = [arg.test for arg in args]

    def test(trace: Trace) -> bool:
        error: Exception | None = None
        for one in tests:
            try:
                if one(trace):
                    return True
            except Exception as exc:  # decided later by a true argument, else re-raised
                error = error or exc
        if error is not None:
            raise _reason(error)
        return False

    def explain(trace: Trace) -> str:
        return "; ".join(arg.explain(trace) for arg in args)

    def affirm(trace: Trace) -> str:
        for arg in args:
            if _outcome(arg.test, trace):
                return arg.affirm(trace)
        return "an argument of 'or' is true"  # pragma: no cover - test() said one is

    return Check(expr, test, explain, affirm)


@evaluator(ir.Not)
def compile_not(expr: ir.Not, env: CheckEnv) -> Check:
    """Compile ``not a``: a fused negation when the argument offers one."""
    arg = compile_check(expr.arg, env)
    inner = arg.test
    test: Test = arg.negated or _negation(inner)
    explain: Explain = arg.affirm  # "not a" is false because a is true: say why a holds
    return Check(expr, test, explain, affirm=arg.explain, negated=inner)


def _negation(inner: Test) -> Test:
    def test(trace: Trace) -> bool:
        return not inner(trace)

    return test
