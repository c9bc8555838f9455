"""The typed syntax tree of a ``.eval`` file: what was written, where, before any meaning.

Every node is a frozen msgspec Struct with a ``span`` (1-based, end-exclusive) and a ``kind`` tag.
The tree keeps the surface form the formatter needs (raw string text, parentheses, the order of
statements); the compiler (``lang/compiler.py``) turns it into the IR, where meaning lives.
"""

from __future__ import annotations

from typing import Union

import msgspec

from evalspec.diagnostics import Span


class Node(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    """Base of every node: ``span`` is where the node sits in the source."""

    span: Span


# ----------------------------------------------------------------- leaves


class Name(Node, tag="name"):
    """An identifier: a mode or suite name, a selector root, a function, a setting key."""

    value: str


class Str(Node, tag="string"):
    """A string literal: ``value`` is decoded, ``raw`` is the source text with its quotes."""

    value: str
    raw: str

    @property
    def long(self) -> bool:
        """Whether it was written as a ``\"\"\"long string\"\"\"``."""
        return self.raw.startswith('"""')


class Number(Node, tag="number"):
    """An integer or decimal literal, kept as written (``"1200"``, ``"-0.5"``)."""

    text: str


class Percent(Node, tag="percent"):
    """A percentage such as ``2%`` or ``0.5%``; ``text`` excludes the sign."""

    text: str


class Duration(Node, tag="duration"):
    """A duration such as ``14d`` or ``500ms``, kept as written."""

    text: str


class Date(Node, tag="date"):
    """A calendar date ``YYYY-MM-DD``, kept as written (validated by the compiler)."""

    text: str


class Bool(Node, tag="bool"):
    """``true`` or ``false``."""

    value: bool


class Env(Node, tag="env"):
    """``env("NAME", "default")``: a value read from the environment at run time."""

    name: Str
    default: Str | None = None


class ListValue(Node, tag="list"):
    """``[a, b, ...]``: a list of values."""

    items: list[Value]


class Regex(Node, tag="regex"):
    """A regex literal ``/pattern/flags``: ``pattern`` is the text between the slashes."""

    pattern: str
    flags: str
    raw: str


Value = Union[Str, Number, Percent, Duration, Date, Bool, Env, ListValue]

# ----------------------------------------------------------------- operands


class Field(Node, tag="field"):
    """``.name`` (or ``."odd key"``) after a selector."""

    name: str


class Index(Node, tag="index"):
    """``[n]`` after a selector; negative indices count from the end."""

    index: int


Step = Union[Field, Index]


class Path(Node, tag="path"):
    """A selector over the trace record: ``root`` then fields and indices (``tool_calls[0].name``)."""

    root: Name
    steps: list[Step]


class Call(Node, tag="call"):
    """A function applied to an operand, optionally followed by steps (``json(output).items[0]``)."""

    function: Name
    arg: Operand
    steps: list[Step]


Operand = Union[Path, Call]

# ----------------------------------------------------------------- expressions


class Or(Node, tag="or"):
    """``a or b or ...``: true when any argument is true."""

    args: list[Expr]


class And(Node, tag="and"):
    """``a and b and ...``: true when every argument is true."""

    args: list[Expr]


class Not(Node, tag="not"):
    """``not a``."""

    arg: Expr


class Paren(Node, tag="paren"):
    """``( expr )``: kept so that the formatter writes the parentheses the author wrote."""

    expr: Expr


class Compare(Node, tag="compare"):
    """``operand OP value`` with OP one of ``== != < <= > >=``."""

    operand: Operand
    op: str
    value: Value


class Contains(Node, tag="contains"):
    """``operand [i]contains value`` or ``operand [i]contains any|all [list]``.

    ``quantifier`` is ``None`` for a single value, else ``"any"`` or ``"all"`` (then ``value`` is a list).
    """

    operand: Operand
    value: Value
    ignore_case: bool
    quantifier: str | None = None


class StartsWith(Node, tag="starts_with"):
    """``operand starts with "prefix"``."""

    operand: Operand
    value: Value


class EndsWith(Node, tag="ends_with"):
    """``operand ends with "suffix"``."""

    operand: Operand
    value: Value


class Matches(Node, tag="matches"):
    """``operand matches /re/flags``."""

    operand: Operand
    regex: Regex


class IsJson(Node, tag="is_json"):
    """``operand is json``."""

    operand: Operand


class Conforms(Node, tag="conforms"):
    """``operand conforms "schema.json"``."""

    operand: Operand
    schema: Value


class ConformTools(Node, tag="conform_tools"):
    """``tool_calls conform tools``."""

    operand: Operand


class HasNoPii(Node, tag="has_no_pii"):
    """``operand has no pii [kinds]``; ``kinds`` is ``None`` for every kind."""

    operand: Operand
    kinds: list[Name] | None = None


class ToolCalled(Node, tag="tool_called"):
    """``tool_called "name" [before "other"]``."""

    name: Str
    before: Str | None = None


class Citations(Node, tag="citations"):
    """``citations /re/ exist in corpus``."""

    regex: Regex


class Run(Node, tag="run"):
    """``run "command" [timeout 5s]``: an external program judges the trace."""

    command: Str
    timeout: Value | None = None


class Python(Node, tag="python"):
    """``python "module:function" [timeout 5s]``: a Python callable judges the trace."""

    target: Str
    timeout: Value | None = None


Predicate = Union[
    Compare,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
    IsJson,
    Conforms,
    ConformTools,
    HasNoPii,
    ToolCalled,
    Citations,
    Run,
    Python,
]
Expr = Union[Or, And, Not, Paren, Predicate]

# ----------------------------------------------------------------- statements


class Setting(Node, tag="setting"):
    """A one-value statement: ``keyword value`` (``why "..."``, ``max_rate 2%``, ``tools "x"``).

    ``keyword`` is the statement word as written; ``value`` its argument.
    """

    keyword: str
    value: Value | Name


class StringList(Node, tag="string_list"):
    """``keyword "a", "b"``: ``traces``, ``guards``, ``corpus``, ``example`` or ``counter`` ids.

    ``format`` is only used by ``traces ... format "otel"``.
    """

    keyword: str
    items: list[Str]
    format: Str | None = None


class Seen(Node, tag="seen"):
    """``seen 9 of 100 [on 2026-11-20]``: the frequency found by the last axial coding."""

    count: Number
    total: Number
    on: Date | None = None


class Condition(Node, tag="condition"):
    """``when expr`` (the mode applies) or ``assert expr`` (a code guard)."""

    keyword: str
    expr: Expr


class ConfigEntry(Node, tag="config_entry"):
    """``key value`` inside a suite's ``judge { ... }`` block."""

    key: Name
    value: Value


class JudgeConfig(Node, tag="judge_config"):
    """The suite's ``judge { ... }`` block: endpoint, model and limits."""

    entries: list[ConfigEntry]


class TraceField(Node, tag="trace_field"):
    """A field of an inline trace: ``input``, ``output``, ``id``, ``json``, ``tool_call`` or ``metadata``.

    ``args`` holds the values after the keyword (one string, or two for ``tool_call`` and ``metadata``).
    """

    keyword: str
    args: list[Value]


class TraceBlock(Node, tag="trace_block"):
    """``example { ... }`` or ``counter { ... }``: a trace written inside the spec."""

    keyword: str
    fields: list[TraceField]


class JudgeField(Node, tag="judge_field"):
    """A field of a judge guard: ``prompt file "x"``, ``prompt "..."``, ``labels ...``, ``model``.

    ``keyword`` is ``prompt_file``, ``prompt``, ``labels`` or ``model``; for ``labels`` the split
    percentages and the seed are kept as numbers.
    """

    keyword: str
    value: Value
    split: list[Number] | None = None
    seed: Number | None = None


class JudgeGuard(Node, tag="judge_guard"):
    """``judge name { ... }``: an LLM judge that guards the mode."""

    name: Name
    fields: list[JudgeField]


Statement = Union[
    Setting, StringList, Seen, Condition, JudgeConfig, TraceBlock, JudgeGuard
]

# ----------------------------------------------------------------- blocks


class Block(Node, frozen=True, kw_only=True):
    """A ``suite`` or ``mode`` block: keyword, name, optional title, statements.

    ``open_line`` is the line of the opening brace, used to place comments.
    """

    name: Name
    title: Str | None
    body: list[Statement]


class Suite(Block, tag="suite"):
    """``suite name "title" { ... }``: settings shared by the file's modes."""


class Mode(Block, tag="mode"):
    """``mode name "title" { ... }``: one named failure mode and its guards."""


class Comment(msgspec.Struct, frozen=True):
    """A ``# comment``: its text (with the ``#``) and where it starts."""

    text: str
    line: int
    column: int


class File(Node, tag="file"):
    """A whole ``.eval`` file: its blocks in source order and every comment."""

    items: list[Suite | Mode]
    comments: list[Comment]
