"""ES203-ES205, guard hygiene: regexes that are needlessly slow.

Regexes outside the portable dialect are compile errors (ES035 unportable, ES036 invalid) and
reach lint's output through the compile-error path. These rules look at regexes that are
portable but make the matcher work for nothing: they run on every trace of every check.
"""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.diagnostics import Diagnostic
from evalspec.lang import ast
from evalspec.lint import regexes as rx
from evalspec.lint.base import LintContext, Rule, rule
from evalspec.lint.nodes import pattern_span, regexes


def _patterns(ctx: LintContext) -> list[tuple[ast.Regex, rx.Analysis, bool]]:
    """Every analysed regex of the file's modes, with whether it is a search (once per file)."""

    def collect() -> list[tuple[ast.Regex, rx.Analysis, bool]]:
        found = []
        for mode in ctx.modes:
            for regex, search in regexes(mode):
                analysis = rx.analyse(regex.pattern)
                if analysis is not None:
                    found.append((regex, analysis, search))
        return found

    return ctx.memo("regexes", collect)


@rule
class NestedQuantifier(Rule):
    r"""A regex repeats something that is itself repeated without bound, like `(a+)+`.

    When the text almost matches, a backtracking engine (Python's `re`, which the reference
    runner uses, and most others) tries every way to split a run of characters between the
    inner and the outer repetition: exponentially many. One long output can stall a check for
    minutes. Rewrite the repetition so that each character can only be matched one way.

    **Anti-pattern**

    ```eval
    mode shouting "Answers in all caps" {
      assert not output matches /^([A-Z]+\s?)+$/
    }
    ```

    **Best practice**

    ```eval
    mode shouting "Answers in all caps" {
      assert not output matches /^[A-Z\s]+$/
    }
    ```
    """

    code = "ES203"
    name = "nested-quantifier"
    groups = ("guards", "regex")

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report unbounded repetitions of unbounded repetitions."""
        for regex, analysis, _ in _patterns(ctx):
            for start, end, inner_start, inner_end in analysis.nested:
                text = regex.pattern[start:end]
                inner_text = regex.pattern[inner_start:inner_end]
                yield self.finding(
                    ctx, pattern_span(regex, start, end),
                    f"nested quantifier in '{text}': '{inner_text}' is repeated again without "
                    "bound, which backtracks exponentially on near matches",
                    hint="let each character match one way, e.g. ([A-Z]+\\s?)+ becomes [A-Z\\s]+",
                )  # fmt: skip


@rule
class RedundantWildcard(Rule):
    """A `matches` regex starts or ends with `.*`, which a search does not need.

    `matches` searches: the regex may match anywhere in the text unless it is anchored with
    `^` or `$`. A leading or trailing `.*` changes nothing about whether it matches, but makes
    a backtracking engine try every starting point against every length: quadratic work on
    long outputs. (`citations` regexes are exempt: their matches are used, not just found.)

    **Anti-pattern**

    ```eval
    mode missing_refusal "Answers legal questions instead of refusing" {
      assert output matches /.*(can only help with|not able to advise).*/
    }
    ```

    **Best practice**

    ```eval
    mode missing_refusal "Answers legal questions instead of refusing" {
      assert output matches /(can only help with|not able to advise)/
    }
    ```
    """

    code = "ES204"
    name = "redundant-wildcard"
    groups = ("guards", "regex")

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report leading and trailing ``.*`` of unanchored searches."""
        for regex, analysis, search in _patterns(ctx):
            if not search:
                continue
            for start, end, where in analysis.wildcards:
                yield self.finding(
                    ctx, pattern_span(regex, start, end),
                    f"'{regex.pattern[start:end]}' at the {where} of a search is "
                    "redundant: matches already looks anywhere in the text",
                    hint="remove it; it only adds backtracking",
                )  # fmt: skip


@rule
class CharacterAlternation(Rule):
    """A regex alternates single characters, like `(a|b|c)`, where a class `[abc]` would do.

    An alternation makes a backtracking engine try each branch in turn and remember where it
    was; a character class is one table lookup. Inside a repetition, `(a|b)*` is also a
    classic source of deep recursion. The class matches exactly the same text.

    **Anti-pattern**

    ```eval
    mode leaks_order_id "Shows another customer's order number" {
      assert not output matches /CP-(0|1|2|3|4|5|6|7|8|9)+/
    }
    ```

    **Best practice**

    ```eval
    mode leaks_order_id "Shows another customer's order number" {
      assert not output matches /CP-[0-9]+/
    }
    ```
    """

    code = "ES205"
    name = "character-alternation"
    groups = ("guards", "regex")

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report alternations whose branches are single characters."""
        for regex, analysis, _ in _patterns(ctx):
            for start, end, better in analysis.alternations:
                text = regex.pattern[start:end]
                yield self.finding(
                    ctx, pattern_span(regex, start, end),
                    f"'{text}' alternates single characters",
                    hint=f"write {better}" if better else "use a character class [...]",
                )  # fmt: skip
