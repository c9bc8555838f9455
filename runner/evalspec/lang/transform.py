"""Lark parse tree -> typed AST (``lang/ast.py``): one method per grammar rule or alias.

Problems that only show once a token is decoded (an invalid string escape) are collected in
``diagnostics`` rather than raised, so one pass reports them all.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args
from lark.tree import Meta

from evalspec.diagnostics import Diagnostic, Span, error
from evalspec.lang import ast
from evalspec.lang.codes import INVALID_ESCAPE
from evalspec.lang.strings import EscapeError, decode


def token_span(tok: Token) -> Span:
    """Return the span of a Lark token."""
    return Span(tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)


def meta_span(meta: Meta) -> Span:
    """Return the span of a Lark rule match (``propagate_positions=True``)."""
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


_SETTINGS = {
    "tools_stmt": "tools",
    "labels_stmt": "labels",
    "review_stmt": "review",
    "alpha_stmt": "alpha",
    "tolerance_stmt": "tolerance",
    "max_rate_stmt": "max_rate",
    "why_stmt": "why",
    "severity_stmt": "severity",
    "human_guard": "human",
    "todo_stmt": "todo",
}
_LISTS = {
    "guards_stmt": "guards",
    "corpus_stmt": "corpus",
    "example_refs": "example",
    "counter_refs": "counter",
}
_TRACE_FIELDS = {
    "trace_id": "id",
    "trace_input": "input",
    "trace_output": "output",
    "trace_tool_call": "tool_call",
    "trace_metadata": "metadata",
    "trace_json": "json",
}


@v_args(meta=True, inline=True)
class ToAst(Transformer[Token, ast.File]):
    """Build the AST; statement rules with the same shape share one constructor."""

    def __init__(self, path: str, comments: list[ast.Comment]) -> None:
        super().__init__()
        self.source_path = path
        self.source_comments = comments
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------- terminals

    def NAME(self, tok: Token) -> ast.Name:  # noqa: N802 - Lark calls terminal callbacks by name
        return ast.Name(span=token_span(tok), value=str(tok))

    def STRING(self, tok: Token) -> ast.Str:  # noqa: N802
        span = token_span(tok)
        try:
            value = decode(str(tok))
        except EscapeError as exc:
            self.diagnostics.append(self._escape_error(tok, exc))
            value = ""
        return ast.Str(span=span, value=value, raw=str(tok))

    def INT(self, tok: Token) -> ast.Number:  # noqa: N802
        return ast.Number(span=token_span(tok), text=str(tok))

    DECIMAL = INT

    def PERCENT(self, tok: Token) -> ast.Percent:  # noqa: N802
        return ast.Percent(span=token_span(tok), text=str(tok)[:-1])

    def DURATION(self, tok: Token) -> ast.Duration:  # noqa: N802
        return ast.Duration(span=token_span(tok), text=str(tok))

    def DATE(self, tok: Token) -> ast.Date:  # noqa: N802
        return ast.Date(span=token_span(tok), text=str(tok))

    def REGEX(self, tok: Token) -> ast.Regex:  # noqa: N802
        raw = str(tok)
        end = raw.rindex("/")
        return ast.Regex(span=token_span(tok), pattern=raw[1:end], flags=raw[end + 1 :], raw=raw)

    def _escape_error(self, tok: Token, exc: EscapeError) -> Diagnostic:
        before = str(tok)[: exc.offset]
        line = (tok.line or 1) + before.count("\n")
        column = exc.offset - before.rfind("\n") if "\n" in before else (tok.column or 1) + exc.offset
        span = Span(line, column, line, column + exc.length)
        return error(INVALID_ESCAPE, str(exc), self.source_path, span, hint='write "\\\\" for a backslash')

    # ------------------------------------------------------------- blocks

    def start(self, meta: Meta, *items: ast.Suite | ast.Mode) -> ast.File:
        span = meta_span(meta) if not meta.empty else Span(1, 1, 1, 1)
        return ast.File(span=span, items=list(items), comments=self.source_comments)

    def suite(self, meta: Meta, name: ast.Name, title: ast.Str | None, *body: Any) -> ast.Suite:
        return ast.Suite(span=meta_span(meta), name=name, title=title, body=list(body))

    def mode(self, meta: Meta, name: ast.Name, title: ast.Str | None, *body: Any) -> ast.Mode:
        return ast.Mode(span=meta_span(meta), name=name, title=title, body=list(body))

    # ------------------------------------------------------------- statements

    def __default__(self, data: Any, children: Any, meta: Meta) -> Any:
        name = str(data)
        if name in _SETTINGS:
            return ast.Setting(span=meta_span(meta), keyword=_SETTINGS[name], value=children[0])
        if name in _LISTS:
            items = children[0]
            return ast.StringList(span=meta_span(meta), keyword=_LISTS[name], items=items)
        if name in _TRACE_FIELDS:
            args = [c for c in children if c is not None]
            return ast.TraceField(span=meta_span(meta), keyword=_TRACE_FIELDS[name], args=args)
        raise NotImplementedError(f"no AST rule for {name}")  # pragma: no cover - grammar drift

    def traces_stmt(self, meta: Meta, items: list[ast.Str], fmt: ast.Str | None) -> ast.StringList:
        return ast.StringList(span=meta_span(meta), keyword="traces", items=items, format=fmt)

    def string_list(self, meta: Meta, *items: ast.Str) -> list[ast.Str]:
        return list(items)

    def judge_config(self, meta: Meta, *entries: ast.ConfigEntry) -> ast.JudgeConfig:
        return ast.JudgeConfig(span=meta_span(meta), entries=list(entries))

    def config_entry(self, meta: Meta, key: ast.Name, value: ast.Value) -> ast.ConfigEntry:
        return ast.ConfigEntry(span=meta_span(meta), key=key, value=value)

    def seen_stmt(
        self, meta: Meta, count: ast.Number, total: ast.Number, on: ast.Date | None
    ) -> ast.Seen:
        return ast.Seen(span=meta_span(meta), count=count, total=total, on=on)

    def when_stmt(self, meta: Meta, expr: ast.Expr) -> ast.Condition:
        return ast.Condition(span=meta_span(meta), keyword="when", expr=expr)

    def assert_stmt(self, meta: Meta, expr: ast.Expr) -> ast.Condition:
        return ast.Condition(span=meta_span(meta), keyword="assert", expr=expr)

    def example_block(self, meta: Meta, fields: list[ast.TraceField]) -> ast.TraceBlock:
        return ast.TraceBlock(span=meta_span(meta), keyword="example", fields=fields)

    def counter_block(self, meta: Meta, fields: list[ast.TraceField]) -> ast.TraceBlock:
        return ast.TraceBlock(span=meta_span(meta), keyword="counter", fields=fields)

    def trace_block(self, meta: Meta, *fields: ast.TraceField) -> list[ast.TraceField]:
        return list(fields)

    def judge_guard(self, meta: Meta, name: ast.Name, *fields: ast.JudgeField) -> ast.JudgeGuard:
        return ast.JudgeGuard(span=meta_span(meta), name=name, fields=list(fields))

    def prompt_file(self, meta: Meta, path: ast.Str) -> ast.JudgeField:
        return ast.JudgeField(span=meta_span(meta), keyword="prompt_file", value=path)

    def prompt_text(self, meta: Meta, text: ast.Str) -> ast.JudgeField:
        return ast.JudgeField(span=meta_span(meta), keyword="prompt", value=text)

    def judge_model(self, meta: Meta, value: ast.Value) -> ast.JudgeField:
        return ast.JudgeField(span=meta_span(meta), keyword="model", value=value)

    def judge_labels(
        self,
        meta: Meta,
        path: ast.Str,
        train: ast.Number | None,
        dev: ast.Number | None,
        test: ast.Number | None,
        seed: ast.Number | None,
    ) -> ast.JudgeField:
        split = [train, dev, test] if train and dev and test else None
        return ast.JudgeField(
            span=meta_span(meta), keyword="labels", value=path, split=split, seed=seed
        )

    # ------------------------------------------------------------- expressions

    def or_(self, meta: Meta, *args: ast.Expr) -> ast.Or:
        return ast.Or(span=meta_span(meta), args=list(args))

    def and_(self, meta: Meta, *args: ast.Expr) -> ast.And:
        return ast.And(span=meta_span(meta), args=list(args))

    def not_(self, meta: Meta, arg: ast.Expr) -> ast.Not:
        return ast.Not(span=meta_span(meta), arg=arg)

    def paren(self, meta: Meta, expr: ast.Expr) -> ast.Paren:
        return ast.Paren(span=meta_span(meta), expr=expr)

    def compare(self, meta: Meta, operand: ast.Operand, op: Token, value: ast.Value) -> ast.Compare:
        return ast.Compare(span=meta_span(meta), operand=operand, op=str(op), value=value)

    def _contains(
        self, meta: Meta, operand: ast.Operand, value: ast.Value, icase: bool, q: str | None
    ) -> ast.Contains:
        return ast.Contains(
            span=meta_span(meta), operand=operand, value=value, ignore_case=icase, quantifier=q
        )

    def contains(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.Contains:
        return self._contains(meta, operand, value, False, None)

    def icontains(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.Contains:
        return self._contains(meta, operand, value, True, None)

    def contains_any(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.Contains:
        return self._contains(meta, operand, value, False, "any")

    def contains_all(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.Contains:
        return self._contains(meta, operand, value, False, "all")

    def icontains_any(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.Contains:
        return self._contains(meta, operand, value, True, "any")

    def icontains_all(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.Contains:
        return self._contains(meta, operand, value, True, "all")

    def starts_with(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.StartsWith:
        return ast.StartsWith(span=meta_span(meta), operand=operand, value=value)

    def ends_with(self, meta: Meta, operand: ast.Operand, value: ast.Value) -> ast.EndsWith:
        return ast.EndsWith(span=meta_span(meta), operand=operand, value=value)

    def matches(self, meta: Meta, operand: ast.Operand, regex: ast.Regex) -> ast.Matches:
        return ast.Matches(span=meta_span(meta), operand=operand, regex=regex)

    def is_json(self, meta: Meta, operand: ast.Operand) -> ast.IsJson:
        return ast.IsJson(span=meta_span(meta), operand=operand)

    def conforms(self, meta: Meta, operand: ast.Operand, schema: ast.Value) -> ast.Conforms:
        return ast.Conforms(span=meta_span(meta), operand=operand, schema=schema)

    def conform_tools(self, meta: Meta, operand: ast.Operand) -> ast.ConformTools:
        return ast.ConformTools(span=meta_span(meta), operand=operand)

    def has_no_pii(
        self, meta: Meta, operand: ast.Operand, kinds: list[ast.Name] | None
    ) -> ast.HasNoPii:
        return ast.HasNoPii(span=meta_span(meta), operand=operand, kinds=kinds)

    def name_list(self, meta: Meta, *names: ast.Name | None) -> list[ast.Name]:
        return [n for n in names if n is not None]

    def tool_called(self, meta: Meta, name: ast.Str, before: ast.Str | None) -> ast.ToolCalled:
        return ast.ToolCalled(span=meta_span(meta), name=name, before=before)

    def citations(self, meta: Meta, regex: ast.Regex) -> ast.Citations:
        return ast.Citations(span=meta_span(meta), regex=regex)

    def run(self, meta: Meta, command: ast.Str, timeout: ast.Value | None) -> ast.Run:
        return ast.Run(span=meta_span(meta), command=command, timeout=timeout)

    def python(self, meta: Meta, target: ast.Str, timeout: ast.Value | None) -> ast.Python:
        return ast.Python(span=meta_span(meta), target=target, timeout=timeout)

    # ------------------------------------------------------------- operands

    def path(self, meta: Meta, root: ast.Name, *steps: ast.Step) -> ast.Path:
        return ast.Path(span=meta_span(meta), root=root, steps=list(steps))

    def call(self, meta: Meta, fn: ast.Name, arg: ast.Operand, *steps: ast.Step) -> ast.Call:
        return ast.Call(span=meta_span(meta), function=fn, arg=arg, steps=list(steps))

    def field(self, meta: Meta, name: ast.Name | ast.Str) -> ast.Field:
        return ast.Field(span=meta_span(meta), name=name.value)

    def index(self, meta: Meta, number: ast.Number) -> ast.Index:
        return ast.Index(span=meta_span(meta), index=int(number.text))

    # ------------------------------------------------------------- values

    def true(self, meta: Meta) -> ast.Bool:
        return ast.Bool(span=meta_span(meta), value=True)

    def false(self, meta: Meta) -> ast.Bool:
        return ast.Bool(span=meta_span(meta), value=False)

    def env_call(self, meta: Meta, name: ast.Str, default: ast.Str | None) -> ast.Env:
        return ast.Env(span=meta_span(meta), name=name, default=default)

    def list(self, meta: Meta, *items: ast.Value | None) -> ast.ListValue:
        return ast.ListValue(span=meta_span(meta), items=[i for i in items if i is not None])
