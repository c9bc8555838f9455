"""Helpers of tests/checks: compile ``.eval`` snippets for real and evaluate them on Traces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalspec import ir
from evalspec.checks import CheckEnv, Outcome, compile_expr, evaluate
from evalspec.lang.load import compile_text
from evalspec.traces.record import Trace


def trace(**fields: Any) -> Trace:
    """A Trace with id ``t`` and the given fields."""
    return Trace(**{"id": "t", **fields})


def guard_expr(expr: str, root: Path, suite: str = "") -> ir.Expr:
    """Compile ``assert <expr>`` in a one-mode spec and return the expression's IR."""
    doc = compile_text(f"{suite}\nmode m {{\n  assert {expr}\n}}\n", "t.eval", root=root)
    guard = doc.modes[0].guards[0]
    assert isinstance(guard, ir.AssertGuard)
    return guard.expr


class Checker:
    """Evaluate guard expressions written in the language, in one project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.suite = ""
        self.allow_exec = False

    def __call__(self, expr: str, t: Trace) -> tuple[Outcome, str | None]:
        env = CheckEnv(root=self.root, allow_exec=self.allow_exec)
        return evaluate(compile_expr(guard_expr(expr, self.root, self.suite), env), t)

    def outcome(self, expr: str, t: Trace) -> Outcome:
        return self(expr, t)[0]


PASS, FAIL, ERROR = Outcome.PASS, Outcome.FAIL, Outcome.ERROR
