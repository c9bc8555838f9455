"""Braintrust log export (CSV): one row per span, JSON inside the cells.

Columns are matched case-insensitively: ``id``, ``span_id``, ``root_span_id``,
``span_parents``, ``created``, ``input``, ``output``, ``expected``, ``error``, ``scores``,
``metrics``, ``metadata``, ``tags``, ``comments``, ``span_attributes``. Cells holding JSON
are decoded; cells may be very large (the CSV field limit is lifted).

Rows stream: consecutive rows sharing a ``root_span_id`` form one trace, held only until the
next trace starts. The root row (no ``span_parents``) gives the trace: ``input`` (OpenAI
messages or any value), ``output``, ``metrics`` (``start``/``end`` in Unix seconds, token
counts, ``estimated_cost``), ``scores`` (CODE annotations), ``comments`` (HUMAN notes);
``expected``, ``tags``, ``error`` and ``metadata`` go to ``metadata``. The other rows become
spans, and ``tool`` spans are joined with the tool calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from evalspec.traces.base import (
    Fields,
    Importer,
    Item,
    from_messages,
    made_up_id,
    source,
    verdict_of,
)
from evalspec.traces.codes import BROKEN_TREE, INVALID_RECORD
from evalspec.traces.messages import messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, csv_rows
from evalspec.traces.record import Annotation, Message, Span, SpanKind, ToolCall, Trace, Usage
from evalspec.traces.values import decimal_text, json_text, parse_json, text_of

_KINDS: dict[str, SpanKind] = {
    "llm": "llm",
    "tool": "tool",
    "task": "chain",
    "function": "chain",
    "eval": "evaluator",
    "score": "evaluator",
}
_JSON_START = ("{", "[", '"')
_Row = tuple[int, dict[str, str]]


class BraintrustImporter(Importer):
    """Braintrust log export CSV."""

    name = "braintrust"
    title = "Braintrust log CSV"

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per run of rows sharing a root span."""
        group: list[_Row] = []
        key = None
        for line, raw in csv_rows(file, log):
            row = {name.strip().lower(): value for name, value in raw.items()}
            row_key = row.get("root_span_id") or row.get("span_id") or row.get("id") or f":{line}"
            if group and row_key != key:
                yield from _flush(group, file, log)
                group = []
            key = row_key
            group.append((line, row))
        if group:
            yield from _flush(group, file, log)


def _flush(group: list[_Row], file: TraceFile, log: ProblemLog) -> Iterator[Item]:
    roots = [(line, row) for line, row in group if _is_root(row)]
    if not roots:
        ctx = RecordContext(log, file.display, group[0][0])
        ctx.report(BROKEN_TREE, f"{len(group)} span row(s) without their root row; skipped")
        return
    line, root = roots[0]
    ctx = RecordContext(log, file.display, line)
    try:
        trace = build_trace(root, [row for _, row in group if row is not root], file, ctx)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        ctx.report(INVALID_RECORD, f"cannot read this row: {exc!r}; skipped")
        return
    yield line, trace


def _is_root(row: dict[str, str]) -> bool:
    parents = row.get("span_parents", "").strip()
    root_id = row.get("root_span_id", "")
    return parents in ("", "[]", "null") and (not root_id or root_id == row.get("span_id", root_id))


def cell(value: str | None) -> Any:
    """Decode a cell that holds JSON; plain text stays text, an empty cell is ``None``."""
    if value is None or value == "":
        return None
    text = value.strip()
    if text.startswith(_JSON_START) or text in ("true", "false", "null"):
        try:
            return parse_json(text)
        except ValueError:
            return value
    return value


def build_trace(
    root: dict[str, str], children: list[dict[str, str]], file: TraceFile, ctx: RecordContext
) -> Trace:
    """Turn a root row and its span rows into a :class:`Trace`."""
    given, reply = cell(root.get("input")), cell(root.get("output"))
    msgs = _messages(given, reply, ctx)
    fields = Fields(ctx)
    trace_id = root.get("span_id") or root.get("id") or made_up_id(file, ctx.line)
    trace = from_messages(
        trace_id,
        msgs,
        input=text_of(given, want="input"),
        output=text_of(reply, want="output"),
        source=source(
            "braintrust",
            file,
            ctx.line,
            id=root.get("id"),
            span_id=root.get("span_id"),
            root_span_id=root.get("root_span_id"),
        ),
    )
    metrics = cell(root.get("metrics"))
    _apply_metrics(trace, metrics if isinstance(metrics, dict) else {}, fields)
    if trace.start_time is None:
        trace.start_time = fields.time(root.get("created"), "created")
    trace.metadata = _metadata(root)
    trace.annotations = _scores(cell(root.get("scores"))) + _comments(cell(root.get("comments")))
    trace.spans = [_span(row, fields) for row in children if row.get("span_id")]
    _join_tools(trace.tool_calls, [row for row in children if _kind(row) == "tool"])
    return trace


def _messages(given: Any, reply: Any, ctx: RecordContext) -> list[Message]:
    if isinstance(given, dict) and isinstance(given.get("messages"), list):
        given = given["messages"]
    is_chat = isinstance(given, list) and all(isinstance(m, dict) and "role" in m for m in given)
    msgs = messages(given, ctx) if is_chat and given else []
    if isinstance(reply, dict) and isinstance(reply.get("choices"), list) and reply["choices"]:
        reply = reply["choices"][0].get("message")
    if isinstance(reply, list) and reply and isinstance(reply[0], dict) and "message" in reply[0]:
        reply = reply[0]["message"]  # a list of choices
    if isinstance(reply, dict) and "role" in reply:
        msgs += messages([reply], ctx)
    elif isinstance(reply, str) and msgs:
        msgs.append(Message(role="assistant", content=reply))
    return msgs


def _apply_metrics(trace: Trace, metrics: dict[str, Any], fields: Fields) -> None:
    trace.start_time = fields.time(metrics.get("start"), "metrics.start")
    trace.end_time = fields.time(metrics.get("end"), "metrics.end")
    start, end = metrics.get("start"), metrics.get("end")
    if isinstance(start, (int, float)) and isinstance(end, (int, float)):
        trace.latency_ms = int((Decimal(repr(end)) - Decimal(repr(start))) * 1000)
    usage = Usage(
        input_tokens=fields.integer(metrics.get("prompt_tokens"), "prompt_tokens"),
        output_tokens=fields.integer(metrics.get("completion_tokens"), "completion_tokens"),
        total_tokens=fields.integer(metrics.get("tokens"), "tokens"),
    )
    if usage != Usage():
        trace.usage = usage
    trace.cost = fields.decimal(metrics.get("estimated_cost", metrics.get("cost")), "cost")


def _metadata(root: dict[str, str]) -> dict[str, Any]:
    found = cell(root.get("metadata"))
    meta = dict(found) if isinstance(found, dict) else {}
    for key in ("expected", "tags", "error", "name"):
        value = cell(root.get(key))
        if value not in (None, [], ""):
            meta[key] = value
    return meta


def _scores(scores: Any) -> list[Annotation]:
    if not isinstance(scores, dict):
        return []
    out = []
    for name, value in scores.items():
        if value is None or isinstance(value, bool):
            continue
        out.append(
            Annotation(
                name=str(name),
                kind="CODE",
                verdict=verdict_of(value),
                score=decimal_text(value),
            )
        )
    return out


def _comments(comments: Any) -> list[Annotation]:
    items = comments if isinstance(comments, list) else ([comments] if comments else [])
    out = []
    for item in items:
        text = item.get("text") or item.get("comment") if isinstance(item, dict) else item
        if text:
            out.append(Annotation(name="comment", kind="HUMAN", note=json_text(text)))
    return out


def _kind(row: dict[str, str]) -> str:
    attrs = cell(row.get("span_attributes"))
    return str(attrs.get("type") or "") if isinstance(attrs, dict) else ""


def _span(row: dict[str, str], fields: Fields) -> Span:
    attrs = cell(row.get("span_attributes"))
    metrics = cell(row.get("metrics"))
    metrics = metrics if isinstance(metrics, dict) else {}
    parents = cell(row.get("span_parents"))
    return Span(
        id=row["span_id"],
        parent_id=str(parents[0]) if isinstance(parents, list) and parents else None,
        kind=_KINDS.get(_kind(row), "other"),
        name=str(attrs.get("name") or "") if isinstance(attrs, dict) else "",
        start_time=fields.time(metrics.get("start"), "metrics.start"),
        end_time=fields.time(metrics.get("end"), "metrics.end"),
        status="error" if row.get("error") else None,
        attributes={k: v for k in ("input", "output") if (v := cell(row.get(k))) is not None},
    )


def _join_tools(calls: list[ToolCall], tools: list[dict[str, str]]) -> None:
    for row in tools:
        attrs = cell(row.get("span_attributes"))
        name = str(attrs.get("name") or "") if isinstance(attrs, dict) else ""
        call = next((c for c in calls if c.span_id is None and c.name == name), None)
        if call is None:
            arguments = cell(row.get("input"))
            call = ToolCall(name=name, arguments=arguments)
            calls.append(call)
        call.span_id = row["span_id"]
        if call.result is None and row.get("output"):
            call.result = json_text(cell(row["output"]))
        if row.get("error"):
            call.error = row["error"]
