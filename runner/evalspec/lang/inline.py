"""Compile the two nested blocks of a mode: inline traces and judge guards."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evalspec import ir
from evalspec.diagnostics import Span
from evalspec.lang import ast, codes
from evalspec.lang.expressions import ExprCompiler, did_you_mean

if TYPE_CHECKING:
    from evalspec.lang.compiler import Context

_SINGLE_TEXT = ("id", "input", "output", "json")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


def inline_trace(ctx: Context, block: ast.TraceBlock, default_id: str) -> ir.InlineTrace | None:
    """Compile ``example { ... }`` into an inline trace; ``None`` when a field is invalid."""
    values: dict[str, Any] = {"id": default_id, "input": None, "output": None, "record": None}
    tool_calls: list[ir.ToolCallSpec] = []
    metadata: dict[str, ir.Literal] = {}
    ok = _once(ctx, block.fields, _SINGLE_TEXT)
    for field in block.fields:
        if field.keyword in _SINGLE_TEXT:
            text = _text(ctx, field.args[0])
            ok = ok and text is not None and _json_ok(ctx, field, text)
            values["record" if field.keyword == "json" else field.keyword] = text
        elif field.keyword == "tool_call":
            call = _tool_call(ctx, field)
            ok = ok and call is not None
            tool_calls += [call] if call else []
        else:
            ok = _metadata(ctx, field, metadata) and ok
    if not ok:
        return None
    return ir.InlineTrace(tool_calls=tool_calls, metadata=metadata, **values)


def _once(
    ctx: Context, fields: Sequence[ast.TraceField | ast.JudgeField], once: Sequence[str]
) -> bool:
    """Report a field that may appear once but is repeated."""
    seen: dict[str, int] = {}
    ok = True
    for field in fields:
        if field.keyword in once and field.keyword in seen:
            ctx.error(
                codes.DUPLICATE_STATEMENT,
                f"'{field.keyword}' appears more than once",
                field.span,
                hint=f"the first is at line {seen[field.keyword]}",
            )
            ok = False
        seen.setdefault(field.keyword, field.span.line)
    return ok


def _placeholders_ok(ctx: Context, field: ast.JudgeField, values: dict[str, Any]) -> bool:
    """A judge prompt must show the trace: it uses known placeholders, and at least one."""
    text = values["prompt"] if field.keyword == "prompt" else _prompt_file(ctx, values)
    if text is None:
        return True  # the file is missing (reported) or not checked
    names = _PLACEHOLDER.findall(text)
    unknown = [n for n in names if n not in ir.JUDGE_PLACEHOLDERS]
    known = ", ".join("{{" + p + "}}" for p in ir.JUDGE_PLACEHOLDERS)
    if unknown:
        hint = did_you_mean(unknown[0], ir.JUDGE_PLACEHOLDERS) or f"use {known}"
        ctx.error(
            codes.INVALID_PROMPT,
            f"unknown placeholder '{{{{{unknown[0]}}}}}' in the judge prompt",
            field.value.span,
            hint=hint,
        )
        return False
    if not names:
        ctx.error(
            codes.INVALID_PROMPT,
            "the judge prompt uses no placeholder, so the judge never sees the trace",
            field.value.span,
            hint=f"use {known}",
        )
        return False
    return True


def _prompt_file(ctx: Context, values: dict[str, Any]) -> str | None:
    if values["prompt_file"] is None or not ctx.check_files:
        return None
    try:
        path: str = values["prompt_file"]
        return (ctx.resolver.root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _text(ctx: Context, value: ast.Value) -> str | None:
    if isinstance(value, ast.Str):
        return value.value
    ctx.error(codes.INVALID_TRACE_FIELD, "expected a string", value.span)
    return None


def _json_ok(ctx: Context, field: ast.TraceField, text: str) -> bool:
    if field.keyword != "json":
        return True
    try:
        record = json.loads(text)
    except ValueError as exc:
        ctx.error(codes.INVALID_JSON, f"the trace is not valid JSON: {exc}", field.args[0].span)
        return False
    if not isinstance(record, dict):
        ctx.error(codes.INVALID_JSON, "the trace must be a JSON object", field.args[0].span)
        return False
    return True


def _tool_call(ctx: Context, field: ast.TraceField) -> ir.ToolCallSpec | None:
    name = _text(ctx, field.args[0])
    arguments = _text(ctx, field.args[1]) if len(field.args) > 1 else None
    if name is None or (len(field.args) > 1 and arguments is None):
        return None
    if arguments is not None:
        try:
            json.loads(arguments)
        except ValueError as exc:
            ctx.error(
                codes.INVALID_JSON, f"tool arguments are not valid JSON: {exc}", field.args[1].span
            )
            return None
    return ir.ToolCallSpec(name=name, arguments=arguments)


def _metadata(ctx: Context, field: ast.TraceField, metadata: dict[str, ir.Literal]) -> bool:
    key = _text(ctx, field.args[0])
    value = field.args[1]
    if not isinstance(value, (ast.Str, ast.Number, ast.Bool)):
        ctx.error(
            codes.INVALID_TRACE_FIELD,
            "metadata values are strings, numbers or booleans",
            value.span,
        )
        return False
    literal = ExprCompiler(ctx).literal(value)
    if key is None or literal is None:
        return False
    metadata[key] = literal
    return True


def judge_guard(ctx: Context, node: ast.JudgeGuard) -> ir.JudgeGuard | None:
    """Compile ``judge name { ... }``; exactly one prompt, existing files, a split of 100."""
    values: dict[str, Any] = {
        "prompt": None,
        "prompt_file": None,
        "labels": None,
        "split": None,
        "seed": None,
        "model": None,
    }
    ok = _once(ctx, node.fields, ("labels", "model"))
    for field in node.fields:
        ok = _judge_field(ctx, field, values) and ok
    prompts = [f for f in node.fields if f.keyword in ("prompt", "prompt_file")]
    if len(prompts) == 1 and not _placeholders_ok(ctx, prompts[0], values):
        ok = False
    if not prompts:
        ctx.error(
            codes.MISSING_SETTING,
            f"judge '{node.name.value}' has no prompt",
            node.name.span,
            hint='add  prompt file "judges/name.md"  or  prompt """..."""',
        )
        ok = False
    if len(prompts) > 1:
        ctx.error(
            codes.DUPLICATE_STATEMENT,
            "a judge has one prompt: inline or from a file",
            node.name.span,
        )
        ok = False
    if not ok:
        return None
    return ir.JudgeGuard(
        id=f"judge-{node.name.value}", name=node.name.value, span=node.span, **values
    )


def _judge_field(ctx: Context, field: ast.JudgeField, values: dict[str, Any]) -> bool:
    if field.keyword == "prompt_file":
        values["prompt_file"] = ctx.file_ref(field.value, must_exist=True)
        return values["prompt_file"] is not None
    if field.keyword == "prompt":
        values["prompt"] = _text(ctx, field.value)
        return values["prompt"] is not None
    if field.keyword == "model":
        if isinstance(field.value, ast.Str):
            values["model"] = ir.StrValue(value=field.value.value)
            return True
        ctx.error(codes.WRONG_TYPE, "expected the model name as a string", field.value.span)
        return False
    values["labels"] = ctx.file_ref(field.value, must_exist=True)
    values["seed"] = ctx.count(field.seed) if field.seed else None
    return _split(ctx, field, values) and values["labels"] is not None


def _split(ctx: Context, field: ast.JudgeField, values: dict[str, Any]) -> bool:
    if field.split is None:
        return True
    train, dev, test = (int(n.text) for n in field.split)
    if train + dev + test != 100 or min(train, dev, test) < 0:
        first, last = field.split[0].span, field.split[-1].span
        span = Span(first.line, first.column, last.end_line, last.end_column)
        ctx.error(
            codes.SPLIT_SUM,
            f"the split {train}/{dev}/{test} adds up to {train + dev + test}, not 100",
            span,
        )
        return False
    values["split"] = ir.Split(train=train, dev=dev, test=test)
    return True
