"""Langfuse trace export: trace objects with ``observations`` and ``scores`` (API or UI export).

Accepted: one trace object per JSON line, a JSON array of them, an API page
(``{"data": [...], "meta": ...}``), or bare observations (``traceId``, ``type``,
``startTime``), which are grouped by ``traceId`` (held in memory until the file ends).

- ``input``/``output``: the trace's own ``input``/``output`` (text, or the telling field of
  a JSON value), else the root observation's, else the messages';
- ``messages``: the last GENERATION's ``input`` (an OpenAI message list) and ``output``;
- ``tool_calls``: from those messages, joined with TOOL observations (arguments = input,
  result = output, error = ``statusMessage`` at level ERROR);
- scores become annotations: source ANNOTATION -> HUMAN, EVAL -> LLM, API -> CODE.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from evalspec.traces.base import (
    Fields,
    Importer,
    Item,
    add_usage,
    from_messages,
    source,
    verdict_of,
)
from evalspec.traces.codes import INVALID_RECORD
from evalspec.traces.messages import messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, json_records
from evalspec.traces.record import Annotation, Message, Span, SpanKind, ToolCall, Trace, Usage
from evalspec.traces.values import decimal_text, json_text, text_of

_KINDS: dict[str, SpanKind] = {
    "GENERATION": "llm",
    "SPAN": "chain",
    "EVENT": "event",
    "AGENT": "agent",
    "TOOL": "tool",
    "CHAIN": "chain",
    "RETRIEVER": "retriever",
    "EVALUATOR": "evaluator",
    "EMBEDDING": "embedding",
    "GUARDRAIL": "guardrail",
}
_SOURCES = {"ANNOTATION": "HUMAN", "EVAL": "LLM", "API": "CODE"}


class LangfuseImporter(Importer):
    """Langfuse traces with observations and scores."""

    name = "langfuse"
    title = "Langfuse trace export"
    streams = False

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield trace objects as they come; bare observations are grouped at the end."""
        loose: dict[str, tuple[int | None, list[dict[str, Any]]]] = {}
        for line, record in json_records(file, log):
            for item in _unwrap(record):
                ctx = RecordContext(log, file.display, line)
                if isinstance(item, dict) and "observations" not in item and "traceId" in item:
                    loose.setdefault(str(item["traceId"]), (line, []))[1].append(item)
                elif isinstance(item, dict) and item.get("id"):
                    trace = _guarded(item, file, ctx)
                    if trace is not None:
                        yield line, trace
                else:
                    ctx.report(INVALID_RECORD, "not a Langfuse trace or observation; skipped")
        for trace_id, (line, observations) in loose.items():
            item = {"id": trace_id, "observations": observations}
            trace = _guarded(item, file, RecordContext(log, file.display, line))
            if trace is not None:
                yield line, trace


def _unwrap(record: Any) -> list[Any]:
    if isinstance(record, dict) and isinstance(record.get("data"), list):
        return list(record["data"])
    return [record]


def _guarded(item: dict[str, Any], file: TraceFile, ctx: RecordContext) -> Trace | None:
    try:
        return build_trace(item, file, ctx)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        ctx.report(
            INVALID_RECORD, f"cannot read Langfuse trace {item.get('id')!r}: {exc!r}; skipped"
        )
        return None


def build_trace(item: dict[str, Any], file: TraceFile, ctx: RecordContext) -> Trace:
    """Turn one Langfuse trace object into a :class:`Trace`."""
    fields = Fields(ctx)
    observations = sorted(
        (o for o in item.get("observations") or [] if isinstance(o, dict)),
        key=lambda o: str(o.get("startTime") or ""),
    )
    root = next((o for o in observations if not o.get("parentObservationId")), {})
    generations = [o for o in observations if o.get("type") == "GENERATION"]
    msgs = _generation_messages(generations[-1], ctx) if generations else []
    trace_source = source("langfuse", file, ctx.line, trace_id=item["id"])
    trace_source.url = item.get("htmlPath") or None
    trace = from_messages(
        str(item["id"]),
        msgs,
        input=text_of(_first(item.get("input"), root.get("input")), want="input"),
        output=text_of(_first(item.get("output"), root.get("output")), want="output"),
        source=trace_source,
    )
    _join_tools(trace.tool_calls, [o for o in observations if o.get("type") == "TOOL"])
    trace.session_id = _opt(item.get("sessionId"))
    trace.user_id = _opt(item.get("userId"))
    trace.start_time = fields.time(item.get("timestamp") or root.get("startTime"), "timestamp")
    trace.end_time = fields.time(
        max((str(o.get("endTime") or "") for o in observations), default=None), "end"
    )
    trace.latency_ms = _latency(item, fields, trace)
    trace.usage = _usage(generations, fields)
    trace.cost = _cost(item, observations, fields)
    trace.metadata = _metadata(item)
    trace.spans = [_span(o, fields) for o in observations if o.get("id")]
    trace.annotations = [a for a in map(_score, item.get("scores") or []) if a is not None]
    return trace


def _generation_messages(generation: dict[str, Any], ctx: RecordContext) -> list[Message]:
    given = generation.get("input")
    if isinstance(given, dict) and "messages" in given:
        given = given["messages"]
    if isinstance(given, str):
        given = [{"role": "user", "content": given}]
    out = messages(given if isinstance(given, list) else None, ctx)
    reply = generation.get("output")
    if isinstance(reply, dict) and isinstance(reply.get("choices"), list) and reply["choices"]:
        reply = reply["choices"][0].get("message", reply["choices"][0])
    if isinstance(reply, str):
        reply = {"role": "assistant", "content": reply}
    if isinstance(reply, dict):
        reply = {"role": "assistant", **reply}
        out.extend(messages([reply], ctx))
    return out


def _join_tools(calls: list[ToolCall], tools: list[dict[str, Any]]) -> None:
    for obs in tools:
        name = str(obs.get("name") or "")
        call = next((c for c in calls if c.span_id is None and c.name == name), None)
        if call is None:
            raw = obs.get("input")
            call = ToolCall(
                name=name,
                arguments=raw if not isinstance(raw, str) else None,
                arguments_raw=raw if isinstance(raw, str) else None,
            )
            calls.append(call)
        call.span_id = str(obs.get("id") or "") or None
        if call.result is None and obs.get("output") is not None:
            call.result = json_text(obs["output"])
        if obs.get("level") == "ERROR":
            call.error = str(obs.get("statusMessage") or "error")


def _span(obs: dict[str, Any], fields: Fields) -> Span:
    attrs = {
        k: obs[k]
        for k in (
            "model",
            "level",
            "statusMessage",
            "modelParameters",
            "metadata",
            "promptName",
            "promptVersion",
        )
        if obs.get(k)
    }
    return Span(
        id=str(obs["id"]),
        parent_id=_opt(obs.get("parentObservationId")),
        kind=_KINDS.get(str(obs.get("type")), "other"),
        name=str(obs.get("name") or ""),
        start_time=fields.time(obs.get("startTime"), "startTime"),
        end_time=fields.time(obs.get("endTime"), "endTime"),
        status="error" if obs.get("level") == "ERROR" else None,
        attributes=attrs,
    )


def _score(raw: Any) -> Annotation | None:
    if not isinstance(raw, dict) or not raw.get("name"):
        return None
    value = raw.get("value")
    label = raw.get("stringValue") or (value if isinstance(value, str) else None)
    numeric = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    binary = raw.get("dataType") == "BOOLEAN"
    return Annotation(
        name=str(raw["name"]),
        kind=_SOURCES.get(str(raw.get("source")), "HUMAN"),  # type: ignore[arg-type]
        verdict=verdict_of(label if label is not None else (value if binary else None)),
        label=None if label is None else str(label),
        score=None if numeric is None else decimal_text(numeric),
        critique=raw.get("comment") or None,
        annotator=raw.get("authorUserId") or None,
        created_at=raw.get("timestamp") or None,
        target=f"span:{raw['observationId']}" if raw.get("observationId") else None,
    )


def _latency(item: dict[str, Any], fields: Fields, trace: Trace) -> int | None:
    if item.get("latency") is not None:
        seconds = fields.decimal(item["latency"], "latency")
        return None if seconds is None else int(Decimal(seconds) * 1000)
    return fields.latency(trace.start_time, trace.end_time)


def _usage(generations: list[dict[str, Any]], fields: Fields) -> Usage | None:
    total: Usage | None = None
    for obs in generations:
        total = add_usage(total, fields.usage(obs.get("usageDetails") or obs.get("usage")))
    return total


def _cost(item: dict[str, Any], observations: list[dict[str, Any]], fields: Fields) -> str | None:
    if item.get("totalCost") is not None:
        return fields.decimal(item["totalCost"], "totalCost")
    costs = [
        o.get("calculatedTotalCost") or (o.get("costDetails") or {}).get("total")
        for o in observations
    ]
    numbers = [Decimal(c) for c in (fields.decimal(c, "cost") for c in costs if c) if c]
    return format(sum(numbers, Decimal(0)), "f") if numbers else None


def _metadata(item: dict[str, Any]) -> dict[str, Any]:
    meta = dict(item["metadata"]) if isinstance(item.get("metadata"), dict) else {}
    for key in ("name", "tags", "release", "version", "environment"):
        if item.get(key):
            meta[key] = item[key]
    return meta


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
