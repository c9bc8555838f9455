"""ES1xx, structure and coverage: the distance between the taxonomy and the suite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from evalspec.diagnostics import Diagnostic
from evalspec.lang import ast
from evalspec.lint.base import LintContext, Rule, rule
from evalspec.lint.nodes import is_code_guard, is_guard, seen, settings, string_lists

#: How many of the most frequent modes must have a code guard (ES103).
TOP_MODES = 3
_ORDINALS = ("most frequent", "second most frequent", "third most frequent")


@rule
class ModeWithoutGuard(Rule):
    """A mode declares no guard: no `assert`, `judge` or `human` statement.

    A failure mode without a guard is written down but never detected: `evalspec check` cannot
    tell whether it came back. Close the gap on the lowest rung that can express the mode: a
    code assertion if at all possible, else an LLM judge validated against human labels, else
    a human review.

    **Anti-pattern**

    ```eval
    mode rambling "Answers are too long for the chat widget" {
      why "Users scroll past the answer and ask again."
    }
    ```

    **Best practice**

    ```eval
    mode rambling "Answers are too long for the chat widget" {
      why "Users scroll past the answer and ask again."
      assert words(output) <= 180
    }
    ```
    """

    code = "ES101"
    name = "mode-without-guard"
    groups = ("coverage",)

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report modes with no guard statement."""
        for mode in ctx.modes:
            if not any(is_guard(stmt) for stmt in mode.body):
                yield self.finding(
                    ctx, mode.name.span,
                    f"mode '{mode.name.value}' has no guard: check never sees it come back",
                    hint="add an assert (code), or else a judge or a human guard",
                )  # fmt: skip


@rule
class HighRungWithoutTodo(Rule):
    """A mode is guarded only by a judge or a human, with no `todo` to climb down.

    Code assertions are deterministic, instant and free; a judge costs calls, drifts and needs
    labels; a human needs a person. Every mode should move to a cheaper rung when it can. A
    `todo` says what would let a code assertion replace the judge or the reviewer, so the
    plan to climb down is written where the next person will look.

    **Anti-pattern**

    ```eval
    mode wrong_refund_amount "Quotes a refund the policy does not allow" {
      human "Compare the amount with the refund table in kb/policy/refunds.md"
    }
    ```

    **Best practice**

    ```eval
    mode wrong_refund_amount "Quotes a refund the policy does not allow" {
      human "Compare the amount with the refund table in kb/policy/refunds.md"
      todo "convert to code: compare with the refunds table once amounts are logged as metadata"
    }
    ```
    """

    code = "ES102"
    name = "high-rung-without-todo"
    groups = ("coverage",)

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report modes whose guards are all judges or humans and that have no todo."""
        for mode in ctx.modes:
            guards = [s for s in mode.body if is_guard(s)]
            if not guards or any(is_code_guard(g) for g in guards) or settings(mode, "todo"):
                continue
            rung = "a judge" if all(isinstance(g, ast.JudgeGuard) for g in guards) else (
                "a human" if not any(isinstance(g, ast.JudgeGuard) for g in guards)
                else "a judge and a human")  # fmt: skip
            yield self.finding(
                ctx, mode.name.span,
                f"mode '{mode.name.value}' is guarded only by {rung}, with no plan to climb down",
                hint='add  todo "convert to code: ..."  saying what would make an assert possible',
            )  # fmt: skip


@rule
class FrequentModeWithoutCodeGuard(Rule):
    """One of the three most frequent modes (by `seen`) has no code guard.

    Axial coding ranks modes by frequency, and a few modes usually account for most failures.
    Those are the modes to gate on every change, which only a code assertion can do cheaply
    and deterministically. Modes are ranked by the share of reviewed traces that showed them
    (`seen N of M`); modes without `seen` are not ranked.

    **Anti-pattern**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      seen 14 of 100 on 2026-11-20
      judge tone {
        prompt "Is the reply to {{input}} curt, sarcastic or blaming? {{output}}"
      }
    }
    ```

    **Best practice**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      seen 14 of 100 on 2026-11-20
      assert not output icontains any ["obviously", "as I already said", "you should have"]
      judge tone {
        prompt "Is the reply to {{input}} curt, sarcastic or blaming? {{output}}"
      }
    }
    ```
    """

    code = "ES103"
    name = "frequent-mode-without-code-guard"
    groups = ("coverage",)

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Rank modes by seen rate and report the top ones lacking an assert."""
        rows = []
        for mode in ctx.modes:
            stmt = seen(mode)
            count, total = (int(stmt.count.text), int(stmt.total.text)) if stmt else (0, 0)
            if count > 0 < total:  # equal fractions divide to equal floats, so ties stay ties
                rows.append((count / total, count, -mode.span.line, total, mode))
        ranked = sorted(rows, key=lambda row: row[:3], reverse=True)
        for rank, (_, count, _, total, mode) in enumerate(ranked[:TOP_MODES]):
            if any(is_code_guard(stmt) for stmt in mode.body):
                continue
            yield self.finding(
                ctx, mode.name.span,
                f"mode '{mode.name.value}' is the {_ORDINALS[rank]} mode (seen {count} of "
                f"{total}) and has no code guard",
                hint="gate the frequent modes with an assert; keep a judge for what code misses",
            )  # fmt: skip


@rule
class ReviewOverdue(Rule):
    """A mode's `seen` date is older than the suite's `review every` cadence.

    Failure modes drift as the product, the users and the model change; the only way to see
    new ones is to keep reading traces. `review every 14d` makes the looking a ritual, and a
    `seen` date older than that means the counts, and perhaps the taxonomy, are stale.
    Suites without a review cadence are not checked.

    **Anti-pattern**

    ```eval
    suite support "Customer support assistant" {
      review every 14d
    }

    mode rambling "Answers are too long for the chat widget" {
      seen 12 of 100 on 2026-09-01
      assert words(output) <= 180
    }
    ```

    **Best practice**

    ```eval
    suite support "Customer support assistant" {
      review every 14d
    }

    mode rambling "Answers are too long for the chat widget" {
      seen 7 of 100 on 2026-11-20
      assert words(output) <= 180
    }
    ```
    """

    code = "ES104"
    name = "review-overdue"
    groups = ("coverage", "process")
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report seen dates older than the review cadence."""
        suite = ctx.suite
        if suite is None or not suite.review_every_ms:
            return
        cadence = dt.timedelta(milliseconds=suite.review_every_ms)
        for mode in ctx.modes:
            stmt = seen(mode)
            if stmt is None or stmt.on is None:
                continue
            age = ctx.today - dt.date.fromisoformat(stmt.on.text)
            if age > cadence:
                yield self.finding(
                    ctx, stmt.on.span,
                    f"mode '{mode.name.value}' was last counted on {stmt.on.text}, {age.days} days"
                    f" ago; the suite reviews every {_days(cadence)}: the looking is overdue",
                    hint="review fresh traces, then update seen (count, total and date)",
                )  # fmt: skip


def _days(delta: dt.timedelta) -> str:
    if delta.days and delta == dt.timedelta(days=delta.days):
        return f"{delta.days}d"
    return f"{delta.total_seconds() / 3600:g}h"


@rule
class UnmatchedFilePattern(Rule):
    """A `traces`, `examples`, `guards` or `corpus` pattern matches no file.

    Single files a spec names (`tools`, `labels`, prompts, schemas) must exist, which the
    compiler checks (ES039). Patterns may legitimately match nothing yet, so the compiler
    accepts them; but a trace source that matches nothing makes `check` fail, an empty
    `guards` pattern never re-runs the suite, and an empty `corpus` makes every citation
    invalid. Paths are relative to the spec's folder.

    **Anti-pattern**

    ```eval
    suite support "Customer support assistant" {
      traces "logs/*.jsonl"
    }

    mode rambling "Answers are too long for the chat widget" {
      assert words(output) <= 180
    }
    ```

    **Best practice**

    ```eval
    suite support "Customer support assistant" {
      traces "traces/*.jsonl"
    }

    mode rambling "Answers are too long for the chat widget" {
      assert words(output) <= 180
    }
    ```

    ```jsonl file=traces/2026-11-27.jsonl
    {"id": "tr_0001", "input": "Hi", "output": "Hello! How can I help?"}
    ```
    """

    code = "ES105"
    name = "unmatched-file-pattern"
    groups = ("coverage", "files")
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report suite patterns under which no file exists."""
        suite, node = ctx.suite, ctx.suite_node
        if suite is None or node is None:
            return
        for keyword in ("traces", "examples", "guards", "corpus"):
            written = [s for stmt in string_lists(node, keyword) for s in stmt.items]
            for item, pattern in zip(written, getattr(suite, keyword), strict=False):
                if not _matches_any(ctx, pattern):
                    yield self.finding(
                        ctx, item.span, f"{keyword} pattern '{item.value}' matches no file",
                        hint="paths are relative to the folder of the spec",
                    )  # fmt: skip


def _matches_any(ctx: LintContext, pattern: str) -> bool:
    if not any(c in pattern for c in "*?["):
        return (ctx.root / pattern).exists()
    try:
        return next(iter(ctx.root.glob(pattern)), None) is not None
    except (ValueError, OSError):
        return True  # a pattern the platform cannot glob is the trace reader's to report
