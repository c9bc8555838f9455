"""ES9xx, suppression meta-rules: suppressions that are stale or not understood.

Both are only silenced by a file-wide ``# evalspec: noqa[ES901]`` or by configuration, never by
a suppression on a line (which could otherwise hide itself).
"""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.diagnostics import Diagnostic
from evalspec.lint.base import LintContext, Rule, rule


@rule
class UnusedSuppression(Rule):
    """A `# evalspec: noqa` comment suppresses nothing.

    A suppression outlives the finding it silenced: the mode got a guard, the trace was
    exported. Left in place, it would silence the next, different problem on that line or in
    that block without anyone deciding to. Only codes of enabled rules count as unused.

    **Anti-pattern**

    ```eval
    mode rambling "Answers are too long for the chat widget" {  # evalspec: noqa[ES101]
      assert words(output) <= 180
    }
    ```

    **Best practice**

    ```eval
    mode rambling "Answers are too long for the chat widget" {  # evalspec: noqa[ES301]
      assert words(output) <= 180
    }
    ```
    """

    code = "ES901"
    name = "unused-suppression"
    groups = ("suppression",)
    late = True

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report suppressions (or codes in them) that silenced no finding."""
        for item, codes in ctx.suppressions().unused(ctx.enabled):
            what = ", ".join(codes)
            message = (f"unused suppression: no {what} finding here" if codes
                       else "unused suppression: nothing to suppress here")  # fmt: skip
            yield self.finding(ctx, item.span, message, hint="remove it (or the codes it lists)")


@rule
class MalformedSuppression(Rule):
    """A comment meant as a suppression is not one that evalspec understands.

    `# evalspec: noqa[ES101, ES301]` trails the line (or the opening line of the block) it is
    about; on a line of its own it only counts above the first block, for the whole file.
    Anything else, such as a misspelt directive, codes without brackets, an unknown code or
    an ES0xx error (which cannot be suppressed), suppresses nothing and is reported.

    **Anti-pattern**

    ```eval
    mode rambling "Answers are too long for the chat widget" {  # evalspec: noqa: ES301
      assert words(output) <= 180
    }
    ```

    **Best practice**

    ```eval
    mode rambling "Answers are too long for the chat widget" {  # evalspec: noqa[ES301]
      assert words(output) <= 180
    }
    ```
    """

    code = "ES902"
    name = "malformed-suppression"
    groups = ("suppression",)

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report the comments that try and fail to be suppressions."""
        for bad in ctx.suppressions().malformed:
            yield self.finding(
                ctx, bad.span, f"malformed suppression: {bad.message}", hint=bad.hint
            )
