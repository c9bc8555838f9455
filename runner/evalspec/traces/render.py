"""A whole trace as readable terminal text (``evalspec traces show``)."""

from __future__ import annotations

import textwrap
from typing import Any

from evalspec.traces.record import Message, Part, Span, ToolCall, Trace
from evalspec.traces.values import json_text

_RULE = "─"


def render_trace(trace: Trace, *, width: int = 100) -> str:
    """Render ``trace``: header, metadata, the transcript with tool calls, spans, annotations."""
    out = [f"trace {trace.id}"]
    out.extend(_facts(trace))
    if trace.metadata:
        out.append("metadata:")
        out.extend(
            f"  {key}: {_short(value, width - 4 - len(key))}"
            for key, value in trace.metadata.items()
        )
    out.append("")
    if trace.messages:
        for index, message in enumerate(trace.messages):
            out.extend(_message(index, message, width))
    else:
        out.extend(_section("input", trace.input, width))
        out.extend(_section("output", trace.output, width))
    orphans = [call for call in trace.tool_calls if call.message_index is None]
    if orphans:
        out.append("tool calls outside the messages:")
        out.extend(line for call in orphans for line in _call(call, width))
    if trace.spans:
        out.append("")
        out.append(f"spans ({len(trace.spans)}):")
        out.extend(_spans(trace.spans))
    if trace.annotations:
        out.append("")
        out.append("annotations:")
        out.extend(_annotation(a) for a in trace.annotations)
    return "\n".join(out).rstrip() + "\n"


def _facts(trace: Trace) -> list[str]:
    facts = []
    if trace.source is not None:
        where = trace.source.file or "?"
        where += f":{trace.source.line}" if trace.source.line else ""
        facts.append(f"source: {trace.source.format} {where}")
        if trace.source.url:
            facts.append(f"url: {trace.source.url}")
    when = " → ".join(t for t in (trace.start_time, trace.end_time) if t)
    parts = [
        f"session {trace.session_id}" if trace.session_id else "",
        f"user {trace.user_id}" if trace.user_id else "",
        when,
        f"{trace.latency_ms:,} ms" if trace.latency_ms is not None else "",
        _usage(trace),
        f"cost {trace.cost}" if trace.cost else "",
    ]
    line = " · ".join(p for p in parts if p)
    return facts + ([line] if line else [])


def _usage(trace: Trace) -> str:
    usage = trace.usage
    if usage is None:
        return ""
    return f"tokens {usage.input_tokens or 0:,} in / {usage.output_tokens or 0:,} out"


def _message(index: int, message: Message, width: int) -> list[str]:
    title = f"[{index}] {message.role}"
    if message.name:
        title += f" ({message.name})"
    if message.tool_call_id:
        title += f" → answers {message.tool_call_id}"
    lines = [_rule(title, width)]
    lines.extend(_content(message.content, width))
    for call in message.tool_calls:
        lines.extend(_call(call, width))
    lines.append("")
    return lines


def _content(content: str | list[Part] | None, width: int) -> list[str]:
    if content is None:
        return []
    if isinstance(content, str):
        return _wrap(content, width)
    lines = []
    for part in content:
        if part.type == "text" and part.text is not None:
            lines.extend(_wrap(part.text, width))
        else:
            detail = part.text or part.url or (json_text(part.data) if part.data else "")
            lines.append(f"<{part.type}> {_short(detail, width - len(part.type) - 3)}")
    return lines


def _call(call: ToolCall, width: int) -> list[str]:
    arguments = call.arguments_raw if call.arguments is None else json_text(call.arguments)
    label = f"  ⚙ {call.name}({_short(arguments or '', width - len(call.name) - 8)})"
    lines = [label + (f"  [{call.id}]" if call.id else "")]
    if call.arguments_raw is not None:
        lines.append("    ! arguments are not valid JSON")
    if call.result is not None:
        lines.append(f"    = {_short(call.result, width - 6)}")
    if call.error is not None:
        lines.append(f"    ✗ {_short(call.error, width - 6)}")
    return lines


def _spans(spans: list[Span]) -> list[str]:
    children: dict[str | None, list[Span]] = {}
    ids = {span.id for span in spans}
    for span in spans:
        parent = span.parent_id if span.parent_id in ids else None
        children.setdefault(parent, []).append(span)
    lines: list[str] = []
    stack = [(span, 0) for span in reversed(children.get(None, []))]
    while stack:
        span, depth = stack.pop()
        status = " ✗" if span.status == "error" else ""
        lines.append(f"  {'  ' * depth}{span.kind:<9} {span.name}{status}")
        stack.extend((child, depth + 1) for child in reversed(children.get(span.id, [])))
    return lines


def _annotation(annotation: Any) -> str:
    parts = [f"  {annotation.kind:<5} {annotation.name}"]
    for value in (annotation.verdict, annotation.label, annotation.score):
        if value is not None:
            parts.append(str(value))
    text = " ".join(parts)
    for note in (annotation.critique, annotation.note):
        if note:
            text += f" — {_short(note, 80)}"
    if annotation.annotator:
        text += f" ({annotation.annotator})"
    return text


def _section(title: str, text: str | None, width: int) -> list[str]:
    return [_rule(title, width), *(_wrap(text, width) if text is not None else ["(none)"]), ""]


def _rule(title: str, width: int) -> str:
    head = f"{_RULE * 2} {title} "
    return head + _RULE * max(width - len(head), 2)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(raw, width, replace_whitespace=False) or [""])
    return lines


def _short(text: Any, limit: int) -> str:
    value = json_text(text).replace("\n", " ")
    limit = max(limit, 10)
    return value if len(value) <= limit else value[: limit - 1] + "…"
