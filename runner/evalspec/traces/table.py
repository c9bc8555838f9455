"""Simple tables: one trace per JSONL object or CSV row, such as ``{id, query, response}``.

Columns are found by name, case-insensitively: ``id`` from ``id``/``trace_id``/
``conversation_id``, ``input`` from ``input``/``query``/``question``/``prompt``/``user_query``,
``output`` from ``output``/``response``/``answer``/``completion`` (see ``DEFAULT_COLUMNS``).
A mapping overrides them (``--column input=User_Query``); mapping ``label``, ``note`` or
``critique`` makes a HUMAN annotation. Every other column goes to ``metadata``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from evalspec.errors import UsageError
from evalspec.traces.base import (
    Fields,
    Importer,
    Item,
    from_messages,
    made_up_id,
    source,
    verdict_of,
)
from evalspec.traces.codes import INVALID_RECORD, INVALID_VALUE, MISSING_COLUMN
from evalspec.traces.messages import messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, csv_rows, json_records
from evalspec.traces.record import Annotation, Trace
from evalspec.traces.values import optional_str, parse_json, text_of

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "trace_id", "conversation_id", "uuid", "request_id"),
    "input": ("input", "query", "question", "prompt", "user_query", "user_input", "request"),
    "output": ("output", "response", "answer", "completion", "bot_response", "reply"),
    "messages": ("messages", "conversation"),
    "session_id": ("session_id", "thread_id"),
    "user_id": ("user_id",),
    "start_time": ("start_time", "timestamp", "created_at"),
    "latency_ms": ("latency_ms",),
    "cost": ("cost",),
}
#: Fields a column mapping may name: the defaults plus annotation parts.
TARGETS = frozenset({*DEFAULT_COLUMNS, "end_time", "label", "note", "critique"})


def check_columns(columns: Mapping[str, str]) -> None:
    """Reject a column mapping that names a field tables cannot fill."""
    unknown = sorted(set(columns) - TARGETS)
    if unknown:
        raise UsageError(
            f"cannot map columns to {', '.join(unknown)}; fields: {', '.join(sorted(TARGETS))}"
        )


def has_table_columns(names: Sequence[str]) -> bool:
    """Return whether ``names`` include an input or an output column."""
    lower = {str(name).strip().lower() for name in names}
    return any(name in lower for name in (*DEFAULT_COLUMNS["input"], *DEFAULT_COLUMNS["output"]))


class TableImporter(Importer):
    """Simple tables in JSONL or CSV, with a column mapping."""

    name = "table"
    title = "table (JSONL or CSV)"

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per row."""
        check_columns(file.options.columns)
        head = file.text_head(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        is_json = head[:1] in (b"{", b"[")
        rows = json_records(file, log) if is_json else self._csv(file, log)
        mapping: dict[str, str] | None = None
        for index, (line, row) in enumerate(rows):
            ctx = RecordContext(log, file.display, line)
            if not isinstance(row, dict):
                ctx.report(
                    INVALID_RECORD, f"a JSON {type(row).__name__} where a row object belongs"
                )
                continue
            if mapping is None or is_json:  # JSON rows may differ in their keys
                mapping = _mapping(list(row), file.options.columns)
            trace = _convert(row, mapping, file, ctx, index)
            if trace is not None:
                yield line, trace

    def _csv(self, file: TraceFile, log: ProblemLog) -> Iterator[tuple[int | None, Any]]:
        rows = csv_rows(file, log)
        first = next(rows, None)
        if first is None:
            return
        missing = [col for col in file.options.columns.values() if col not in first[1]]
        if missing:
            message = f"mapped column {missing[0]!r} is not in the header; file skipped"
            log.report(
                MISSING_COLUMN, message, file.display, 1, hint=f"columns: {', '.join(first[1])}"
            )
            return
        yield first
        yield from rows


def _mapping(names: list[str], explicit: Mapping[str, str]) -> dict[str, str]:
    """Return field -> column for this row's column names."""
    lower = {name.strip().lower(): name for name in names}
    found: dict[str, str] = {}
    for target, candidates in DEFAULT_COLUMNS.items():
        column = next((lower[c] for c in candidates if c in lower), None)
        if column is not None:
            found[target] = column
    found = {k: v for k, v in found.items() if v not in explicit.values()}
    found.update(explicit)
    return found


def _convert(
    row: dict[str, Any], mapping: dict[str, str], file: TraceFile, ctx: RecordContext, index: int
) -> Trace | None:
    value = {target: row.get(column) for target, column in mapping.items()}
    value = {k: (None if v == "" else v) for k, v in value.items()}
    msgs = messages(_json_cell(value.get("messages"), ctx), ctx) if value.get("messages") else []
    if not msgs and value.get("input") is None and value.get("output") is None:
        ctx.report(INVALID_RECORD, "row has no input, output or messages column; skipped")
        return None
    fields = Fields(ctx)
    used = set(mapping.values())
    return from_messages(
        optional_str(value.get("id")) or made_up_id(file, ctx.line, index),
        msgs,
        input=text_of(value.get("input"), want="input"),
        output=text_of(value.get("output"), want="output"),
        metadata={k: v for k, v in row.items() if k not in used},
        session_id=optional_str(value.get("session_id")),
        user_id=optional_str(value.get("user_id")),
        start_time=fields.time(value.get("start_time"), "start time"),
        end_time=fields.time(value.get("end_time"), "end time"),
        latency_ms=fields.integer(value.get("latency_ms"), "latency_ms"),
        cost=fields.decimal(value.get("cost"), "cost"),
        annotations=_annotation(value),
        source=source("table", file, ctx.line),
    )


def _json_cell(value: Any, ctx: RecordContext) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return parse_json(value)
    except ValueError:
        ctx.report(INVALID_VALUE, "the messages cell is not JSON; dropped")
        return None


def _annotation(value: dict[str, Any]) -> list[Annotation]:
    label, note, critique = value.get("label"), value.get("note"), value.get("critique")
    if label is None and note is None and critique is None:
        return []
    return [
        Annotation(
            kind="HUMAN",
            verdict=verdict_of(label),
            label=optional_str(label),
            note=optional_str(note),
            critique=optional_str(critique),
        )
    ]
