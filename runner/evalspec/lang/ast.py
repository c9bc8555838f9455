"""The typed syntax tree of a ``.eval`` file: what was written, where, before any meaning.

Every node is a frozen msgspec Struct with a ``span`` (1-based, end-exclusive) and a ``kind`` tag.
The tree keeps the surface form the formatter needs (raw string text, parentheses, the order of
statements); the compiler (``lang/compiler.py``) turns it into the IR, where meaning lives.
"""

from __future__ import annotations

import msgspec

from evalspec.diagnostics import Span


class Node(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    """Base of every node: ``span`` is where the node sits in the source."""

    span: Span


# ----------------------------------------------------------------- leaves


class Name(Node, tag="name", frozen=True):
    """An identifier: a mode or suite name, a selector root, a function, a setting key."""

    value: str


class Str(Node, tag="string", frozen=True):
    """A string literal: ``value`` is decoded, ``raw`` is the source text with its quotes."""

    value: str
    raw: str

    @property
    def long(self) -> bool:
        """Whether it was written as a ``\"\"\"long string\"\"\"``."""
        return self.raw.startswith('"""')


class Number(Node, tag="number", frozen=True):
    """An integer or decimal literal, kept as written (``"1200"``, ``"-0.5"``)."""

    text: str


class Percent(Node, tag="percent", frozen=True):
    """A percentage such as ``2%`` or ``0.5%``; ``text`` excludes the sign."""

    text: str


class Duration(Node, tag="duration", frozen=True):
    """A duration such as ``14d`` or ``500ms``, kept as written."""

    text: str


class Date(Node, tag="date", frozen=True):
    """A calendar date ``YYYY-MM-DD``, kept as written (validated by the compiler)."""

    text: str


class Bool(Node, tag="bool", frozen=True):
    """``true`` or ``false``."""

    value: bool


class Env(Node, tag="env", frozen=True):
    """``env("NAME", "default")``: a value read from the environment at run time."""

    name: Str
    default: Str | None = None


class ListValue(Node, tag="list", frozen=True):
    """``[a, b, ...]``: a list of values."""

    items: list[Value]


class Regex(Node, tag="regex", frozen=True):
    """A regex literal ``/pattern/flags``: ``pattern`` is the text between the slashes."""

    pattern: str
    flags: str
    raw: str


Value = Str | Number | Percent | Duration | Date | Bool | Env | ListValue

# ----------------------------------------------------------------- operands


class Field(Node, tag="field", frozen=True):
    """``.name`` (or ``."odd key"``) after a selector."""

    name: str


class Index(Node, tag="index", frozen=True):
    """``[n]`` after a selector; negative indices count from the end."""

    index: int


Step = Field | Index


class Path(Node, tag="path", frozen=True):
    """A selector over the trace record: root, then fields and indices (``tool_calls[0].name``)."""

    root: Name
    steps: list[Step]


class Call(Node, tag="call", frozen=True):
    """A function applied to an operand, then optional steps (``json(output).items[0]``)."""

    function: Name
    arg: Operand
    steps: list[Step]


Operand = Path | Call

# ----------------------------------------------------------------- expressions


class Or(Node, tag="or", frozen=True):
    """``a or b or ...``: true when any argument is true."""

    args: list[Expr]


class And(Node, tag="and", frozen=True):
    """``a and b and ...``: true when every argument is true."""

    args: list[Expr]


class Not(Node, tag="not", frozen=True):
    """``not a``."""

    arg: Expr


class Paren(Node, tag="paren", frozen=True):
    """``( expr )``: kept so that the formatter writes the parentheses the author wrote."""

    expr: Expr


class Compare(Node, tag="compare", frozen=True):
    """``operand OP value`` with OP one of ``== != < <= > >=``."""

    operand: Operand
    op: str
    value: Value


class Contains(Node, tag="contains", frozen=True):
    """``operand [i]contains value`` or ``operand [i]contains any|all [list]``.

    ``quantifier`` is ``None`` for a single value, else ``"any"`` or ``"all"`` (then ``value``
    is a list).
    """

    operand: Operand
    value: Value
    ignore_case: bool
    quantifier: str | None = None


class StartsWith(Node, tag="starts_with", frozen=True):
    """``operand starts with "prefix"``."""

    operand: Operand
    value: Value


class EndsWith(Node, tag="ends_with", frozen=True):
    """``operand ends with "suffix"``."""

    operand: Operand
    value: Value


class Matches(Node, tag="matches", frozen=True):
    """``operand matches /re/flags``."""

    operand: Operand
    regex: Regex


class IsJson(Node, tag="is_json", frozen=True):
    """``operand is json``."""

    operand: Operand


class Conforms(Node, tag="conforms", frozen=True):
    """``operand conforms "schema.json"``."""

    operand: Operand
    schema: Value


class ConformTools(Node, tag="conform_tools", frozen=True):
    """``tool_calls conform tools``."""

    operand: Operand


class HasNoPii(Node, tag="has_no_pii", frozen=True):
    """``operand has no pii [kinds]``; ``kinds`` is ``None`` for every kind."""

    operand: Operand
    kinds: list[Name] | None = None


class ToolCalled(Node, tag="tool_called", frozen=True):
    """``tool_called "name" [before "other"]``."""

    name: Str
    before: Str | None = None


class Citations(Node, tag="citations", frozen=True):
    """``citations /re/ exist in corpus``."""

    regex: Regex


class Run(Node, tag="run", frozen=True):
    """``run "command" [timeout 5s]``: an external program judges the trace."""

    command: Str
    timeout: Value | None = None


class Python(Node, tag="python", frozen=True):
    """``python "module:function" [timeout 5s]``: a Python callable judges the trace."""

    target: Str
    timeout: Value | None = None


Predicate = (
    Compare
    | Contains
    | StartsWith
    | EndsWith
    | Matches
    | IsJson
    | Conforms
    | ConformTools
    | HasNoPii
    | ToolCalled
    | Citations
    | Run
    | Python
)
Expr = Or | And | Not | Paren | Predicate

# ----------------------------------------------------------------- statements


class Setting(Node, tag="setting", frozen=True):
    """A one-value statement: ``keyword value`` (``why "..."``, ``max_rate 2%``, ``tools "x"``).

    ``keyword`` is the statement word as written; ``value`` its argument.
    """

    keyword: str
    value: Value | Name


class StringList(Node, tag="string_list", frozen=True):
    """``keyword "a", "b"``: ``traces``, ``guards``, ``corpus``, ``example`` or ``counter`` ids.

    ``format`` is only used by ``traces ... format "otel"``.
    """

    keyword: str
    items: list[Str]
    format: Str | None = None


class Seen(Node, tag="seen", frozen=True):
    """``seen 9 of 100 [on 2026-11-20]``: the frequency found by the last axial coding."""

    count: Number
    total: Number
    on: Date | None = None


class Condition(Node, tag="condition", frozen=True):
    """``when expr`` (the mode applies) or ``assert expr`` (a code guard)."""

    keyword: str
    expr: Expr


class ConfigEntry(Node, tag="config_entry", frozen=True):
    """``key value`` inside a suite's ``judge { ... }`` block."""

    key: Name
    value: Value


class JudgeConfig(Node, tag="judge_config", frozen=True):
    """The suite's ``judge { ... }`` block: endpoint, model and limits."""

    entries: list[ConfigEntry]


class TraceField(Node, tag="trace_field", frozen=True):
    """A field of an inline trace (``input``, ``output``, ``id``, ``json``, ``tool_call``, ...).

    ``args`` holds the values after the keyword (one string; two for ``tool_call``, ``metadata``).
    """

    keyword: str
    args: list[Value]


class TraceBlock(Node, tag="trace_block", frozen=True):
    """``example { ... }`` or ``counter { ... }``: a trace written inside the spec."""

    keyword: str
    fields: list[TraceField]


class JudgeField(Node, tag="judge_field", frozen=True):
    """A field of a judge guard: ``prompt file "x"``, ``prompt "..."``, ``labels ...``, ``model``.

    ``keyword`` is ``prompt_file``, ``prompt``, ``labels`` or ``model``; for ``labels`` the split
    percentages and the seed are kept as numbers.
    """

    keyword: str
    value: Value
    split: list[Number] | None = None
    seed: Number | None = None


class JudgeGuard(Node, tag="judge_guard", frozen=True):
    """``judge name { ... }``: an LLM judge that guards the mode."""

    name: Name
    fields: list[JudgeField]


Statement = Setting | StringList | Seen | Condition | JudgeConfig | TraceBlock | JudgeGuard

# ----------------------------------------------------------------- blocks


class Block(Node, frozen=True):
    """A ``suite`` or ``mode`` block: keyword, name, optional title, statements.

    ``open_line`` is the line of the opening brace, used to place comments.
    """

    name: Name
    title: Str | None
    body: list[Statement]


class Suite(Block, tag="suite", frozen=True):
    """``suite name "title" { ... }``: settings shared by the file's modes."""


class Mode(Block, tag="mode", frozen=True):
    """``mode name "title" { ... }``: one named failure mode and its guards."""


class Comment(msgspec.Struct, frozen=True):
    """A ``# comment``: its text (with the ``#``) and where it starts."""

    text: str
    line: int
    column: int


class File(Node, tag="file", frozen=True):
    """A whole ``.eval`` file: its blocks in source order and every comment."""

    items: list[Suite | Mode]
    comments: list[Comment]
