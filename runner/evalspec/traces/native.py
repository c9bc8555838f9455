"""evalspec JSONL: the normalised record itself, one trace per line.

This is the format ``evalspec check`` reads a million records of, so it has a fast path:
large blocks of whole lines are decoded straight into :class:`Trace` Structs with
``msgspec.json.Decoder(Trace).decode_lines``. Only a block that fails (a malformed line, a
misspelled role, a float cost) is read again line by line, where each bad line is repaired
or reported with its line number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import msgspec

from evalspec.traces.base import Importer, Item, made_up_id
from evalspec.traces.codes import INVALID_RECORD, INVALID_VALUE, NESTED_MESSAGES
from evalspec.traces.messages import normalise_role
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import BAD, TraceFile, decode_json, iter_blocks
from evalspec.traces.record import Source, SpanKind, Trace
from evalspec.traces.values import decimal_text, timestamp

_TYPED = msgspec.json.Decoder(Trace)
_SPAN_KINDS = frozenset(get_args(SpanKind))


class NativeImporter(Importer):
    """evalspec JSONL (``schemas/evalspec-trace.v1.schema.json``, one record per line)."""

    name = "evalspec"
    title = "evalspec JSONL"

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield every trace of the file with its line number."""
        for batch in self.read_batches(file, log, 0):
            yield from batch

    def read_batches(self, file: TraceFile, log: ProblemLog, size: int) -> Iterator[list[Item]]:
        """Yield one list per block of lines (a few hundred KiB), decoded in one call when clean."""
        line = 1
        with file.open() as stream:
            for block, terminated in iter_blocks(stream):
                newlines = block.count(b"\n")  # counted once: it is a visible cost at 1 GB
                yield _decode(block, line, newlines, terminated, file, log)
                line += newlines


def decode_block(
    block: bytes, line: int, terminated: bool, file: TraceFile, log: ProblemLog
) -> list[Item]:
    """Decode a block of whole lines that starts on ``line``; report and skip bad lines.

    ``terminated`` is ``False`` when the block is a file's last piece without a newline (see
    :func:`~evalspec.traces.reader.iter_blocks`). Records without a ``source`` get this file
    and their line. Ids are not deduplicated here: :func:`~evalspec.traces.iter_batches` does it.
    """
    return _decode(block, line, block.count(b"\n"), terminated, file, log)


def _decode(
    block: bytes, line: int, newlines: int, terminated: bool, file: TraceFile, log: ProblemLog
) -> list[Item]:
    try:
        traces = _TYPED.decode_lines(block)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return _slow_block(block, line, terminated, file, log)
    if len(traces) != newlines + (not terminated):
        return _slow_block(block, line, terminated, file, log)  # blank lines shift numbers
    name = file.name
    items: list[Item] = []
    for number, trace in enumerate(traces, line):
        if trace.source is None:
            trace.source = Source(format="evalspec", file=name, line=number)
        items.append((number, trace))
    return items


def _slow_block(
    block: bytes, line: int, terminated: bool, file: TraceFile, log: ProblemLog
) -> list[Item]:
    items: list[Item] = []
    lines = block.split(b"\n")
    for offset, raw in enumerate(lines):
        if not raw or raw.isspace():
            continue
        ctx = RecordContext(log, file.display, line + offset)
        last = not terminated and offset == len(lines) - 1
        trace = _one(raw, ctx, file, terminated=not last)
        if trace is not None:
            items.append((line + offset, trace))
    return items


def _one(raw: bytes, ctx: RecordContext, file: TraceFile, *, terminated: bool) -> Trace | None:
    try:
        trace = _TYPED.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        value = decode_json(raw, ctx, terminated=terminated)
        if value is BAD:
            return None
        found = repair(value, ctx, file)
        if found is None:
            return None
        trace = found
    if trace.source is None:
        trace.source = Source(format="evalspec", file=file.name, line=ctx.line)
    return trace


def repair(value: Any, ctx: RecordContext, file: TraceFile) -> Trace | None:
    """Read a JSON value as a trace leniently: fix what the normalisation rules allow.

    Misspelled roles, nested message lists, numeric costs and scores, float latencies,
    non-ISO timestamps and unknown span kinds are normalised (and reported where the rules
    say so); a value that still is not a trace is reported as ES708 and skipped.
    """
    if not isinstance(value, dict):
        ctx.report(INVALID_RECORD, f"a JSON {type(value).__name__} where a trace object belongs")
        return None
    try:
        return msgspec.convert(value, Trace)
    except msgspec.ValidationError:
        pass
    fixed = _fix(dict(value), ctx, file)
    try:
        return msgspec.convert(fixed, Trace, strict=False)
    except msgspec.ValidationError as exc:
        ctx.report(INVALID_RECORD, f"not an evalspec trace: {exc}; skipped")
        return None


def _fix(value: dict[str, Any], ctx: RecordContext, file: TraceFile) -> dict[str, Any]:
    if value.get("id") in (None, ""):
        value["id"] = made_up_id(file, ctx.line)
        ctx.report(INVALID_VALUE, f"trace has no id; using {value['id']!r}")
    elif not isinstance(value["id"], str):
        value["id"] = str(value["id"])
    if isinstance(value.get("messages"), list):
        value["messages"] = _fix_messages(value["messages"], ctx)
    for key in ("cost",):
        value[key] = _quietly(decimal_text, value.get(key))
    for key in ("start_time", "end_time"):
        value[key] = _quietly(timestamp, value.get(key))
    if isinstance(value.get("latency_ms"), float):
        value["latency_ms"] = round(value["latency_ms"])
    value["annotations"] = [_fix_annotation(a) for a in _dicts(value.get("annotations"))]
    value["spans"] = [_fix_span(s) for s in _dicts(value.get("spans"))]
    return {k: v for k, v in value.items() if v is not None}


def _fix_messages(items: list[Any], ctx: RecordContext) -> list[Any]:
    out: list[Any] = []
    for index, item in enumerate(items):
        if isinstance(item, list):
            ctx.report(NESTED_MESSAGES, f"a list where message {index} belongs; flattened")
            out.extend(_fix_messages(item, ctx))
        elif isinstance(item, dict):
            out.append({**item, "role": normalise_role(item.get("role"), ctx)})
        else:
            ctx.report(INVALID_VALUE, f"message {index} is not a message object; skipped")
    return out


def _fix_annotation(item: dict[str, Any]) -> dict[str, Any]:
    item = dict(item)
    if isinstance(item.get("kind"), str):
        item["kind"] = item["kind"].upper()
    if isinstance(item.get("verdict"), str):
        item["verdict"] = item["verdict"].lower()
    if item.get("score") is not None:
        item["score"] = _quietly(decimal_text, item["score"])
    return item


def _fix_span(item: dict[str, Any]) -> dict[str, Any]:
    kind = str(item.get("kind") or "other").lower()
    return {**item, "kind": kind if kind in _SPAN_KINDS else "other"}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _quietly(convert: Any, value: Any) -> Any:
    if value is None:
        return None
    try:
        return convert(value)
    except (ValueError, OverflowError):
        return value  # left for the schema check to report
