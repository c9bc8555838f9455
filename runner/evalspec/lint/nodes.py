"""Questions rules ask of the syntax tree: a mode's guards, examples, regexes, judges."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec import ir
from evalspec.diagnostics import Span
from evalspec.lang import ast


def is_code_guard(stmt: ast.Statement) -> bool:
    """``assert expr``."""
    return isinstance(stmt, ast.Condition) and stmt.keyword == "assert"


def is_guard(stmt: ast.Statement) -> bool:
    """An ``assert``, a ``judge name { }`` or a ``human "..."`` statement."""
    human = isinstance(stmt, ast.Setting) and stmt.keyword == "human"
    return is_code_guard(stmt) or human or isinstance(stmt, ast.JudgeGuard)


def settings(block: ast.Block, keyword: str) -> list[ast.Setting]:
    """The one-value statements of a block with this keyword (``todo``, ``review``, ...)."""
    return [s for s in block.body if isinstance(s, ast.Setting) and s.keyword == keyword]


def string_lists(block: ast.Block, keyword: str) -> list[ast.StringList]:
    """The ``keyword "a", "b"`` statements of a block (``example``, ``traces``, ...)."""
    return [s for s in block.body if isinstance(s, ast.StringList) and s.keyword == keyword]


def has_examples(mode: ast.Mode) -> bool:
    """Whether the mode names or writes at least one ``example`` trace."""
    return any(
        isinstance(s, (ast.StringList, ast.TraceBlock)) and s.keyword == "example"
        for s in mode.body
    )


def seen(mode: ast.Mode) -> ast.Seen | None:
    """The mode's ``seen`` statement."""
    return next((s for s in mode.body if isinstance(s, ast.Seen)), None)


def regexes(block: ast.Block) -> Iterator[tuple[ast.Regex, bool]]:
    """Every regex literal in the conditions of a block, with whether it is a search.

    ``matches`` regexes are searches; ``citations /re/`` regexes are not: their capture groups
    name documents.
    """
    for stmt in block.body:
        if isinstance(stmt, ast.Condition):
            yield from _expr_regexes(stmt.expr)


def _expr_regexes(node: ast.Expr) -> Iterator[tuple[ast.Regex, bool]]:
    if isinstance(node, ast.Matches):
        yield node.regex, True
    elif isinstance(node, ast.Citations):
        yield node.regex, False
    elif isinstance(node, (ast.Or, ast.And)):
        for arg in node.args:
            yield from _expr_regexes(arg)
    elif isinstance(node, ast.Not):
        yield from _expr_regexes(node.arg)
    elif isinstance(node, ast.Paren):
        yield from _expr_regexes(node.expr)


def pattern_span(regex: ast.Regex, start: int, end: int) -> Span:
    """The span of ``pattern[start:end]`` inside a (one-line) regex literal."""
    column = regex.span.column + 1  # after the opening slash
    return Span(regex.span.line, column + start, regex.span.line, column + end)


def judge_node(mode: ast.Mode | None, name: str) -> ast.JudgeGuard | None:
    """The ``judge name { }`` block of a mode."""
    if mode is None:
        return None
    return next(
        (s for s in mode.body if isinstance(s, ast.JudgeGuard) and s.name.value == name), None
    )


def judge_field(judge: ast.JudgeGuard | None, keyword: str) -> ast.JudgeField | None:
    """A field of a judge block (``prompt``, ``prompt_file``, ``labels``, ``model``)."""
    if judge is None:
        return None
    return next((f for f in judge.fields if f.keyword == keyword), None)


def judges(doc: ir.EvalFile) -> Iterator[tuple[ir.Mode, ir.JudgeGuard]]:
    """Every judge guard of a compiled spec, with its mode."""
    for mode in doc.modes:
        for guard in mode.guards:
            if isinstance(guard, ir.JudgeGuard):
                yield mode, guard
