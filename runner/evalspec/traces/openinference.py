"""OpenInference (Arize Phoenix) spans: OTLP/JSON, or Phoenix span JSON (JSONL or an array).

Spans are grouped by trace id over the whole file (one file's spans are held in memory).
Per trace, following the OpenInference semantic conventions:

- ``input``/``output``: the root span's ``input.value``/``output.value`` when they are text,
  else the first user / last assistant message;
- ``messages``: the LLM span with the longest ``llm.input_messages`` (flattened attributes
  are rebuilt) plus its ``llm.output_messages``;
- ``tool_calls``: the output messages' ``tool_calls``, joined with TOOL spans (by
  ``tool_call.id``, else in order by name), whose ``input.value`` and ``output.value`` are the
  arguments and the result;
- ``usage``/``cost``: ``llm.token_count.*`` and ``llm.cost.total`` summed over LLM spans;
  ``session.id``, ``user.id``, ``metadata`` and ``tag.tags``; annotations from
  ``annotations.<i>.annotation.*`` (``annotator_kind`` HUMAN, LLM or CODE).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from evalspec.traces.base import Importer, Item, add_usage, from_messages, source, verdict_of
from evalspec.traces.codes import INVALID_RECORD
from evalspec.traces.messages import messages
from evalspec.traces.otel import CONTENT_PREFIXES, guarded
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, json_records
from evalspec.traces.record import Annotation, AnnotationKind, SpanKind, Trace, Usage
from evalspec.traces.spans import (
    RawSpan,
    ToolAttributes,
    group_by_trace,
    join_tool_spans,
    order_and_root,
    otlp_spans,
    phoenix_span,
    record_span,
    unflatten,
)
from evalspec.traces.values import decimal_text, parse_json, text_of

_KINDS: dict[str, SpanKind] = {
    "LLM": "llm",
    "CHAIN": "chain",
    "TOOL": "tool",
    "RETRIEVER": "retriever",
    "RERANKER": "reranker",
    "EMBEDDING": "embedding",
    "AGENT": "agent",
    "GUARDRAIL": "guardrail",
    "EVALUATOR": "evaluator",
    "PROMPT": "prompt",
}
#: Literal values, so that encoding sees the default "HUMAN" and leaves it out.
_ANNOTATORS: dict[str, AnnotationKind] = {"HUMAN": "HUMAN", "LLM": "LLM", "CODE": "CODE"}


class OpenInferenceImporter(Importer):
    """OpenInference spans (Arize Phoenix)."""

    name = "openinference"
    title = "OpenInference (Phoenix) spans"
    streams = False

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per trace id, in the order traces first appear."""
        for spans in group_by_trace(_spans(file, log)).values():
            line = spans[0].line
            trace = guarded(build_trace, spans, file, RecordContext(log, file.display, line))
            if trace is not None:
                yield line, trace


def _spans(file: TraceFile, log: ProblemLog) -> Iterator[RawSpan]:
    for line, record in json_records(file, log):
        if not isinstance(record, dict):
            RecordContext(log, file.display, line).report(
                INVALID_RECORD, "not a span object; skipped"
            )
        elif "resourceSpans" in record or "resource_spans" in record:
            yield from otlp_spans(record, line)
        else:
            items = record["data"] if isinstance(record.get("data"), list) else [record]
            for item in items:
                span = phoenix_span(item, line) if isinstance(item, dict) else None
                if span is None:
                    RecordContext(log, file.display, line).report(
                        INVALID_RECORD, "not an OpenInference span (no trace and span id); skipped"
                    )
                else:
                    yield span


def span_kind(span: RawSpan) -> SpanKind:
    """Return the record kind of a span from ``openinference.span.kind``."""
    return _KINDS.get(str(span.attributes.get("openinference.span.kind", "")).upper(), "other")


def build_trace(spans: list[RawSpan], file: TraceFile, ctx: RecordContext) -> Trace:
    """Turn one trace's spans into a :class:`Trace`."""
    ordered, root = order_and_root(spans, ctx)
    llm = [s for s in ordered if span_kind(s) == "llm"]
    main = max(
        reversed(llm), key=lambda s: len(_messages_at(s, "llm.input_messages")), default=None
    )
    msgs = []
    if main is not None:
        msgs = messages(_messages_at(main, "llm.input_messages"), ctx)
        msgs += messages(_messages_at(main, "llm.output_messages"), ctx)
    trace = from_messages(
        root.trace_id,
        msgs,
        input=_root_text(root, "input"),
        output=_root_text(root, "output"),
        source=source("openinference", file, spans[0].line, trace_id=root.trace_id),
    )
    tools = [s for s in ordered if span_kind(s) == "tool"]
    join_tool_spans(trace.tool_calls, tools, _TOOL_KEYS)
    _fill_common(trace, ordered, root, llm, main)
    return trace


def _fill_common(
    trace: Trace, ordered: list[RawSpan], root: RawSpan, llm: list[RawSpan], main: RawSpan | None
) -> None:
    trace.start_time, trace.end_time = root.iso_start(), root.iso_end()
    if root.start is not None and root.end is not None:
        trace.latency_ms = (root.end - root.start) // 1_000_000
    trace.session_id = _find(ordered, "session.id")
    trace.user_id = _find(ordered, "user.id")
    trace.usage = _usage(llm)
    trace.cost = _cost(llm)
    trace.annotations = [a for s in ordered for a in _annotations(s, root)]
    trace.metadata = _metadata(root, main, llm)
    trace.spans = [record_span(s, span_kind(s), _plain(s)) for s in ordered]


def _messages_at(span: RawSpan, prefix: str) -> list[Any]:
    found = unflatten(span.attributes, prefix)
    if not found and isinstance(span.attributes.get(prefix), list):
        found = span.attributes[prefix]  # nested attributes kept as a list
    return found if isinstance(found, list) else []


def _root_text(root: RawSpan, which: str) -> str | None:
    """The root's ``input.value``/``output.value`` as text, or the telling field of its JSON.

    JSON with no telling field (``question``, ``answer``, ...) gives ``None``, so the
    messages decide instead.
    """
    value = root.attributes.get(f"{which}.value")
    if not isinstance(value, str):
        return None
    is_json = root.attributes.get(f"{which}.mime_type") == "application/json"
    if not is_json and value[:1] not in ("{", "["):
        return value
    decoded = _json_or_none(value)
    if decoded is None:
        return None if is_json else value
    found = text_of(decoded, want=which)
    return None if found is None or found[:1] in ("{", "[") else found


def _json_or_none(value: str) -> Any:
    try:
        return parse_json(value)
    except ValueError:
        return None


_TOOL_KEYS = ToolAttributes(
    ids=("tool_call.id", "tool.id"),
    name="tool.name",
    arguments="input.value",
    result="output.value",
    errors=("exception.message",),
    match_by_name=True,
)


def _usage(llm: list[RawSpan]) -> Usage | None:
    total: Usage | None = None
    for span in llm:
        attrs = span.attributes
        found = Usage(
            input_tokens=_int(attrs.get("llm.token_count.prompt")),
            output_tokens=_int(attrs.get("llm.token_count.completion")),
            total_tokens=_int(attrs.get("llm.token_count.total")),
        )
        if found.total_tokens is None and found.input_tokens is not None:
            found.total_tokens = found.input_tokens + (found.output_tokens or 0)
        if found.total_tokens is not None:
            total = add_usage(total, found)
    return total


def _cost(llm: list[RawSpan]) -> str | None:
    costs = [span.attributes.get("llm.cost.total") for span in llm]
    numbers = [
        Decimal(decimal_text(c)) for c in costs if isinstance(c, (int, float, str)) and c != ""
    ]
    return format(sum(numbers, Decimal(0)), "f") if numbers else None


def _annotations(span: RawSpan, root: RawSpan) -> list[Annotation]:
    out: list[Annotation] = []
    for item in _as_list(unflatten(span.attributes, "annotations")):
        data = item.get("annotation", item) if isinstance(item, dict) else None
        if not isinstance(data, dict) or not data.get("name"):
            continue
        kind = _ANNOTATORS.get(str(data.get("annotator_kind") or "").upper(), "LLM")
        label, score = data.get("label"), data.get("score")
        out.append(
            Annotation(
                name=str(data["name"]),
                kind=kind,
                verdict=verdict_of(label),
                label=None if label is None else str(label),
                score=None if score is None else decimal_text(score),
                critique=data.get("explanation"),
                annotator=data.get("identifier") or None,
                target=None if span is root else f"span:{span.span_id}",
            )
        )
    return out


def _metadata(root: RawSpan, main: RawSpan | None, llm: list[RawSpan]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    raw = root.attributes.get("metadata")
    found = _json_or_none(raw) if isinstance(raw, str) else raw
    if isinstance(found, dict):
        meta.update(found)
    candidates = [main, *llm] if main is not None else [root]
    for key, name in (("llm.model_name", "model"), ("llm.provider", "provider")):
        value = next((s.attributes[key] for s in candidates if s and s.attributes.get(key)), None)
        if value:
            meta[name] = value
    if root.attributes.get("tag.tags"):
        meta["tags"] = root.attributes["tag.tags"]
    meta["root_span"] = root.name
    return meta


def _plain(span: RawSpan) -> dict[str, Any]:
    skip = (*CONTENT_PREFIXES, "annotations.")
    return {k: v for k, v in span.attributes.items() if not k.startswith(skip)}


def _find(spans: list[RawSpan], key: str) -> str | None:
    for span in spans:
        value = span.attributes.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
