"""Spans shared by the span-based importers: OTLP JSON decoding, attribute unflattening, trees.

An OTLP/JSON export (``{"resourceSpans": [{"resource", "scopeSpans": [{"spans": [...]}]}]}``)
is turned into :class:`RawSpan` objects with plain Python attribute values; Phoenix span
JSON (``context.trace_id``, nested or flat ``attributes``) is read into the same shape, so
OTel and OpenInference share the grouping into traces.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from evalspec.traces.codes import BROKEN_TREE
from evalspec.traces.messages import parse_arguments
from evalspec.traces.problems import RecordContext
from evalspec.traces.record import Span, SpanKind, ToolCall
from evalspec.traces.values import as_dict, iso_from_nanos, json_text, to_nanos


class RawSpan:
    """One span before normalisation: ids, times in nanoseconds, flat attributes, events."""

    __slots__ = (
        "attributes",
        "end",
        "events",
        "line",
        "name",
        "parent_id",
        "resource",
        "span_id",
        "start",
        "status",
        "trace_id",
    )

    def __init__(self, trace_id: str, span_id: str, line: int | None) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.line = line
        self.parent_id: str | None = None
        self.name = ""
        self.start: int | None = None
        self.end: int | None = None
        self.attributes: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.status: str | None = None
        self.resource: dict[str, Any] = {}

    def iso_start(self) -> str | None:
        """Return the start time as ISO-8601 UTC."""
        return None if self.start is None else iso_from_nanos(self.start)

    def iso_end(self) -> str | None:
        """Return the end time as ISO-8601 UTC."""
        return None if self.end is None else iso_from_nanos(self.end)


def any_value(value: Any) -> Any:
    """Decode an OTLP ``AnyValue`` (``{"stringValue": ...}``) into a Python value."""
    if not isinstance(value, dict):
        return value
    for key, item in value.items():
        if key in ("stringValue", "string_value", "boolValue", "bool_value", "bytesValue"):
            return item
        if key in ("intValue", "int_value"):
            return int(item)
        if key in ("doubleValue", "double_value"):
            return float(item)
        if key in ("arrayValue", "array_value"):
            return [any_value(v) for v in (item or {}).get("values", [])]
        if key in ("kvlistValue", "kvlist_value"):
            return attributes((item or {}).get("values", []))
    return None


def attributes(items: Any) -> dict[str, Any]:
    """Decode an OTLP attribute list (``[{"key", "value"}]``); a dict passes through."""
    if isinstance(items, dict):
        return items
    out: dict[str, Any] = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item:
            out[str(item["key"])] = any_value(item.get("value"))
    return out


def hex_id(value: Any) -> str:
    """Return a trace or span id as lowercase hex (OTLP/JSON is hex; some exporters base64)."""
    text = str(value or "")
    if len(text) in (12, 24) and not all(c in "0123456789abcdefABCDEF" for c in text):
        try:
            return base64.b64decode(text, validate=True).hex()
        except (binascii.Error, ValueError):
            return text
    return text.lower() if all(c in "0123456789abcdefABCDEF-" for c in text) else text


def otlp_spans(document: Any, line: int | None) -> Iterator[RawSpan]:
    """Yield the spans of one OTLP/JSON ``ExportTraceServiceRequest``."""
    for resource_spans in _list(document.get("resourceSpans", document.get("resource_spans"))):
        resource = attributes((resource_spans.get("resource") or {}).get("attributes"))
        scopes = resource_spans.get("scopeSpans", resource_spans.get("scope_spans"))
        for scope in _list(scopes):
            for raw in _list(scope.get("spans")):
                yield _otlp_span(raw, resource, line)


def _otlp_span(raw: dict[str, Any], resource: dict[str, Any], line: int | None) -> RawSpan:
    span = RawSpan(
        hex_id(_get(raw, "traceId", "trace_id")), hex_id(_get(raw, "spanId", "span_id")), line
    )
    span.parent_id = hex_id(_get(raw, "parentSpanId", "parent_span_id")) or None
    span.name = str(raw.get("name") or "")
    span.start = _nanos(_get(raw, "startTimeUnixNano", "start_time_unix_nano"))
    span.end = _nanos(_get(raw, "endTimeUnixNano", "end_time_unix_nano"))
    span.attributes = attributes(raw.get("attributes"))
    span.events = [_otlp_event(e) for e in _list(raw.get("events"))]
    span.status = _status(raw.get("status"))
    span.resource = resource
    return span


def _otlp_event(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": str(raw.get("name") or ""),
        "time": _nanos(_get(raw, "timeUnixNano", "time_unix_nano")),
        "attributes": attributes(raw.get("attributes")),
    }


def _status(raw: Any) -> str | None:
    code = raw.get("code") if isinstance(raw, dict) else raw
    if code in (2, "2", "STATUS_CODE_ERROR", "ERROR"):
        return "error"
    if code in (1, "1", "STATUS_CODE_OK", "OK"):
        return "ok"
    return None


def phoenix_span(raw: dict[str, Any], line: int | None) -> RawSpan | None:
    """Read a Phoenix span JSON object (``context.trace_id``, ``attributes``), else ``None``."""
    context = as_dict(raw.get("context")) or raw
    trace_id, span_id = context.get("trace_id"), context.get("span_id")
    if not trace_id or not span_id:
        return None
    span = RawSpan(hex_id(trace_id), hex_id(span_id), line)
    span.parent_id = hex_id(raw.get("parent_id")) or None
    span.name = str(raw.get("name") or "")
    span.start = _nanos(raw.get("start_time"))
    span.end = _nanos(raw.get("end_time"))
    span.attributes = flatten(raw.get("attributes") or {})
    if raw.get("span_kind") and "openinference.span.kind" not in span.attributes:
        span.attributes["openinference.span.kind"] = raw["span_kind"]
    span.events = [
        {
            "name": e.get("name", ""),
            "time": _nanos(e.get("timestamp")),
            "attributes": e.get("attributes") or {},
        }
        for e in _list(raw.get("events"))
    ]
    span.status = _status(raw.get("status_code"))
    return span


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested attribute dicts and lists into dotted keys (``llm.input_messages.0...``).

    Values that are lists of plain values (``tag.tags``) stay lists.
    """
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(flatten(item, name + "."))
        elif isinstance(item, list) and any(isinstance(v, (dict, list)) for v in item):
            out.update(flatten(dict(enumerate(item)), name + "."))  # type: ignore[arg-type]
        else:
            out[name] = item
    return out


def unflatten(attrs: dict[str, Any], prefix: str) -> Any:
    """Rebuild the nested value under ``prefix`` from dotted keys; integer parts make lists.

    ``{"llm.input_messages.0.message.role": "user"}`` with prefix ``llm.input_messages``
    gives ``[{"message": {"role": "user"}}]``.
    """
    root: dict[str, Any] = {}
    start = prefix + "."
    for key, value in attrs.items():
        if not key.startswith(start):
            continue
        node = root
        parts = key[len(start) :].split(".")
        for part in parts[:-1]:
            child = node.get(part)
            node = node.setdefault(part, {}) if not isinstance(child, dict) else child
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def group_by_trace(spans: Iterable[RawSpan]) -> dict[str, list[RawSpan]]:
    """Group spans by trace id, keeping the order in which traces first appear."""
    groups: dict[str, list[RawSpan]] = {}
    for span in spans:
        groups.setdefault(span.trace_id, []).append(span)
    return groups


def order_and_root(spans: list[RawSpan], ctx: RecordContext) -> tuple[list[RawSpan], RawSpan]:
    """Sort spans by start time and find the root; report spans whose parent is missing.

    When no span lacks a parent, or several do, the earliest parentless span (else the
    earliest span) is the root and the others hang under it (ES715).
    """
    ordered = sorted(spans, key=lambda s: (s.start is None, s.start or 0))
    ids = {span.span_id for span in ordered}
    orphans = [s for s in ordered if s.parent_id is not None and s.parent_id not in ids]
    roots = [s for s in ordered if s.parent_id is None]
    if orphans:
        ctx.report(
            BROKEN_TREE,
            f"{len(orphans)} span(s) of trace {spans[0].trace_id!r} "
            "name a parent that is not in the file; read as children of the root",
        )
    root = (roots or orphans or ordered)[0]
    for span in (*orphans, *roots[1:]):
        if span is not root:
            span.parent_id = root.span_id
    if root in orphans:
        root.parent_id = None
    return ordered, root


def record_span(span: RawSpan, kind: SpanKind, attributes: dict[str, Any] | None = None) -> Span:
    """Build the record's :class:`Span` for a raw span."""
    return Span(
        id=span.span_id,
        parent_id=span.parent_id,
        kind=kind,
        name=span.name,
        start_time=span.iso_start(),
        end_time=span.iso_end(),
        status=span.status,
        attributes=span.attributes if attributes is None else attributes,
    )


def _nanos(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        return to_nanos(value)
    except (ValueError, OverflowError):
        return None


def _get(raw: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in raw:
            return raw[key]
    return None


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class ToolAttributes(NamedTuple):
    """Where a convention keeps a tool span's call id, name, arguments, result and error."""

    ids: tuple[str, ...]
    name: str
    arguments: str
    result: str
    errors: tuple[str, ...]
    match_by_name: bool = False  # join a span without id to an unjoined call of the same name
    name_prefix: str = ""  # stripped from the span name when the name attribute is absent


def join_tool_spans(calls: list[ToolCall], tool_spans: list[RawSpan], keys: ToolAttributes) -> None:
    """Attach tool spans to the calls they ran; add the calls that no message shows."""
    by_id = {call.id: call for call in calls if call.id}
    for span in tool_spans:
        attrs = span.attributes
        name = str(attrs.get(keys.name) or span.name.removeprefix(keys.name_prefix))
        call_id = next((attrs[k] for k in keys.ids if attrs.get(k) is not None), None)
        call = by_id.get(str(call_id)) if call_id is not None else None
        if call is None and keys.match_by_name:
            call = next((c for c in calls if c.span_id is None and c.name == name), None)
        if call is None:
            arguments, raw = parse_arguments(attrs.get(keys.arguments))
            call_id_text = None if call_id is None else str(call_id)
            call = ToolCall(id=call_id_text, name=name, arguments=arguments, arguments_raw=raw)
            calls.append(call)
        call.span_id = span.span_id
        result = attrs.get(keys.result)
        if call.result is None and result is not None:
            call.result = json_text(result)
        if span.status == "error":
            call.error = str(next((attrs[k] for k in keys.errors if attrs.get(k)), "error"))
