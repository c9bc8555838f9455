"""Suppressions: on a line, on a block's opening line, for a file; unused and malformed ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec.lang.parser import parse
from evalspec.lint import noqa
from evalspec.lint.base import resolve_code

from .helpers import lint_project

UNGUARDED = 'mode a { why "x" }'


def codes(root: Path, spec: str, select: tuple[str, ...] = ("ALL",)) -> list[tuple[str, int]]:
    report = lint_project(root, spec, select=select)
    return [(d.code, d.span.line if d.span else 0) for d in report.diagnostics]


def test_line_suppression_only_silences_its_codes(tmp_path: Path) -> None:
    spec = f"{UNGUARDED}  # evalspec: noqa[ES101]\n"
    assert codes(tmp_path, spec, ("ES101", "ES301")) == [("ES301", 1)]


def test_bare_line_suppression_silences_every_code(tmp_path: Path) -> None:
    assert codes(tmp_path, f"{UNGUARDED}  # evalspec: noqa\n", ("ES101", "ES301")) == []


def test_line_suppression_does_not_reach_other_lines(tmp_path: Path) -> None:
    spec = f"{UNGUARDED}  # evalspec: noqa[ES101]\n{UNGUARDED.replace(' a ', ' b ')}\n"
    assert codes(tmp_path, spec, ("ES101", "ES901")) == [("ES101", 2)]


def test_block_suppression_covers_the_block(tmp_path: Path) -> None:
    spec = """\
mode a {  # evalspec: noqa[ES202]
  assert len(output) <= 5
  counter { output "a long counter" }
  counter { output "another long one" }
}
mode b {
  assert len(output) <= 5
  counter { output "a long counter" }
}
"""
    assert codes(tmp_path, spec, ("ES202", "ES901")) == [("ES202", 8)]


def test_judge_block_suppression(tmp_path: Path) -> None:
    spec = """\
mode a {
  todo "later"
  judge tone {  # evalspec: noqa[ES401, ES403]
    prompt "Curt? {{output}}"
  }
  judge other {
    prompt "Rude? {{output}}"
  }
}
"""
    assert codes(tmp_path, spec, ("ES401", "ES403", "ES901")) == [("ES401", 6), ("ES403", 6)]


def test_file_suppression(tmp_path: Path) -> None:
    spec = f"# a spec\n# evalspec: noqa[ES101]\n\n{UNGUARDED}\n{UNGUARDED.replace(' a ', ' b ')}\n"
    assert codes(tmp_path, spec, ("ES101", "ES301", "ES901")) == [("ES301", 4), ("ES301", 5)]


def test_bare_file_suppression(tmp_path: Path) -> None:
    assert codes(tmp_path, f"# evalspec: noqa\n{UNGUARDED}\n") == []


def test_compile_errors_cannot_be_suppressed(tmp_path: Path) -> None:
    spec = '# evalspec: noqa\nmode a { assert output containz "x" }  # evalspec: noqa\n'
    assert [c for c, _ in codes(tmp_path, spec)] == ["ES021"]


def test_unused_file_and_line_suppressions(tmp_path: Path) -> None:
    spec = "# evalspec: noqa[ES104]\nmode a { assert output is json }  # evalspec: noqa[ES101]\n"
    assert codes(tmp_path, spec, ("ES101", "ES104", "ES901")) == [("ES901", 1), ("ES901", 2)]


def test_es901_is_not_silenced_on_its_own_line(tmp_path: Path) -> None:
    spec = "mode a { assert output is json }  # evalspec: noqa[ES101, ES901]\n"
    assert codes(tmp_path, spec, ("ES101", "ES901")) == [("ES901", 1)]


def test_ignored_rules_disable_their_meta_findings(tmp_path: Path) -> None:
    spec = "mode a { assert output is json }  # evalspec: noqa[ES1O1]\n"
    assert codes(tmp_path, spec, ("ES101",)) == []
    assert codes(tmp_path, spec, ("ES902",)) == [("ES902", 1)]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# evalspec: noqa: ES101", "write the codes in brackets"),
        ("# evalspec: noqa ES101", "write the codes in brackets"),
        ("# evalspec: noqa[ES101", "not closed"),
        ("# evalspec: noqa[ES101]x", "unexpected text after the code list"),
        ("# evalspec: noqa[ES101,]", "an empty code"),
        ("# evalspec: noqa[E101]", "'E101' is not a rule code"),
        ("# evalspec: noqa[ES050]", "'ES050' is not a rule code"),
        ("# evalspec: nqa[ES101]", "unknown directive 'nqa'"),
    ],
)
def test_malformed(comment: str, message: str) -> None:
    tree = parse(f'mode a {{ why "x" }}  {comment}\n')
    found = noqa.parse(tree, f'mode a {{ why "x" }}  {comment}\n', resolve_code)
    assert not found.items
    (bad,) = found.malformed
    assert message in bad.message
    assert bad.span.column == 21


def test_spans_and_codes_of_a_suppression() -> None:
    text = 'mode a {  # evalspec: noqa[es101, ES301]\n  why "x"\n}\n'
    found = noqa.parse(parse(text), text, resolve_code)
    (item,) = found.items
    assert item.codes == {"ES101": "es101", "ES301": "ES301"}
    assert (item.first, item.last, item.file_wide) == (1, 3, False)
    assert (item.span.column, item.span.end_column) == (11, 41)


def test_a_note_after_the_suppression_is_allowed() -> None:
    text = 'mode a { why "x" }  # evalspec: noqa[ES101] (taxonomy session, 2026-11-20)\n'
    found = noqa.parse(parse(text), text, resolve_code)
    assert found.items and not found.malformed
