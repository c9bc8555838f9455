"""ES201-ES202, guard hygiene: the self-test, offline, code guards only.

Every ``assert`` guard must fire on each of its mode's ``example`` traces and stay silent on each
``counter`` (DESIGN.md section 3). ``check`` fails on this too; lint reports it before any
trace set is run. Guards and ``when`` clauses that run programs (``run``, ``python``) are left
out: lint never executes code. Example ids are looked up in the suite's ``examples`` source,
else its ``traces``; an id that is not found is ES302's finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from evalspec import ir
from evalspec.diagnostics import Diagnostic, Severity
from evalspec.lint.base import LintContext, Rule, rule

if TYPE_CHECKING:
    from evalspec.checks import SelfTestResult


def self_test(ctx: LintContext) -> list[SelfTestResult]:
    """The self-test results of every mode of the file, computed once per file."""
    return ctx.memo("self-test", lambda: _run(ctx))


def _run(ctx: LintContext) -> list[SelfTestResult]:
    from evalspec.checks import CheckEnv
    from evalspec.checks import self_test as run_self_test

    assert ctx.doc is not None
    env = CheckEnv(ctx.root, allow_exec=False)
    results: list[SelfTestResult] = []
    for mode in ctx.doc.modes:
        if not (mode.examples or mode.counters) or (mode.when and _runs_code(mode.when)):
            continue
        guards = [
            g for g in mode.guards if isinstance(g, ir.AssertGuard) and not _runs_code(g.expr)
        ]
        if guards:
            offline = msgspec.structs.replace(mode, guards=guards)
            results += run_self_test(offline, ctx.traces().found, env)
    return results


def _runs_code(expr: ir.Expr) -> bool:
    if isinstance(expr, (ir.Run, ir.Python)):
        return True
    if isinstance(expr, (ir.And, ir.Or)):
        return any(_runs_code(arg) for arg in expr.args)
    if isinstance(expr, ir.Not):
        return _runs_code(expr.arg)
    return False


def _guard_line(ctx: LintContext, mode_name: str, guard_id: str) -> int | None:
    mode = next((m for m in ctx.doc.modes if m.name == mode_name), None) if ctx.doc else None
    guard = next((g for g in mode.guards if g.id == guard_id), None) if mode else None
    return guard.span.line if guard else None


def describe(ctx: LintContext, result: SelfTestResult) -> str:
    """Say what went wrong in a failed self-test result, naming the guard and its line."""
    line = _guard_line(ctx, result.mode, result.guard or "")
    what = "the when clause" if result.guard == "when" else (
        f"{result.guard} (line {line})" if line else str(result.guard))  # fmt: skip
    subject = f"{what} of mode '{result.mode}'"
    target = f"its {result.role} '{result.example}'"
    detail = result.explanation or ""
    if result.outcome == "error":
        reason = detail.split(": ", 1)[-1] if result.guard == "when" else detail
        return f"{subject} cannot be evaluated on {target}: {reason}"
    if result.guard == "when":
        return f"{subject} excludes {target}"
    if result.role == "example":
        return f"{subject} does not fire on {target}"
    return f"{subject} fires on {target}: {detail.removeprefix('the guard fires on its counter: ')}"


@rule
class GuardMissesExample(Rule):
    """A code guard does not fire on one of its mode's own `example` traces.

    An example is a trace that shows the failure mode. A guard that stays silent on it (or a
    `when` clause that excludes it) does not encode the mode, and would let the failure back
    in. `check` fails the self-test for the same reason; lint says so without running the
    suite. This runs offline on the code guards only; `run` and `python` guards are skipped.

    **Anti-pattern**

    ```eval
    mode missing_refusal "Answers legal questions instead of refusing" {
      assert output matches /(?i)(can only help with|not able to advise|lawyer)/
      example {
        input "Can I sue my landlord over the mold?"
        output "Yes. A lawyer would start with a demand letter that cites your lease."
      }
    }
    ```

    **Best practice**

    ```eval
    mode missing_refusal "Answers legal questions instead of refusing" {
      assert output matches /(?i)(can only help with|not able to advise)/
      example {
        input "Can I sue my landlord over the mold?"
        output "Yes. A lawyer would start with a demand letter that cites your lease."
      }
    }
    ```
    """

    code = "ES201"
    name = "guard-misses-example"
    groups = ("guards", "self-test")
    severity = Severity.ERROR
    needs = "compiled"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report self-test failures on examples."""
        for result in self_test(ctx):
            if result.role != "example" or result.ok or result.guard is None:
                continue
            yield self.finding(
                ctx, result.span, describe(ctx, result),
                hint="fix the guard; or, if the trace does not show the mode, it is no example",
            )  # fmt: skip


@rule
class GuardFiresOnCounter(Rule):
    """A code guard fires on one of its mode's `counter` traces.

    A counter is a trace that must not trigger the mode: a near miss that a careless guard
    would flag. A guard that fires on it raises false alarms in CI, and teams learn to ignore
    alarms. Tighten the guard or narrow the mode with a `when` clause.

    **Anti-pattern**

    ```eval
    mode rambling "Answers are too long for the chat widget" {
      assert len(output) <= 40
      counter {
        output "Your order left our warehouse yesterday and arrives within 3 days."
      }
    }
    ```

    **Best practice**

    ```eval
    mode rambling "Answers are too long for the chat widget" {
      assert len(output) <= 1200
      counter {
        output "Your order left our warehouse yesterday and arrives within 3 days."
      }
    }
    ```
    """

    code = "ES202"
    name = "guard-fires-on-counter"
    groups = ("guards", "self-test")
    severity = Severity.ERROR
    needs = "compiled"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report self-test failures on counters."""
        for result in self_test(ctx):
            if result.role != "counter" or result.ok or result.guard is None:
                continue
            yield self.finding(
                ctx, result.span, describe(ctx, result),
                hint="tighten the guard or add a when clause; or make the trace an example",
            )  # fmt: skip
