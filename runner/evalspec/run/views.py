"""Decode only what a spec reads: a projection of the trace record for the hot path.

A spec that reads ``output`` and ``tool_calls`` does not need ``messages``, ``spans`` or
``metadata`` decoded; msgspec skips unknown fields far faster than it builds them. The projection
has the record's own field names, types and defaults, so every check reads it exactly as it reads a
full :class:`~evalspec.traces.Trace`. Guards that hand the whole trace to a program or a judge
(``run``, ``python``, judges) need the full record.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec

from evalspec import ir
from evalspec.traces import Trace

_TOOL_ROOTS: dict[type[Any], str] = {
    ir.ToolCalled: "tool_calls",
    ir.ConformTools: "tool_calls",
    ir.CitationsExist: "output",
}


def fields_read(doc: ir.EvalFile) -> frozenset[str] | None:
    """The record fields the spec's guards read, or ``None`` when they need the whole record."""
    found = {"id"}
    for mode in doc.modes:
        if any(not isinstance(g, ir.AssertGuard) for g in mode.guards):
            return None
        exprs = [g.expr for g in mode.guards if isinstance(g, ir.AssertGuard)]
        exprs += [mode.when] if mode.when is not None else []
        for node in (n for e in exprs for n in ir.walk(e)):
            if isinstance(node, (ir.Run, ir.Python)):
                return None
            if isinstance(node, ir.PathOp):
                found.add(node.root)
            root = _TOOL_ROOTS.get(type(node), "")
            if root:
                found.add(root)
    return frozenset(found)


@lru_cache(maxsize=32)
def view_type(fields: frozenset[str]) -> type[msgspec.Struct]:
    """A Struct with only ``fields`` of :class:`Trace`, same names, types and defaults."""
    specs: list[Any] = []
    for info in msgspec.structs.fields(Trace):
        if info.name not in fields:
            continue
        if info.default is not msgspec.NODEFAULT:
            specs.append((info.name, info.type, info.default))
        elif info.default_factory is not msgspec.NODEFAULT:
            specs.append(
                (info.name, info.type, msgspec.field(default_factory=info.default_factory))
            )
        else:
            specs.append((info.name, info.type))
    return msgspec.defstruct("TraceView", specs, kw_only=True, gc=False)
