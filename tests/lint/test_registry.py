"""The rule registry refuses bad rules at import time; aliases keep old codes working."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evalspec.diagnostics import Diagnostic
from evalspec.lint.base import ALIASES, RULES, LintContext, Rule, rule, unregister
from evalspec.lint.config import selected
from evalspec.lint.docstrings import RuleDocError, parse_doc

from .helpers import lint_project

DOC = """Summary of the rule.

    Why it matters, in a sentence or two.

    **Anti-pattern**

    ```eval
    mode a { why "x" }
    ```

    **Best practice**

    ```eval
    mode a { assert output is json }
    ```
    """


def make(
    code: str = "ES199", name: str = "test-rule", doc: str | None = DOC, **attrs: object
) -> type[Rule]:
    namespace: dict[str, object] = {"code": code, "name": name, "groups": ("test",), **attrs}
    cls = type("TestRule", (Rule,), namespace)
    cls.__doc__ = doc
    return cls


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"code": "ES101"}, "already taken"),
        ({"code": "ES039"}, "is not ES1xx-ES5xx or ES9xx"),
        ({"code": "ES701"}, "is not ES1xx-ES5xx or ES9xx"),
        ({"code": "E1999"}, "is not ES1xx-ES5xx or ES9xx"),
        ({"name": "Test_Rule"}, "kebab-case"),
        ({"name": "mode-without-guard"}, "kebab-case"),
        ({"groups": ()}, "at least one group"),
        ({"aliases": ("ES101",)}, "alias"),
    ],
)
def test_bad_rules_are_refused(attrs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule(make(**attrs))  # type: ignore[arg-type]
    assert "ES199" not in RULES


SPEC_X, SPEC_Y = "```eval\nx\n```", "```eval\ny\n```"
BAD, GOOD = "**Anti-pattern**", "**Best practice**"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (None, "needs a docstring"),
        (f"No period\n\nWhy.\n\n{BAD}\n\n{GOOD}\n", "summary line"),
        ("Summary.\n\nWhy it matters.\n", "Anti-pattern"),
        (f"Summary.\n\n{BAD}\n\n{SPEC_X}\n\n{GOOD}\n\n{SPEC_Y}", "rationale"),
        (f"Summary.\n\nWhy.\n\n{BAD}\n\ntext only\n\n{GOOD}\n\n{SPEC_Y}", "exactly one"),
        (f"Summary.\n\nWhy.\n\n{BAD}\n\n```eval\nx\n\n{GOOD}\n", "not closed"),
        (f"Summary.\n\nWhy.\n\n{BAD}\n\n{SPEC_X}\n```json\n{{}}\n```\n\n{GOOD}\n\n{SPEC_Y}",
         "file=PATH"),
        (f"Summary.\n\nWhy.\n\n{BAD}\n\n{SPEC_X}\n```json file=../x.json\n{{}}\n```\n\n"
         f"{GOOD}\n\n{SPEC_Y}", "relative path"),
    ],
)  # fmt: skip
def test_bad_docstrings_are_refused(doc: str | None, message: str) -> None:
    with pytest.raises(RuleDocError, match=message):
        parse_doc(doc, "ES199")


def test_example_files_are_parsed() -> None:
    doc = parse_doc(
        "Summary.\n\nWhy.\n\n**Anti-pattern**\n\nSome prose.\n\n```eval\nx\n```\n\n"
        "```jsonl file=./traces/a.jsonl\n{}\n```\n\n**Best practice**\n\n```eval\ny\n```\n",
        "ES199",
    )
    assert doc.bad.prose == "Some prose."
    assert [(f.path, f.language, f.text) for f in doc.bad.files] == [
        ("traces/a.jsonl", "jsonl", "{}\n")
    ]
    assert doc.good.spec == "y\n" and doc.good.files == ()


@pytest.fixture
def aliased() -> Iterator[type[Rule]]:
    def check(self: Rule, ctx: LintContext) -> Iterator[Diagnostic]:
        for mode in ctx.modes:
            yield self.finding(ctx, mode.name.span, "test finding")

    cls = rule(make(aliases=("ES198",), check=check))
    yield cls
    unregister("ES199")
    assert "ES199" not in RULES and "ES198" not in ALIASES


def test_aliases_select_and_suppress(aliased: type[Rule], tmp_path: Path) -> None:
    assert selected(["ES198"], "test") == {"ES199"}
    report = lint_project(tmp_path, "mode a { assert output is json }  # evalspec: noqa[ES198]\n",
                          select=["ES198", "ES901"])  # fmt: skip
    assert report.diagnostics == []
    report = lint_project(
        tmp_path / "b", "mode a { assert output is json }\n", select=["test-rule"]
    )
    assert [d.code for d in report.diagnostics] == ["ES199"]
