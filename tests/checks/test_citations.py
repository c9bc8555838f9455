"""citations /re/ exist in corpus: ids from the output, documents named four ways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr, evaluate
from evalspec.checks.citations import document_names, scan_corpus
from evalspec.diagnostics import Span


@pytest.fixture
def kb(check: Checker) -> Checker:
    for name in (
        "kb/articles/reset-password.md",
        "kb/policy/refunds.md",
        "kb/top.md",
        "other/x.md",
    ):
        path = check.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    check.suite = 'suite s { corpus "kb/**/*.md" }'
    return check


GROUP = r"citations /\[kb:([\w\/.-]+)\]/ exist in corpus"


@pytest.mark.parametrize(
    ("output", "outcome"),
    [
        ("No citations here.", PASS),
        ("See [kb:reset-password].", PASS),  # stem
        ("See [kb:refunds.md].", PASS),  # file name
        ("See [kb:kb/policy/refunds.md].", PASS),  # project-relative path
        ("See [kb:kb/policy/refunds].", PASS),  # ... without the extension
        ("See [kb:top] and [kb:refunds]", PASS),  # ** matches zero folders too
        ("See [kb:policy/refunds].", FAIL),  # relative to the glob: not a name
        ("See [kb:Refunds].", FAIL),  # exact
        ("See [kb:x].", FAIL),  # outside the corpus globs
        ("See [kb:refunds] and [kb:nope].", FAIL),
    ],
)
def test_verdicts(kb: Checker, output: str, outcome: object) -> None:
    assert kb.outcome(GROUP, trace(output=output)) is outcome


def test_whole_match_without_group(kb: Checker) -> None:
    assert (
        kb.outcome(r"citations /[a-z]+-password/ exist in corpus", trace(output="reset-password"))
        is PASS
    )
    assert (
        kb.outcome(r"citations /[a-z]+-password/ exist in corpus", trace(output="new-password"))
        is FAIL
    )


def test_explanation_lists_unknown_ids_once(kb: Checker) -> None:
    output = "[kb:a] [kb:refunds] [kb:b] [kb:a]"
    assert kb(GROUP, trace(output=output)) == (FAIL, 'cited but not in the corpus: "a", "b"')
    many = " ".join(f"[kb:n{i}]" for i in range(12))
    assert kb(GROUP, trace(output=many))[1] == (
        "cited but not in the corpus: " + ", ".join(f'"n{i}"' for i in range(10)) + " and 2 more"
    )
    assert kb(f"not {GROUP}", trace(output="[kb:top]")) == (
        FAIL,
        "all 1 citations are in the corpus",
    )


def test_missing_output_is_an_error(kb: Checker) -> None:
    assert kb(GROUP, trace()) == (ERROR, "output is missing")


def test_document_names() -> None:
    assert document_names("kb/policy/refunds.md") == {
        "refunds", "refunds.md", "kb/policy/refunds.md", "kb/policy/refunds",
    }  # fmt: skip


def test_corpus_is_confined_to_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    project = tmp_path / "project"
    (outside).mkdir()
    (outside / "secret.md").write_text("x", encoding="utf-8")
    (project / "kb").mkdir(parents=True)
    (project / "kb" / "ok.md").write_text("x", encoding="utf-8")
    os.symlink(outside / "secret.md", project / "kb" / "secret.md")
    assert scan_corpus(project, ["kb/*.md"]) == frozenset(document_names("kb/ok.md"))
    span = Span(1, 1, 1, 2)
    expr = ir.CitationsExist(
        regex=ir.Regex(pattern="x", flags=""), corpus=["../outside/*.md"], span=span
    )
    assert evaluate(compile_expr(expr, CheckEnv(root=project)), trace(output="x")) == (
        ERROR, 'the corpus glob "../outside/*.md" leaves the project',
    )  # fmt: skip
