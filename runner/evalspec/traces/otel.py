"""OpenTelemetry GenAI semantic conventions in OTLP/JSON (a document, or JSON Lines of them).

Spans are grouped by ``traceId`` over the whole file (so one file's spans are held in
memory). Per trace:

- ``messages``: the model-call span (``chat``, ``text_completion``, ``generate_content``)
  with the longest input history gives ``gen_ai.system_instructions`` +
  ``gen_ai.input.messages`` + ``gen_ai.output.messages``; older instrumentations are read
  from per-message span events (``gen_ai.user.message``, ``gen_ai.choice``, ...),
  ``gen_ai.content.prompt``/``completion`` events or flattened ``gen_ai.prompt.<i>.*``;
- ``tool_calls``: tool-call parts, joined by ``gen_ai.tool.call.id`` with ``execute_tool``
  spans (their arguments, result, error and span id);
- ``usage``: token counts summed over model-call spans; ``session_id`` from
  ``gen_ai.conversation.id``; annotations from ``gen_ai.evaluation.result`` events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evalspec.traces.base import Importer, Item, add_usage, from_messages, source, verdict_of
from evalspec.traces.codes import INVALID_RECORD
from evalspec.traces.messages import messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, json_records
from evalspec.traces.record import Annotation, Message, SpanKind, Trace, Usage
from evalspec.traces.spans import (
    RawSpan,
    ToolAttributes,
    group_by_trace,
    join_tool_spans,
    order_and_root,
    otlp_spans,
    record_span,
    unflatten,
)
from evalspec.traces.values import decimal_text, json_text, parse_json

_LLM_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "completion"})
_KINDS: dict[str, SpanKind] = {
    "chat": "llm",
    "text_completion": "llm",
    "generate_content": "llm",
    "completion": "llm",
    "embeddings": "embedding",
    "retrieval": "retriever",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "create_agent": "agent",
    "invoke_workflow": "chain",
}
#: Content attributes moved into ``messages`` and dropped from span attributes.
CONTENT_PREFIXES = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.prompt",
    "gen_ai.completion",
    "llm.input_messages",
    "llm.output_messages",
)
_LEGACY_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}


class OTelImporter(Importer):
    """OpenTelemetry GenAI spans in OTLP/JSON."""

    name = "otel"
    title = "OpenTelemetry GenAI (OTLP JSON)"
    streams = False

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per trace id, in the order traces first appear in the file."""
        for spans in group_by_trace(read_otlp(file, log)).values():
            line = spans[0].line
            ctx = RecordContext(log, file.display, line)
            trace = guarded(build_trace, spans, file, ctx)
            if trace is not None:
                yield line, trace


def read_otlp(file: TraceFile, log: ProblemLog) -> Iterator[RawSpan]:
    """Yield every span of an OTLP/JSON file (one document, or one request per line)."""
    for line, record in json_records(file, log):
        if isinstance(record, dict) and ("resourceSpans" in record or "resource_spans" in record):
            yield from otlp_spans(record, line)
        else:
            where = RecordContext(log, file.display, line)
            where.report(
                INVALID_RECORD, "not an OTLP/JSON trace export (no resourceSpans); skipped"
            )


def guarded(build: Any, spans: list[RawSpan], file: TraceFile, ctx: RecordContext) -> Trace | None:
    """Build a trace; a span group too malformed to read is reported (ES708), not raised."""
    try:
        trace: Trace = build(spans, file, ctx)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        ctx.report(INVALID_RECORD, f"cannot read trace {spans[0].trace_id!r}: {exc!r}; skipped")
        return None
    return trace


def span_kind(span: RawSpan) -> SpanKind:
    """Return the record kind of an OTel GenAI span from ``gen_ai.operation.name``."""
    return _KINDS.get(str(span.attributes.get("gen_ai.operation.name", "")), "other")


def build_trace(spans: list[RawSpan], file: TraceFile, ctx: RecordContext) -> Trace:
    """Turn one trace's spans into a :class:`Trace`."""
    ordered, root = order_and_root(spans, ctx)
    model_calls = [s for s in ordered if span_kind(s) == "llm"]
    main = _main_call(model_calls, ctx)
    msgs = conversation(main, ctx) if main is not None else []
    trace = from_messages(
        root.trace_id, msgs, source=source("otel", file, spans[0].line, trace_id=root.trace_id)
    )
    tools = [s for s in ordered if span_kind(s) == "tool"]
    join_tool_spans(trace.tool_calls, tools, _TOOL_KEYS)
    _fill_common(trace, ordered, root, model_calls, main)
    trace.spans = [record_span(s, span_kind(s), _plain_attributes(s)) for s in ordered]
    return trace


def _fill_common(
    trace: Trace,
    ordered: list[RawSpan],
    root: RawSpan,
    model_calls: list[RawSpan],
    main: RawSpan | None,
) -> None:
    attrs = main.attributes if main is not None else root.attributes
    trace.start_time, trace.end_time = root.iso_start(), root.iso_end()
    if root.start is not None and root.end is not None:
        trace.latency_ms = (root.end - root.start) // 1_000_000
    trace.session_id = _find(ordered, "gen_ai.conversation.id", "session.id")
    trace.user_id = _find(ordered, "user.id", "enduser.id")
    trace.usage = _usage(model_calls or [root])
    trace.annotations = evaluation_results(ordered, root)
    meta = {
        "model": attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model"),
        "provider": attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system"),
        "agent": _find(ordered, "gen_ai.agent.name"),
        "service": root.resource.get("service.name"),
        "root_span": root.name,
    }
    trace.metadata = {key: value for key, value in meta.items() if value}


def _main_call(model_calls: list[RawSpan], ctx: RecordContext) -> RawSpan | None:
    """The model call with the longest input history (the latest one on a tie)."""
    best, best_size = None, -1
    for span in model_calls:
        size = len(_input_messages(span, ctx))
        if size >= best_size:
            best, best_size = span, size
    return best


def conversation(span: RawSpan, ctx: RecordContext) -> list[Message]:
    """The transcript one model-call span carries: instructions, input and output messages."""
    out: list[Message] = []
    instructions = _structured(span.attributes.get("gen_ai.system_instructions"))
    if instructions:
        out.extend(messages([{"role": "system", "parts": instructions}], ctx))
    out.extend(messages(_input_messages(span, ctx), ctx))
    out.extend(messages(_output_messages(span), ctx))
    return out


def _input_messages(span: RawSpan, ctx: RecordContext) -> list[Any]:
    attrs = span.attributes
    found = _structured(attrs.get("gen_ai.input.messages"))
    if found:
        return found if isinstance(found, list) else [found]
    legacy = [_event_message(e) for e in span.events if e["name"] in _LEGACY_EVENTS]
    if legacy:
        return legacy
    for event in span.events:
        if event["name"] == "gen_ai.content.prompt":
            return _as_list(_structured(event["attributes"].get("gen_ai.prompt")))
    flat = unflatten(attrs, "gen_ai.prompt")
    return flat if isinstance(flat, list) else []


def _output_messages(span: RawSpan) -> list[Any]:
    attrs = span.attributes
    found = _structured(attrs.get("gen_ai.output.messages"))
    if found:
        return found if isinstance(found, list) else [found]
    choices = [e for e in span.events if e["name"] == "gen_ai.choice"]
    if choices:
        return [_choice_message(e) for e in choices[:1]]
    for event in span.events:
        if event["name"] == "gen_ai.content.completion":
            return _as_list(_structured(event["attributes"].get("gen_ai.completion")))
    flat = unflatten(attrs, "gen_ai.completion")
    return flat[:1] if isinstance(flat, list) else []


def _event_message(event: dict[str, Any]) -> dict[str, Any]:
    """A per-message event: its body fields sit in the attributes (or a JSON ``body``)."""
    attrs = dict(event["attributes"])
    body = _structured(attrs.pop("body", attrs.pop("event.body", None)))
    if isinstance(body, dict):
        attrs.update(body)
    attrs["role"] = attrs.get("role") or _LEGACY_EVENTS[event["name"]]
    attrs["tool_calls"] = _structured(attrs.get("tool_calls"))
    attrs["content"] = _structured_content(attrs.get("content"))
    return {k: v for k, v in attrs.items() if v is not None and not k.startswith("gen_ai.")}


def _choice_message(event: dict[str, Any]) -> dict[str, Any]:
    attrs = event["attributes"]
    message = _structured(attrs.get("message")) or {}
    if not isinstance(message, dict):
        message = {"content": message}
    message.setdefault("role", "assistant")
    if isinstance(message.get("tool_calls"), str):
        message["tool_calls"] = _structured(message["tool_calls"])
    return message


def _structured(value: Any) -> Any:
    """Content attributes are JSON strings where the SDK lacks complex attributes."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return parse_json(value)
        except ValueError:
            return value
    return value


def _structured_content(value: Any) -> Any:
    found = _structured(value)
    return found if isinstance(found, (list, str)) or found is None else json_text(found)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


_TOOL_KEYS = ToolAttributes(
    ids=("gen_ai.tool.call.id",),
    name="gen_ai.tool.name",
    arguments="gen_ai.tool.call.arguments",
    result="gen_ai.tool.call.result",
    errors=("error.type", "exception.message"),
    name_prefix="execute_tool ",
)


def _usage(spans: list[RawSpan]) -> Usage | None:
    total: Usage | None = None
    for span in spans:
        attrs = span.attributes
        found = Usage(
            input_tokens=_int(
                attrs.get("gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens"))
            ),
            output_tokens=_int(
                attrs.get("gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens"))
            ),
        )
        if found.input_tokens is not None or found.output_tokens is not None:
            found.total_tokens = (found.input_tokens or 0) + (found.output_tokens or 0)
            total = add_usage(total, found)
    return total


def evaluation_results(spans: list[RawSpan], root: RawSpan) -> list[Annotation]:
    """Read ``gen_ai.evaluation.result`` events as annotations (kind LLM)."""
    out: list[Annotation] = []
    for span in spans:
        for event in span.events:
            if event["name"] != "gen_ai.evaluation.result":
                continue
            attrs = event["attributes"]
            label, score = (
                attrs.get("gen_ai.evaluation.score.label"),
                attrs.get("gen_ai.evaluation.score.value"),
            )
            out.append(
                Annotation(
                    name=str(attrs.get("gen_ai.evaluation.name") or "overall"),
                    kind="LLM",
                    verdict=verdict_of(label),
                    label=None if label is None else str(label),
                    score=_decimal(score),
                    critique=attrs.get("gen_ai.evaluation.explanation"),
                    target=None if span is root else f"span:{span.span_id}",
                )
            )
    return out


def _plain_attributes(span: RawSpan) -> dict[str, Any]:
    return {k: v for k, v in span.attributes.items() if not k.startswith(CONTENT_PREFIXES)}


def _find(spans: list[RawSpan], *keys: str) -> str | None:
    for span in spans:
        for key in keys:
            value = span.attributes.get(key)
            if value not in (None, ""):
                return str(value)
    return None


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> str | None:
    try:
        return None if value is None else decimal_text(value)
    except ValueError:
        return None
