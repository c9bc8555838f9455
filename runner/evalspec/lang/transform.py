"""Grammar rules -> typed AST (``lang/ast.py``), built while the LALR parser reduces.

The parser runs with ``keep_all_tokens=True`` and this transformer attached, so each method gets
the rule's children (tokens and finished nodes, ``None`` for an absent optional part) and the span
of a node is the span from its first to its last child. Building the AST during the parse saves
the intermediate Lark tree and a second pass, and never recurses, so hostile nesting is caught
here (ES006) instead of overflowing the stack later.

Problems found while building (an invalid string escape, nesting too deep) are collected in
:data:`STATE` rather than raised, so one parse reports them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from lark import Token, Transformer, Tree

from evalspec.diagnostics import Diagnostic, Span, error
from evalspec.lang import ast, codes
from evalspec.lang.strings import EscapeError, decode

#: Deepest expression nesting accepted (ES006); deeper input is hostile, not hand-written.
MAX_DEPTH = 64

Child = Any  # a lark Token, an AST node, a list of nodes, or None


@dataclass
class BuildState:
    """Per-parse state: the file shown in diagnostics, problems found, nesting depths."""

    path: str = "<string>"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    depth: dict[int, int] = field(default_factory=dict)
    too_deep: bool = False

    def reset(self, path: str) -> None:
        """Start a new parse."""
        self.path = path
        self.diagnostics = []
        self.depth = {}
        self.too_deep = False


STATE = BuildState()


def token_span(tok: Token) -> Span:
    """Return the span of a Lark token."""
    return Span(tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)


def _span(children: list[Child]) -> Span:
    present = [c for c in children if c is not None and c != []]
    first, last = present[0], present[-1]
    start = first if isinstance(first, Span) else _edge(first, first=True)
    end = last if isinstance(last, Span) else _edge(last, first=False)
    return Span(start.line, start.column, end.end_line, end.end_column)


class _Braced(NamedTuple):
    """The fields of a ``{ ... }`` block and the span from brace to brace."""

    fields: list[Any]
    span: Span


def _edge(child: Child, first: bool) -> Span:
    if isinstance(child, Token):
        return token_span(child)
    if isinstance(child, list):
        return _edge(child[0] if first else child[-1], first)
    return child.span  # type: ignore[no-any-return]


def leaf(tok: Token) -> Any:
    """Convert a value token to its AST leaf (the grammar fixes which leaf each position holds)."""
    span, text = token_span(tok), str(tok)
    kind = tok.type
    if kind == "STRING":
        return string(tok)
    if kind == "NAME":
        return ast.Name(span=span, value=text)
    if kind in ("INT", "DECIMAL"):
        return ast.Number(span=span, text=text)
    if kind == "PERCENT":
        return ast.Percent(span=span, text=text[:-1])
    if kind == "DURATION":
        return ast.Duration(span=span, text=text)
    if kind == "DATE":
        return ast.Date(span=span, text=text)
    assert kind == "REGEX", kind
    end = text.rindex("/")
    return ast.Regex(span=span, pattern=text[1:end], flags=text[end + 1 :], raw=text)


def string(tok: Token) -> ast.Str:
    """Decode a string token, recording an invalid escape as a diagnostic."""
    try:
        value = decode(str(tok))
    except EscapeError as exc:
        STATE.diagnostics.append(_escape_error(tok, exc))
        value = ""
    return ast.Str(span=token_span(tok), value=value, raw=str(tok))


def _escape_error(tok: Token, exc: EscapeError) -> Diagnostic:
    before = str(tok)[: exc.offset]
    line = (tok.line or 1) + before.count("\n")
    column = exc.offset - before.rfind("\n") if "\n" in before else (tok.column or 1) + exc.offset
    span = Span(line, column, line, column + exc.length)
    return error(
        codes.INVALID_ESCAPE, str(exc), STATE.path, span, hint='write "\\\\" for a backslash'
    )


def _value(child: Child) -> Any:
    """Convert a value token to its leaf; nodes and ``None`` placeholders pass through."""
    return leaf(child) if isinstance(child, Token) else child


def _words(children: list[Child]) -> list[Any]:
    """Children without punctuation and keywords, value tokens converted to leaves."""
    return [_value(c) for c in children if not (isinstance(c, Token) and c.type not in _VALUES)]


_VALUES = frozenset({"NAME", "STRING", "INT", "DECIMAL", "PERCENT", "DURATION", "DATE", "REGEX"})
_SETTINGS = {
    "tools_stmt": "tools", "labels_stmt": "labels", "review_stmt": "review",
    "alpha_stmt": "alpha", "tolerance_stmt": "tolerance", "max_rate_stmt": "max_rate",
    "why_stmt": "why", "severity_stmt": "severity", "human_guard": "human", "todo_stmt": "todo",
}  # fmt: skip
_LISTS = {
    "examples_stmt": "examples", "guards_stmt": "guards", "corpus_stmt": "corpus",
    "example_refs": "example", "counter_refs": "counter",
}  # fmt: skip
_TRACE_FIELDS = {
    "trace_id": "id", "trace_input": "input", "trace_output": "output",
    "trace_tool_call": "tool_call", "trace_metadata": "metadata", "trace_json": "json",
}  # fmt: skip


class ToAst(Transformer[Token, Any]):
    """Rule callbacks; the grammar's rule or alias name selects the method."""

    def __default__(self, data: Any, children: list[Child], meta: Any) -> Any:
        name = str(data)
        if name.startswith("_"):  # Lark's helper rules for repetition: the parent inlines them
            return Tree(data, children)
        span = _span(children)
        if name in _SETTINGS:  # KEYWORD [EVERY] value
            return ast.Setting(span=span, keyword=_SETTINGS[name], value=_value(children[-1]))
        if name in _LISTS:  # KEYWORD string_list
            return ast.StringList(span=span, keyword=_LISTS[name], items=children[1])
        if name in _TRACE_FIELDS:  # KEYWORD value [value]
            args = [w for w in _words(children) if w is not None]
            return ast.TraceField(span=span, keyword=_TRACE_FIELDS[name], args=args)
        raise NotImplementedError(f"no AST rule for {name}")  # pragma: no cover - grammar drift

    # ------------------------------------------------------------- blocks

    def start(self, children: list[Child]) -> ast.File:
        span = _span(children) if children else Span(1, 1, 1, 1)
        return ast.File(span=span, items=children, comments=[])

    # Positions below follow the grammar: keywords and punctuation are kept, and an absent
    # optional part leaves one None per item it would have held.

    def suite(self, children: list[Child]) -> ast.Suite:
        name, title, body = leaf(children[1]), _value(children[2]), children[4:-1]
        return ast.Suite(span=_span(children), name=name, title=title, body=body)

    def mode(self, children: list[Child]) -> ast.Mode:
        name, title, body = leaf(children[1]), _value(children[2]), children[4:-1]
        return ast.Mode(span=_span(children), name=name, title=title, body=body)

    # ------------------------------------------------------------- statements

    def traces_stmt(self, children: list[Child]) -> ast.StringList:
        items, fmt = children[1], _value(children[3])
        return ast.StringList(span=_span(children), keyword="traces", items=items, format=fmt)

    def string_list(self, children: list[Child]) -> list[ast.Str]:
        return _words(children)

    def judge_config(self, children: list[Child]) -> ast.JudgeConfig:
        return ast.JudgeConfig(span=_span(children), entries=children[2:-1])

    def config_entry(self, children: list[Child]) -> ast.ConfigEntry:
        key, value = children[0], _value(children[1])
        name = ast.Name(span=token_span(key), value=str(key))  # NAME, or the keyword `model`
        return ast.ConfigEntry(span=_span(children), key=name, value=value)

    model_entry = config_entry

    def seen_stmt(self, children: list[Child]) -> ast.Seen:
        count, total, on = _value(children[1]), _value(children[3]), _value(children[5])
        return ast.Seen(span=_span(children), count=count, total=total, on=on)

    def when_stmt(self, children: list[Child]) -> ast.Condition:
        return ast.Condition(span=_span(children), keyword="when", expr=_value(children[1]))

    def assert_stmt(self, children: list[Child]) -> ast.Condition:
        return ast.Condition(span=_span(children), keyword="assert", expr=_value(children[1]))

    def example_block(self, children: list[Child]) -> ast.TraceBlock:
        block = children[1]
        return ast.TraceBlock(span=_span(children), keyword="example", fields=block.fields)

    def counter_block(self, children: list[Child]) -> ast.TraceBlock:
        block = children[1]
        return ast.TraceBlock(span=_span(children), keyword="counter", fields=block.fields)

    def trace_block(self, children: list[Child]) -> _Braced:
        return _Braced(children[1:-1], _span([children[0], children[-1]]))

    def judge_guard(self, children: list[Child]) -> ast.JudgeGuard:
        name, fields = leaf(children[1]), children[3:-1]
        return ast.JudgeGuard(span=_span(children), name=name, fields=fields)

    def prompt_file(self, children: list[Child]) -> ast.JudgeField:
        return ast.JudgeField(span=_span(children), keyword="prompt_file", value=leaf(children[2]))

    def prompt_text(self, children: list[Child]) -> ast.JudgeField:
        return ast.JudgeField(span=_span(children), keyword="prompt", value=leaf(children[1]))

    def judge_model(self, children: list[Child]) -> ast.JudgeField:
        return ast.JudgeField(span=_span(children), keyword="model", value=_value(children[1]))

    def judge_labels(self, children: list[Child]) -> ast.JudgeField:
        path, train, dev, test, seed = (_value(children[i]) for i in (1, 3, 5, 7, 9))
        split = [train, dev, test] if train and dev and test else None
        return ast.JudgeField(
            span=_span(children), keyword="labels", value=path, split=split, seed=seed
        )

    # ------------------------------------------------------------- expressions

    def or_(self, children: list[Child]) -> ast.Expr:
        args = [_value(c) for c in children if not (isinstance(c, Token) and c.type == "OR")]
        return cast(ast.Expr, self._nested(ast.Or(span=_span(children), args=args), args))

    def and_(self, children: list[Child]) -> ast.Expr:
        args = [_value(c) for c in children if not (isinstance(c, Token) and c.type == "AND")]
        return cast(ast.Expr, self._nested(ast.And(span=_span(children), args=args), args))

    def not_(self, children: list[Child]) -> ast.Expr:
        arg = _value(children[1])
        return cast(ast.Expr, self._nested(ast.Not(span=_span(children), arg=arg), [arg]))

    def paren(self, children: list[Child]) -> ast.Expr:
        inner = _value(children[1])
        return cast(ast.Expr, self._nested(ast.Paren(span=_span(children), expr=inner), [inner]))

    def _nested(self, node: Any, inner: list[Any]) -> Any:
        """Track nesting depth; past the limit, report once and stop nesting further."""
        depth = 1 + max((STATE.depth.get(id(i), 0) for i in inner), default=0)
        if depth <= MAX_DEPTH:
            STATE.depth[id(node)] = depth
            return node
        if not STATE.too_deep:
            STATE.too_deep = True
            STATE.diagnostics.append(
                error(
                    codes.TOO_DEEP,
                    f"expression nests deeper than {MAX_DEPTH} levels",
                    STATE.path,
                    Span.point(node.span.line, node.span.column),
                    hint="split the condition into several assert statements",
                )
            )
        return cast(ast.Expr, inner[0])

    def compare(self, children: list[Child]) -> ast.Compare:
        operand, op, value = children
        return ast.Compare(span=_span(children), operand=operand, op=str(op), value=_value(value))

    def _contains(self, children: list[Child], icase: bool, q: str | None) -> ast.Contains:
        return ast.Contains(
            span=_span(children),
            operand=children[0],
            value=_value(children[-1]),
            ignore_case=icase,
            quantifier=q,
        )

    def contains(self, children: list[Child]) -> ast.Contains:
        return self._contains(children, False, None)

    def icontains(self, children: list[Child]) -> ast.Contains:
        return self._contains(children, True, None)

    def contains_any(self, children: list[Child]) -> ast.Contains:
        return self._contains(children, False, "any")

    def contains_all(self, children: list[Child]) -> ast.Contains:
        return self._contains(children, False, "all")

    def icontains_any(self, children: list[Child]) -> ast.Contains:
        return self._contains(children, True, "any")

    def icontains_all(self, children: list[Child]) -> ast.Contains:
        return self._contains(children, True, "all")

    def starts_with(self, children: list[Child]) -> ast.StartsWith:
        return ast.StartsWith(span=_span(children), operand=children[0], value=_value(children[-1]))

    def ends_with(self, children: list[Child]) -> ast.EndsWith:
        return ast.EndsWith(span=_span(children), operand=children[0], value=_value(children[-1]))

    def matches(self, children: list[Child]) -> ast.Matches:
        return ast.Matches(span=_span(children), operand=children[0], regex=leaf(children[-1]))

    def is_json(self, children: list[Child]) -> ast.IsJson:
        return ast.IsJson(span=_span(children), operand=children[0])

    def conforms(self, children: list[Child]) -> ast.Conforms:
        return ast.Conforms(span=_span(children), operand=children[0], schema=_value(children[-1]))

    def conform_tools(self, children: list[Child]) -> ast.ConformTools:
        return ast.ConformTools(span=_span(children), operand=children[0])

    def has_no_pii(self, children: list[Child]) -> ast.HasNoPii:
        return ast.HasNoPii(span=_span(children), operand=children[0], kinds=children[4])

    def name_list(self, children: list[Child]) -> list[ast.Name]:
        return [w for w in _words(children) if w is not None]

    def tool_called(self, children: list[Child]) -> ast.ToolCalled:
        name, before = _value(children[1]), _value(children[3])
        return ast.ToolCalled(span=_span(children), name=name, before=before)

    def citations(self, children: list[Child]) -> ast.Citations:
        return ast.Citations(span=_span(children), regex=leaf(children[1]))

    def run(self, children: list[Child]) -> ast.Run:
        command, timeout = _value(children[1]), _value(children[3])
        return ast.Run(span=_span(children), command=command, timeout=timeout)

    def python(self, children: list[Child]) -> ast.Python:
        target, timeout = _value(children[1]), _value(children[3])
        return ast.Python(span=_span(children), target=target, timeout=timeout)

    # ------------------------------------------------------------- operands

    def path(self, children: list[Child]) -> ast.Path:
        root, *steps = children
        return ast.Path(span=_span(children), root=leaf(root), steps=steps)

    def call(self, children: list[Child]) -> ast.Call:
        fn, _, arg, _, *steps = children
        node = ast.Call(span=_span(children), function=leaf(fn), arg=arg, steps=steps)
        return cast(ast.Call, self._nested(node, [arg]))

    def field(self, children: list[Child]) -> ast.Field:
        name = _value(children[1])
        return ast.Field(span=_span(children), name=name.value)

    def index(self, children: list[Child]) -> ast.Index:
        return ast.Index(span=_span(children), index=int(children[1]))

    # ------------------------------------------------------------- values

    def true(self, children: list[Child]) -> ast.Bool:
        return ast.Bool(span=_span(children), value=True)

    def false(self, children: list[Child]) -> ast.Bool:
        return ast.Bool(span=_span(children), value=False)

    def env_call(self, children: list[Child]) -> ast.Env:
        name, default = _value(children[2]), _value(children[4])
        return ast.Env(span=_span(children), name=name, default=default)

    def list(self, children: list[Child]) -> ast.ListValue:
        items = [w for w in _words(children) if w is not None]
        return ast.ListValue(span=_span(children), items=items)
