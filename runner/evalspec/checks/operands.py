"""Operands: record selectors and the functions ``len``, ``words``, ``lower``, ``json``.

Every operand compiles once into a getter, ``Callable[[Trace], Any]``, that returns the value or
raises :class:`CheckError` when it is missing: ``None``, an absent key, an index out of range or
a step into a value of the wrong kind (``tool_calls[0] is missing``). A missing value is never a
pass or a fail.

The accessor layer below is the only place that knows the record's attribute names: a renamed
field in ``evalspec.traces.record`` is a one-line change in :data:`ROOT_FIELDS` or
:data:`ITEM_FIELDS`.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from types import CodeType
from typing import Any, NamedTuple

import msgspec

from evalspec import ir
from evalspec.checks.base import CheckError, Test
from evalspec.checks.describe import operand_text, path_text
from evalspec.traces.record import Message, Trace

Getter = Callable[[Trace], Any]

#: Selector root -> attribute of :class:`Trace`.
ROOT_FIELDS: dict[str, str] = {
    "id": "id", "input": "input", "output": "output", "messages": "messages",
    "tool_calls": "tool_calls", "metadata": "metadata", "latency_ms": "latency_ms",
    "cost": "cost", "usage": "usage", "session_id": "session_id", "user_id": "user_id",
    "start_time": "start_time", "end_time": "end_time", "spans": "spans",
}  # fmt: skip
#: Selector step below a record item (message, tool call, span, usage) -> attribute name.
ITEM_FIELDS: dict[str, str] = {
    "role": "role", "content": "content", "name": "name", "tool_call_id": "tool_call_id",
    "id": "id", "arguments": "arguments", "arguments_raw": "arguments_raw", "result": "result",
    "error": "error", "parent_id": "parent_id", "kind": "kind", "start_time": "start_time",
    "end_time": "end_time", "attributes": "attributes", "input_tokens": "input_tokens",
    "output_tokens": "output_tokens", "total_tokens": "total_tokens",
}  # fmt: skip
#: Roots whose value is text (``str`` or ``None``): predicates specialise on them.
TEXT_ROOTS = frozenset({"id", "input", "output", "session_id", "user_id", "start_time", "end_time"})

_JSON = msgspec.json.Decoder(float_hook=Decimal)  # exact decimals: json(x).price == 9.99
_BYTE = re.compile(r"\s*\(byte (\d+)\)$")


def missing(where: str, detail: str = "") -> CheckError:
    """Return the error for a missing value at ``where`` (``tool_calls[0] is missing``)."""
    return CheckError(f"{where} is missing" + (f" ({detail})" if detail else ""))


def kind_of(value: Any) -> str:
    """Name the kind of a value for messages: ``text``, ``a number``, ``a list``, ..."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__.lower()} record"


def as_number(value: Any) -> int | Decimal | None:
    """Return a number as ``int`` or exact ``Decimal`` (floats by their shortest repr), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


class TextSource(NamedTuple):
    """A text field of the record read directly (``output``), optionally through one function.

    ``attr`` is the :class:`Trace` attribute, ``name`` the selector. Predicates on this shape,
    the common one on the hot path, compile to one fused closure (:func:`fused`).
    """

    attr: str
    name: str
    function: str | None


def text_source(op: ir.Operand) -> TextSource | None:
    """Return the direct form of ``op`` when it is ``field`` or ``len|words|lower(field)``."""
    if isinstance(op, ir.PathOp) and op.root in TEXT_ROOTS and not op.steps:
        return TextSource(ROOT_FIELDS[op.root], op.root, None)
    if (
        isinstance(op, ir.CallOp)
        and op.function in ("len", "words", "lower")
        and not op.steps
        and isinstance(op.arg, ir.PathOp)
        and op.arg.root in TEXT_ROOTS
        and not op.arg.steps
    ):
        return TextSource(ROOT_FIELDS[op.arg.root], op.arg.root, op.function)
    return None


_FUSED = """
def test(trace):
    value = trace.{attr}
    if value is None:
        raise missing(name)
    return {test}


def negated(trace):
    value = trace.{attr}
    if value is None:
        raise missing(name)
    return not ({test})
"""


def fused(src: TextSource, test: str, **names: Any) -> tuple[Test, Test]:
    """Compile ``test`` (a Python expression over ``value``) into a closure and its negation.

    The closure reads ``trace.<attr>`` as a plain attribute, checks it is present and evaluates
    ``test``: what a hand-written check does, with no getter call in between (a getter costs
    about a third of a cheap check). As for dataclasses and namedtuple, the function is built
    from source; ``test`` is a constant of this package and the attribute comes from
    :data:`ROOT_FIELDS`, never from the spec. ``names`` are the values ``test`` refers to.
    """
    if src.attr not in ROOT_FIELDS.values() or not src.attr.isidentifier():
        raise ValueError(f"not a record field: {src.attr!r}")
    scope: dict[str, Any] = {"missing": missing, "name": src.name, **names}
    exec(_fused_code(src.attr, src.name, test), scope)
    return scope["test"], scope["negated"]


@functools.lru_cache(maxsize=1024)
def _fused_code(attr: str, name: str, test: str) -> CodeType:
    """The compiled code of a fused check: the same few shapes recur across guards and specs."""
    return compile(_FUSED.format(attr=attr, test=test), f"<evalspec check on {name}>", "exec")


def compile_operand(op: ir.Operand) -> Getter:
    """Compile an operand into a getter that returns its value or raises :class:`CheckError`."""
    if isinstance(op, ir.CallOp):
        return _call(op)
    return _path(op)


def _path(op: ir.PathOp) -> Getter:
    root = _root(op.root)
    steps = _steps(op.root, op.steps)
    name = op.root

    def get(trace: Trace) -> Any:
        value = root(trace)
        if value is None:
            raise missing(name)
        for step, where, before in steps:
            value = _step(value, step, where, before)
        return value

    return get


def _root(root: str) -> Getter:
    attr = operator.attrgetter(ROOT_FIELDS[root])
    if root != "cost":
        return attr

    def cost(trace: Trace) -> Decimal | None:  # a decimal string in the record, a number here
        text = attr(trace)
        if text is None:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise CheckError(f"cost is not a decimal number: {text!r}") from None

    return cost


def _steps(root: str, steps: list[str | int]) -> list[tuple[str | int, str, str]]:
    """Pair each step with the text of the path up to it and up to the step before."""
    out = []
    for i, step in enumerate(steps):
        out.append((step, path_text(root, steps[: i + 1]), path_text(root, steps[:i])))
    return out


def _step(value: Any, step: str | int, where: str, before: str) -> Any:
    """Take one step into ``value``; raise :class:`CheckError` when nothing is there."""
    if isinstance(step, int):
        if not isinstance(value, list):
            raise missing(where, f"{before} is {kind_of(value)}, not a list")
        try:
            item = value[step]  # negative indices count from the end
        except IndexError:
            raise missing(where, f"{before} has {len(value)} items") from None
    elif isinstance(value, dict):
        item = value.get(step)
    elif isinstance(value, msgspec.Struct):
        item = _item_field(value, step, where)
    else:
        raise missing(where, f"{before} is {kind_of(value)}, not an object")
    if item is None:
        raise missing(where)
    return item


def _item_field(item: msgspec.Struct, step: str, where: str) -> Any:
    value = getattr(item, ITEM_FIELDS.get(step, step), None)
    if step == "content" and isinstance(item, Message) and isinstance(value, list):
        # multi-part content reads as the text of its parts, one per line
        return "\n".join(part.text for part in value if part.text is not None)
    if step == "arguments" and value is None and getattr(item, "arguments_raw", None):
        raise missing(where, "the arguments are not valid JSON")
    return value


def text_getter(op: ir.Operand, what: str) -> tuple[Callable[[Trace], str], str]:
    """Return a getter that insists on text, and the operand's name."""
    get, name = compile_operand(op), operand_text(op)
    src = text_source(op)
    if src is not None and src.function is None:
        direct: Callable[[Trace], str | None] = operator.attrgetter(src.attr)

        def get_direct(trace: Trace) -> str:
            value = direct(trace)
            if value is None:
                raise missing(name)
            return value

        return get_direct, name

    def get_text(trace: Trace) -> str:
        value = get(trace)
        if not isinstance(value, str):
            raise CheckError(f"{what} applies to text; {name} is {kind_of(value)}")
        return value

    return get_text, name


# ----------------------------------------------------------------- functions


def _call(op: ir.CallOp) -> Getter:
    arg = compile_operand(op.arg)
    arg_name = operand_text(op.arg)
    apply = _FUNCTIONS[op.function](arg_name)
    steps = _steps(f"{op.function}({arg_name})", op.steps)

    def get(trace: Trace) -> Any:
        value = apply(arg(trace))
        for step, where, before in steps:
            value = _step(value, step, where, before)
        return value

    return get


def _text_of(arg_name: str, function: str, value: Any) -> str:
    if not isinstance(value, str):
        raise CheckError(f"{function}() needs text; {arg_name} is {kind_of(value)}")
    return value


def _len(arg_name: str) -> Callable[[Any], int]:
    def apply(value: Any) -> int:
        if isinstance(value, (str, list, dict)):
            return len(value)
        raise CheckError(f"len() needs text, a list or an object; {arg_name} is {kind_of(value)}")

    return apply


def _words(arg_name: str) -> Callable[[Any], int]:
    return lambda value: len(_text_of(arg_name, "words", value).split())


def _lower(arg_name: str) -> Callable[[Any], str]:
    return lambda value: _text_of(arg_name, "lower", value).lower()


def json_position(text: str, message: str) -> str:
    """Turn msgspec's byte offset into a 1-based line and column counted in code points."""
    message = message.removeprefix("JSON is malformed: ")
    found = _BYTE.search(message)
    data = text.encode("utf-8")
    offset = int(found.group(1)) if found else len(data)
    message = message[: found.start()] if found else message
    before = data[:offset].decode("utf-8", errors="ignore")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    hint = ""
    if text.lstrip().startswith("```"):
        hint = " (a Markdown code fence around JSON is not JSON)"
    return f"{message} at line {line}, column {column}{hint}"


def _json(arg_name: str) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        try:
            return _JSON.decode(_text_of(arg_name, "json", value))
        except msgspec.DecodeError as exc:
            raise CheckError(
                f"{arg_name} is not valid JSON: {json_position(value, str(exc))}"
            ) from None

    return apply


_FUNCTIONS: dict[str, Callable[[str], Callable[[Any], Any]]] = {
    "len": _len,
    "words": _words,
    "lower": _lower,
    "json": _json,
}


def excerpt(value: Any, width: int = 80) -> str:
    """Show a value briefly: text quoted and cut at ``width`` code points, others as JSON."""
    if isinstance(value, str):
        text = value if len(value) <= width else value[:width] + "…"
        return msgspec.json.encode(text).decode()
    try:
        text = msgspec.json.encode(value).decode()
    except (TypeError, msgspec.EncodeError):
        text = repr(value)
    return text if len(text) <= width else text[:width] + "…"


def window(text: str, start: int, end: int, margin: int = 30) -> str:
    """Show ``text[start:end]`` with ``margin`` code points of context, quoted."""
    left = max(start - margin, 0)
    right = min(end + margin, len(text))
    shown = msgspec.json.encode(text[left:right]).decode()[1:-1]
    return f'"{"…" if left else ""}{shown}{"…" if right < len(text) else ""}"'
