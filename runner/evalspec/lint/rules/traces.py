"""ES3xx, traces and exemplars: every mode shows what it looks like, on traces that exist."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec import ir
from evalspec.diagnostics import Diagnostic, Severity, Span
from evalspec.lint.base import LintContext, Rule, rule
from evalspec.lint.nodes import has_examples, string_lists


@rule
class ModeWithoutExamples(Rule):
    """A mode names no `example` trace, by id or inline.

    Axial coding gives each failure mode a title, a definition and exemplar traces: the
    examples are what the next reader checks the definition against, and what the self-test
    runs every guard on. A mode without one cannot show that its guard catches it.

    **Anti-pattern**

    ```eval
    mode rambling "Answers are too long for the chat widget" {
      assert len(output) <= 60
    }
    ```

    **Best practice**

    ```eval
    mode rambling "Answers are too long for the chat widget" {
      assert len(output) <= 60
      example {
        output "Thank you for reaching out! Let me walk you through every step of a return."
      }
    }
    ```
    """

    code = "ES301"
    name = "mode-without-examples"
    groups = ("traces",)

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report modes with no example statement."""
        for mode in ctx.modes:
            if not has_examples(mode):
                yield self.finding(
                    ctx, mode.name.span,
                    f"mode '{mode.name.value}' names no example trace: nothing shows what it "
                    "looks like or tests its guards",
                    hint='add  example "<trace id>"  of a coded trace, or an inline example { }',
                )  # fmt: skip


@rule
class ExampleNotFound(Rule):
    """An `example` or `counter` id is not in the suite's trace source.

    Ids are looked up in the suite's `examples` source (the reviewed sample), else in its
    `traces`. An id that is not there is a typo or a trace that was never exported; either way
    the self-test cannot run the guard on it, and `check` fails. (A pattern that matches no
    file at all is ES105.)

    **Anti-pattern**

    ```eval
    suite support "Customer support assistant" {
      examples "reviewed/*.jsonl"
    }

    mode missing_refusal "Answers legal questions instead of refusing" {
      example "tr_0013"
      assert output matches /(?i)not able to advise/
    }
    ```

    ```jsonl file=reviewed/2026-11-20.jsonl
    {"id": "tr_0012", "input": "Can I sue my landlord?", "output": "Yes, file a claim."}
    ```

    **Best practice**

    ```eval
    suite support "Customer support assistant" {
      examples "reviewed/*.jsonl"
    }

    mode missing_refusal "Answers legal questions instead of refusing" {
      example "tr_0012"
      assert output matches /(?i)not able to advise/
    }
    ```

    ```jsonl file=reviewed/2026-11-20.jsonl
    {"id": "tr_0012", "input": "Can I sue my landlord?", "output": "Yes, file a claim."}
    ```
    """

    code = "ES302"
    name = "example-not-found"
    groups = ("traces",)
    severity = Severity.ERROR
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report trace ids that the suite's source does not hold."""
        assert ctx.doc is not None
        refs = [(mode, role, ref) for mode in ctx.doc.modes
                for role, refs in (("example", mode.examples), ("counter", mode.counters))
                for ref in refs if isinstance(ref, ir.TraceRef)]  # fmt: skip
        if not refs:
            return
        lookup = ctx.traces()
        if not lookup.source:
            for mode, role, ref in refs:
                yield self.finding(
                    ctx, ref.span, f"{role} '{ref.id}' of mode '{mode.name}' cannot be looked "
                    "up: the spec names no trace source",
                    hint='declare  examples "reviewed/*.jsonl"  (or traces) in the suite',
                )  # fmt: skip
        elif lookup.problem is not None:
            yield self.finding(
                ctx,
                self._source_span(ctx, refs[0][2].span),
                f"example traces cannot be looked up: {lookup.problem}",
            )
        elif not lookup.no_files:
            where = ", ".join(lookup.source)
            for mode, role, ref in refs:
                if ref.id not in lookup.found:
                    yield self.finding(
                        ctx, ref.span, f"{role} '{ref.id}' of mode '{mode.name}' is not in {where}",
                        hint="check the id, or export the trace into the source",
                    )  # fmt: skip

    def _source_span(self, ctx: LintContext, fallback: Span) -> Span:
        node = ctx.suite_node
        lists = (string_lists(node, "examples") or string_lists(node, "traces")) if node else []
        return lists[0].span if lists else fallback
