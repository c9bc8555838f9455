"""Syntax errors: exact codes, positions, messages and hints; recovery reports every mistake."""

from __future__ import annotations

import pytest

from evalspec.diagnostics import render_text
from evalspec.errors import EvalSyntaxError
from evalspec.lang import ast
from evalspec.lang.parser import parse, parser


def errors(source: str) -> list[tuple[str, int, int]]:
    with pytest.raises(EvalSyntaxError) as info:
        parse(source, "t.eval")
    return [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics if d.span]


@pytest.mark.parametrize(
    ("source", "code", "line", "column"),
    [
        ('mode m {\n  assert output containz "x"\n}\n', "ES021", 2, 17),
        ("mode m {\n  asert output is json\n}\n", "ES020", 2, 3),
        ('suite s {\n  trace "x"\n}\n', "ES020", 2, 3),
        ('mode m {\n  why "x"\n', "ES012", 3, 1),
        ("mode m {\n}\n}\n", "ES022", 3, 1),
        ('mode m {\n  why "abc\n}\n', "ES014", 2, 7),
        ("mode m {\n  assert output matches /abc\n}\n", "ES016", 2, 25),
        ('mode m {\n  why "a\\qb"\n}\n', "ES015", 2, 9),
        ("mode m {\n  max_rate\n  assert output is json\n}\n", "ES017", 2, 3),
        ('mode m {\n  assert\n  why "x"\n}\n', "ES024", 2, 3),
        ("mode m {\n  assert (output is json\n}\n", "ES018", 2, 10),
        ('mode "t" {\n}\n', "ES023", 1, 6),
        ('mode m {\n  why "x";\n}\n', "ES011", 2, 10),
        ("mode m {\n  assert len(output) <=\n}\n", "ES017", 2, 22),
        ("hello\n", "ES010", 1, 1),
        ('mode m {\n  why """\n    never closed\n}\n', "ES014", 2, 7),
    ],
)
def test_syntax_error_code_and_position(source: str, code: str, line: int, column: int) -> None:
    assert errors(source)[0] == (code, line, column)


def test_three_independent_mistakes_are_all_reported() -> None:
    source = (
        "mode a {\n"
        "  max_rate\n"
        '  assert output containz "x"\n'
        "  asert output is json\n"
        '  why "fine"\n'
        "}\n"
    )
    assert errors(source) == [("ES017", 2, 3), ("ES021", 3, 17), ("ES020", 4, 3)]


def test_errors_in_separate_blocks_are_all_reported() -> None:
    source = 'mode a {\n  why "x";\n}\n\nmode b {\n  assert output containz "y"\n}\nmode c {\n'
    assert errors(source) == [("ES011", 2, 10), ("ES021", 6, 17), ("ES012", 9, 1)]


def test_unknown_predicate_suggests_the_closest_one() -> None:
    with pytest.raises(EvalSyntaxError) as info:
        parse('mode m {\n  assert output containz "refund"\n}\n', "support.eval")
    diag = info.value.diagnostics[0]
    assert diag.message == "unknown predicate 'containz'"
    assert diag.hint == "did you mean 'contains'?"
    assert render_text(diag, 'mode m {\n  assert output containz "refund"\n}\n') == (
        "support.eval:2:17: error[ES021]: unknown predicate 'containz'\n"
        ' 2 |   assert output containz "refund"\n'
        "   |                 ^^^^^^^^ did you mean 'contains'?"
    )


def test_misspelled_statement_suggests_the_keyword() -> None:
    with pytest.raises(EvalSyntaxError) as info:
        parse('suite s {\n  tarces "x"\n}\n', "t.eval")
    assert info.value.diagnostics[0].hint == "did you mean 'traces'?"


def test_missing_brace_names_the_open_block() -> None:
    with pytest.raises(EvalSyntaxError) as info:
        parse('mode m {\n  judge tone {\n    prompt "x"\n}\n', "t.eval")
    diag = info.value.diagnostics[0]
    assert diag.code == "ES012"
    assert diag.message == "missing '}' to close the block opened at line 1"


def test_semicolon_gets_a_hint() -> None:
    with pytest.raises(EvalSyntaxError) as info:
        parse('mode m {\n  why "x";\n}\n', "t.eval")
    assert info.value.diagnostics[0].hint == "statements end at the end of a line; remove the ';'"


def test_keywords_are_contextual_where_not_reserved() -> None:
    tree = parse('mode m {\n  assert metadata.run == "x" and metadata.input == "y"\n}\n', "t.eval")
    guard = tree.items[0].body[0]
    assert isinstance(guard, ast.Condition)
    assert isinstance(guard.expr, ast.And)


def test_reserved_statement_words_are_not_names() -> None:
    assert errors("mode assert {\n}\n")[0] == ("ES023", 1, 6)


def test_spans_are_one_based_and_end_exclusive() -> None:
    tree = parse('mode m {\n  why "abc"\n}\n', "t.eval")
    mode = tree.items[0]
    assert (mode.span.line, mode.span.column, mode.span.end_line, mode.span.end_column) == (
        1,
        1,
        3,
        2,
    )
    setting = mode.body[0]
    assert (setting.span.line, setting.span.column, setting.span.end_column) == (2, 3, 12)


def test_comments_are_collected_with_positions() -> None:
    tree = parse('# head\nmode m {  # open\n  why "x"  # tail\n}\n', "t.eval")
    assert [(c.text, c.line, c.column) for c in tree.comments] == [
        ("# head", 1, 1),
        ("# open", 2, 11),
        ("# tail", 3, 12),
    ]


def test_grammar_has_no_conflicts_in_strict_mode() -> None:
    pytest.importorskip("interegular")
    assert parser(strict=True) is not None
