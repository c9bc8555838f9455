"""The IR: the portable, compiled form of a spec, and the contract between ``lang`` and ``run``.

It serialises to JSON under ``schemas/evalspec-ir.v1.schema.json`` (generated from these Structs).
Rules that keep it portable across languages:

* no floats: rates and thresholds are decimal strings (``"0.02"``), durations integer milliseconds;
* snake_case keys, every key always present (``null`` when unset) so readers need no defaults;
* deterministic: modes and guards in source order, paths relative to the project root in POSIX form;
* every mode, guard and predicate keeps its source ``span``, so results point back at
  ``.eval`` lines.

Unions are tagged by ``kind``. The base Struct forbids unknown fields, so a document written for a
newer minor version with unknown keys is rejected rather than half-understood.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import msgspec

from evalspec.diagnostics import Span

IR_VERSION = 1
#: The placeholders a judge prompt may use; ``{{input}}`` and the like are filled per trace.
JUDGE_PLACEHOLDERS = ("input", "output", "messages", "trace")
#: Integers in the IR fit in 64 bits, so every language can read them exactly.
INT_MAX = 2**63 - 1


class IRNode(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="kind"
):
    """Base of tagged IR nodes: frozen (hashable, shareable), strict, tagged by ``kind``."""


class IRRecord(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of untagged IR records: frozen and strict."""


# ----------------------------------------------------------------- values


class StrValue(IRNode, tag="string", frozen=True):
    """A value written in the spec."""

    value: str


class EnvValue(IRNode, tag="env", frozen=True):
    """A value read from the environment when the spec runs; ``default`` when unset."""

    name: str
    default: str | None = None


Setting = StrValue | EnvValue


class StringLit(IRNode, tag="string", frozen=True):
    """A string literal in a predicate."""

    value: str


class IntLit(IRNode, tag="int", frozen=True):
    """An integer literal (durations are converted to integer milliseconds)."""

    value: int


class DecimalLit(IRNode, tag="decimal", frozen=True):
    """A decimal literal as an exact decimal string (``"0.5"``); percentages become fractions."""

    value: str


class BoolLit(IRNode, tag="bool", frozen=True):
    """``true`` or ``false``."""

    value: bool


Literal = StringLit | IntLit | DecimalLit | BoolLit

# ----------------------------------------------------------------- operands


class PathOp(IRNode, tag="path", frozen=True):
    """A selector: ``root`` (a trace record field) then field names and list indices."""

    root: str
    steps: list[str | int]
    span: Span


class CallOp(IRNode, tag="call", frozen=True):
    """``function(arg)`` then optional steps into the result (only ``json`` has steps)."""

    function: str
    arg: Operand
    steps: list[str | int]
    span: Span


Operand = PathOp | CallOp

# ----------------------------------------------------------------- expressions


class And(IRNode, tag="and", frozen=True):
    """True when every argument is true."""

    args: list[Expr]
    span: Span


class Or(IRNode, tag="or", frozen=True):
    """True when any argument is true."""

    args: list[Expr]
    span: Span


class Not(IRNode, tag="not", frozen=True):
    """Negation."""

    arg: Expr
    span: Span


CompareOp = typing.Literal["==", "!=", "<", "<=", ">", ">="]


class Compare(IRNode, tag="compare", frozen=True):
    """``operand op value``; ``op`` is one of ``== != < <= > >=``."""

    operand: Operand
    op: CompareOp
    value: Literal
    span: Span


class Contains(IRNode, tag="contains", frozen=True):
    """``operand [i]contains value`` (substring for text, membership for lists)."""

    operand: Operand
    value: Literal
    ignore_case: bool
    span: Span


class ContainsAny(IRNode, tag="contains_any", frozen=True):
    """``operand [i]contains any [values]``."""

    operand: Operand
    values: list[Literal]
    ignore_case: bool
    span: Span


class ContainsAll(IRNode, tag="contains_all", frozen=True):
    """``operand [i]contains all [values]``."""

    operand: Operand
    values: list[Literal]
    ignore_case: bool
    span: Span


class StartsWith(IRNode, tag="starts_with", frozen=True):
    """``operand starts with prefix``."""

    operand: Operand
    value: str
    span: Span


class EndsWith(IRNode, tag="ends_with", frozen=True):
    """``operand ends with suffix``."""

    operand: Operand
    value: str
    span: Span


class Regex(IRRecord, frozen=True):
    """A regex in the portable dialect; ``flags`` is a sorted subset of ``ims``."""

    pattern: str
    flags: typing.Annotated[str, msgspec.Meta(pattern="^i?m?s?$")]


class Matches(IRNode, tag="matches", frozen=True):
    """``operand matches /regex/`` (a search, not a full match)."""

    operand: Operand
    regex: Regex
    span: Span


class IsJson(IRNode, tag="is_json", frozen=True):
    """``operand is json``."""

    operand: Operand
    span: Span


class Conforms(IRNode, tag="conforms", frozen=True):
    """``operand conforms "schema.json"``: JSON Schema 2020-12; ``schema`` is a project path."""

    operand: Operand
    schema: str
    span: Span


class ConformTools(IRNode, tag="conform_tools", frozen=True):
    """``tool_calls conform tools``: against the suite's ``tools`` file."""

    operand: Operand
    tools: str | None
    span: Span


class HasNoPii(IRNode, tag="has_no_pii", frozen=True):
    """``operand has no pii [kinds]``; ``kinds`` lists every kind checked, sorted."""

    operand: Operand
    kinds: list[str]
    span: Span


class ToolCalled(IRNode, tag="tool_called", frozen=True):
    """``tool_called name [before other]``."""

    name: str
    before: str | None
    span: Span


class CitationsExist(IRNode, tag="citations_exist", frozen=True):
    """``citations /re/ exist in corpus``: every captured id names a corpus document."""

    regex: Regex
    corpus: list[str]
    span: Span


class Run(IRNode, tag="run", frozen=True):
    """``run "command"``: an external program gets the trace on stdin (needs --allow-exec)."""

    command: str
    timeout_ms: int
    span: Span


class Python(IRNode, tag="python", frozen=True):
    """``python "module:function"``: a Python callable judges the trace (needs --allow-exec)."""

    target: str
    timeout_ms: int
    span: Span


Predicate = (
    Compare
    | Contains
    | ContainsAny
    | ContainsAll
    | StartsWith
    | EndsWith
    | Matches
    | IsJson
    | Conforms
    | ConformTools
    | HasNoPii
    | ToolCalled
    | CitationsExist
    | Run
    | Python
)
Expr = And | Or | Not | Predicate

# ----------------------------------------------------------------- guards


class AssertGuard(IRNode, tag="assert", frozen=True):
    """A code guard: the mode fires on a trace when ``expr`` is false."""

    id: str
    expr: Expr
    span: Span


class Split(IRRecord, frozen=True):
    """A judge's train/dev/test split in percent (sums to 100)."""

    train: int
    dev: int
    test: int


class JudgeGuard(IRNode, tag="judge", frozen=True):
    """An LLM judge guard: ``prompt`` is inline text or ``prompt_file`` a project path."""

    id: str
    name: str
    prompt: str | None
    prompt_file: str | None
    labels: str | None
    split: Split | None
    seed: int | None
    model: Setting | None
    span: Span


class HumanGuard(IRNode, tag="human", frozen=True):
    """A human review guard: ``pending`` until a label exists."""

    id: str
    instructions: str
    span: Span


Guard = AssertGuard | JudgeGuard | HumanGuard

# ----------------------------------------------------------------- traces named by a mode


class ToolCallSpec(IRRecord, frozen=True):
    """A tool call of an inline trace; ``arguments`` is the JSON text as written."""

    name: str
    arguments: str | None


class InlineTrace(IRRecord, frozen=True):
    """A trace written inside the spec (``example { ... }``)."""

    id: str
    input: str | None
    output: str | None
    tool_calls: list[ToolCallSpec]
    metadata: dict[str, Literal]
    record: str | None


class TraceRef(IRNode, tag="ref", frozen=True):
    """A trace named by id, looked up in the suite's trace source."""

    id: str
    span: Span


class InlineRef(IRNode, tag="inline", frozen=True):
    """An inline trace."""

    trace: InlineTrace
    span: Span


Example = TraceRef | InlineRef

# ----------------------------------------------------------------- modes and suite


class Seen(IRRecord, frozen=True):
    """``seen count of total on date``: frequency from the last axial coding."""

    count: int
    total: int
    on: str | None


class Mode(IRRecord, frozen=True):
    """One failure mode: what it is, its evidence, its gates and its guards."""

    name: str
    title: str | None
    why: str | None
    severity: str | None
    seen: Seen | None
    examples: list[Example]
    counters: list[Example]
    max_rate: str | None
    tolerance: str | None
    when: Expr | None
    guards: list[Guard]
    todo: list[str]
    span: Span


class JudgeConfig(IRRecord, frozen=True):
    """The suite's judge endpoint and limits; secrets only as ``env`` values.

    ``cache`` is a committed JSONL file of verdicts replayed before any call is made, so CI can
    check judge modes without an API key.
    """

    model: Setting | None
    base_url: Setting | None
    api_key: Setting | None
    temperature: str
    timeout_ms: int
    concurrency: int
    max_retries: int
    max_calls: int | None
    cache: str | None
    span: Span


class Suite(IRRecord, frozen=True):
    """Settings shared by the file's modes; paths are project-relative, globs kept as globs.

    ``examples`` is where example and counter ids are looked up (the reviewed sample); when empty,
    they are looked up in ``traces``.
    """

    name: str
    title: str | None
    traces: list[str]
    trace_format: str | None
    examples: list[str]
    guards: list[str]
    corpus: list[str]
    tools: str | None
    labels: str | None
    review_every_ms: int | None
    alpha: str
    tolerance: str | None
    judge: JudgeConfig | None
    span: Span

    @property
    def example_source(self) -> list[str]:
        """The patterns example and counter ids are looked up in: ``examples``, else ``traces``."""
        return self.examples or self.traces


class EvalFile(IRRecord, frozen=True):
    """A compiled spec file: ``path`` relative to the project root, a suite (optional), modes."""

    ir_version: int
    path: str
    suite: Suite | None
    modes: list[Mode]


GUARD_KINDS: tuple[type[IRNode], ...] = (AssertGuard, JudgeGuard, HumanGuard)


def walk(node: Any) -> Iterator[Any]:
    """Yield ``node`` and every IR node, list item and value below it, depth first."""
    yield node
    if isinstance(node, msgspec.Struct):
        for name in node.__struct_fields__:
            yield from walk(getattr(node, name))
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def named_trace_ids(doc: EvalFile) -> set[str]:
    """Every trace id named by an ``example`` or ``counter`` of the spec's modes."""
    return {
        ref.id for mode in doc.modes for ref in (*mode.examples, *mode.counters)
        if isinstance(ref, TraceRef)
    }  # fmt: skip


def kind_of(node: IRNode) -> str:
    """The ``kind`` tag a node carries in JSON (``"assert"``, ``"matches"``, ...)."""
    return str(node.__struct_config__.tag)


_ENCODER = msgspec.json.Encoder(order="deterministic")
_DECODER = msgspec.json.Decoder(EvalFile)


def encode(doc: EvalFile) -> bytes:
    """Encode IR as compact, deterministic JSON."""
    return _ENCODER.encode(doc)


def encode_pretty(doc: EvalFile) -> str:
    """Encode IR as indented JSON with sorted keys (the form of the golden files)."""
    return msgspec.json.format(_ENCODER.encode(doc), indent=2).decode() + "\n"


def decode(data: bytes | str) -> EvalFile:
    """Decode IR JSON; raises ``msgspec.ValidationError`` / ``DecodeError`` on bad input."""
    return _DECODER.decode(data)


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the IR, as committed in ``schemas/evalspec-ir.v1.schema.json``."""
    from evalspec._schema import publish

    return publish(EvalFile, "evalspec-ir.v1.schema.json", "evalspec IR, version 1")
