"""Render IR expressions and operands back into ``.eval`` text, for explanations and reports.

The rendering is compact and close to what the author wrote (``len(output) <= 1200``,
``output matches /(?i)sorry/``); it is not the formatter, which works on the AST and keeps
comments and layout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from evalspec import ir

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def path_text(root: str, steps: list[str | int] | tuple[str | int, ...]) -> str:
    """Render a selector: ``tool_calls[0].arguments.x``; odd keys are quoted (``."a b"``)."""
    parts = [root]
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _NAME.match(step):
            parts.append(f".{step}")
        else:
            parts.append(f".{quote(step)}")
    return "".join(parts)


def operand_text(op: ir.Operand) -> str:
    """Render an operand: a selector or a function call with its steps."""
    if isinstance(op, ir.PathOp):
        return path_text(op.root, op.steps)
    return path_text(f"{op.function}({operand_text(op.arg)})", op.steps)


def quote(text: str) -> str:
    """Quote a string as the language writes it."""
    return json.dumps(text, ensure_ascii=False)


def literal_text(lit: ir.Literal) -> str:
    """Render a literal value."""
    if isinstance(lit, ir.StringLit):
        return quote(lit.value)
    if isinstance(lit, ir.BoolLit):
        return "true" if lit.value else "false"
    return str(lit.value)


def regex_text(regex: ir.Regex) -> str:
    """Render a regex literal ``/pattern/flags``."""
    return f"/{regex.pattern}/{regex.flags}"


def describe(expr: ir.Expr) -> str:
    """Render an expression as ``.eval`` text, with parentheses where precedence needs them."""
    return _RENDER[type(expr)](expr)


def _grouped(expr: ir.Expr, loose: tuple[type, ...]) -> str:
    text = describe(expr)
    return f"({text})" if isinstance(expr, loose) else text


def _contains(expr: ir.Contains | ir.ContainsAny | ir.ContainsAll) -> str:
    verb = "icontains" if expr.ignore_case else "contains"
    if isinstance(expr, ir.Contains):
        return f"{operand_text(expr.operand)} {verb} {literal_text(expr.value)}"
    which = "any" if isinstance(expr, ir.ContainsAny) else "all"
    items = ", ".join(literal_text(v) for v in expr.values)
    return f"{operand_text(expr.operand)} {verb} {which} [{items}]"


def _tool_called(expr: ir.ToolCalled) -> str:
    text = f"tool_called {quote(expr.name)}"
    return text if expr.before is None else f"{text} before {quote(expr.before)}"


_RENDER: dict[type, Callable[[Any], str]] = {
    ir.And: lambda e: " and ".join(_grouped(a, (ir.Or,)) for a in e.args),
    ir.Or: lambda e: " or ".join(describe(a) for a in e.args),
    ir.Not: lambda e: "not " + _grouped(e.arg, (ir.And, ir.Or)),
    ir.Compare: lambda e: f"{operand_text(e.operand)} {e.op} {literal_text(e.value)}",
    ir.Contains: _contains,
    ir.ContainsAny: _contains,
    ir.ContainsAll: _contains,
    ir.StartsWith: lambda e: f"{operand_text(e.operand)} starts with {quote(e.value)}",
    ir.EndsWith: lambda e: f"{operand_text(e.operand)} ends with {quote(e.value)}",
    ir.Matches: lambda e: f"{operand_text(e.operand)} matches {regex_text(e.regex)}",
    ir.IsJson: lambda e: f"{operand_text(e.operand)} is json",
    ir.Conforms: lambda e: f"{operand_text(e.operand)} conforms {quote(e.schema)}",
    ir.ConformTools: lambda e: f"{operand_text(e.operand)} conform tools",
    ir.HasNoPii: lambda e: f"{operand_text(e.operand)} has no pii [{', '.join(e.kinds)}]",
    ir.ToolCalled: _tool_called,
    ir.CitationsExist: lambda e: f"citations {regex_text(e.regex)} exist in corpus",
    ir.Run: lambda e: f"run {quote(e.command)}",
    ir.Python: lambda e: f"python {quote(e.target)}",
}
