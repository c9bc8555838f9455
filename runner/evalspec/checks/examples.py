"""Inline examples: a trace written inside the spec (``example { ... }``) as a :class:`Trace`.

The ``json`` record comes first; ``input``, ``output``, ``tool_call`` and ``metadata`` written in
the block go on top of it (tool calls replace the record's, metadata keys are merged). The id is
the record's ``id`` if it has one, else the block's (``mode/example-1`` unless written). When
the result has no messages, a conversation is built from it: a user message with the input, an
assistant message making the tool calls, an assistant message with the output.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from evalspec import ir
from evalspec.checks.base import CheckError
from evalspec.traces.record import Message, Trace


def inline_trace(t: ir.InlineTrace) -> Trace:
    """Build the :class:`Trace` of an inline example; :class:`CheckError` if it is invalid."""
    data = _record(t)
    data.setdefault("id", t.id)
    if t.input is not None:
        data["input"] = t.input
    if t.output is not None:
        data["output"] = t.output
    if t.tool_calls:
        data["tool_calls"] = [_tool_call(call) for call in t.tool_calls]
    if t.metadata:
        written = {key: _literal(value) for key, value in t.metadata.items()}
        data["metadata"] = {**(data.get("metadata") or {}), **written}
    try:
        trace = msgspec.convert(data, Trace)
    except msgspec.ValidationError as exc:
        raise CheckError(f"example {t.id} is not a valid trace record: {exc}") from None
    if not trace.messages:
        trace.messages = _conversation(trace)
    return trace


def _literal(value: ir.Literal) -> Any:
    """A metadata value as the record holds it; decimals stay exact."""
    if isinstance(value, ir.DecimalLit):
        return Decimal(value.value)
    return value.value


def _record(t: ir.InlineTrace) -> dict[str, Any]:
    if t.record is None:
        return {}
    try:
        data = msgspec.json.decode(t.record)
    except msgspec.DecodeError as exc:
        raise CheckError(f"example {t.id}: the json record is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CheckError(f"example {t.id}: the json record must be an object")
    return data


def _tool_call(call: ir.ToolCallSpec) -> dict[str, Any]:
    if call.arguments is None:
        return {"name": call.name}
    try:
        return {"name": call.name, "arguments": msgspec.json.decode(call.arguments)}
    except msgspec.DecodeError:
        return {"name": call.name, "arguments_raw": call.arguments}


def _conversation(trace: Trace) -> list[Message]:
    messages = []
    if trace.input is not None:
        messages.append(Message(role="user", content=trace.input))
    if trace.tool_calls:
        for call in trace.tool_calls:
            if call.message_index is None:
                call.message_index = len(messages)
        messages.append(Message(role="assistant", tool_calls=list(trace.tool_calls)))
    if trace.output is not None:
        messages.append(Message(role="assistant", content=trace.output))
    return messages
