"""Inspect AI logs: ``.eval`` (a zip archive, members often Zstandard-compressed) and ``.json``.

A ``.eval`` archive holds ``header.json`` (or ``_journal/start.json``) with the eval spec and
one ``samples/<id>_epoch_<n>.json`` per sample; samples are read one at a time, in member
name order. Python's ``zipfile`` cannot read Zstandard members (method 93), so those are
decompressed with the ``zstandard`` package, imported only here. A ``.json`` log is one
document read whole.

Per sample: id ``<run_id>:<sample id>:<epoch>`` (else the sample ``uuid``); ``messages`` and
their tool calls (arguments are already parsed; a tool message's ``error`` goes to its call);
``input`` is the sample input's text, ``output`` the completion; ``usage`` from
``output.usage``; ``latency_ms`` from ``total_time``; scores become annotations of kind
``score_kind`` (CODE by default: the log does not say whether a scorer used a model), with
``C``/``I`` and booleans read as pass/fail.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from typing import Any

import msgspec

from evalspec.traces.base import Fields, Importer, Item, from_messages, source, verdict_of
from evalspec.traces.codes import INVALID_RECORD, UNREADABLE_FILE
from evalspec.traces.messages import messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import BAD, ZIP_MAGIC, TraceFile, read_document
from evalspec.traces.record import Annotation, Message, Trace
from evalspec.traces.values import (
    as_dict,
    as_list,
    decimal_text,
    json_text,
    seconds_to_millis,
    text_of,
)

ZSTD_METHOD = 93
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_decode = msgspec.json.Decoder().decode


class InspectImporter(Importer):
    """Inspect AI evaluation logs."""

    name = "inspect"
    title = "Inspect AI log (.eval or .json)"
    streams = False

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per sample."""
        if file.path is None:
            log.report(
                UNREADABLE_FILE, "read Inspect logs from a file, not standard input", file.display
            )
            return
        if file.head(4) == ZIP_MAGIC:
            yield from _read_zip(file, log)
            return
        document = read_document(file, log)
        if document is BAD:
            return
        if not isinstance(document, dict) or not isinstance(document.get("eval"), dict):
            log.report(
                INVALID_RECORD, "not an Inspect AI log (no eval spec); skipped", file.display, 1
            )
            return
        for index, sample in enumerate(document.get("samples") or []):
            trace = _guarded(sample, document, file, RecordContext(log, file.display, None), index)
            if trace is not None:
                yield None, trace


def _read_zip(file: TraceFile, log: ProblemLog) -> Iterator[Item]:
    assert file.path is not None
    try:
        archive = zipfile.ZipFile(file.path)
    except (zipfile.BadZipFile, OSError) as exc:
        log.report(UNREADABLE_FILE, f"not a readable zip archive: {exc}", file.display)
        return
    with archive, file.path.open("rb") as raw:
        names = set(archive.namelist())
        header_name = next(
            (n for n in ("header.json", "_journal/start.json", "start.json") if n in names), None
        )
        header = _member(archive, raw, header_name) if header_name else {}
        samples = sorted(n for n in names if n.startswith("samples/") and n.endswith(".json"))
        for index, name in enumerate(samples):
            ctx = RecordContext(log, f"{file.display}:{name}", None)
            try:
                sample = _member(archive, raw, name)
            except (msgspec.DecodeError, OSError, ValueError, zipfile.BadZipFile) as exc:
                ctx.report(UNREADABLE_FILE, f"cannot read the sample: {exc}; skipped")
                continue
            trace = _guarded(sample, header if isinstance(header, dict) else {}, file, ctx, index)
            if trace is not None:
                yield None, trace


def _member(archive: zipfile.ZipFile, raw: Any, name: str) -> Any:
    """Read and decode one JSON member, decompressing Zstandard members by hand."""
    info = archive.getinfo(name)
    if info.compress_type != ZSTD_METHOD:
        return _decode(archive.read(info))
    import zstandard  # only Inspect logs need it

    raw.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    raw.seek(fields[-2] + fields[-1], 1)  # skip the file name and the extra field
    data = raw.read(info.compress_size)
    return _decode(zstandard.ZstdDecompressor().decompress(data, max_output_size=info.file_size))


def _guarded(
    sample: Any, header: dict[str, Any], file: TraceFile, ctx: RecordContext, index: int
) -> Trace | None:
    if not isinstance(sample, dict):
        ctx.report(INVALID_RECORD, f"sample {index} is not an object; skipped")
        return None
    try:
        return build_trace(sample, header, file, ctx)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        ctx.report(INVALID_RECORD, f"cannot read sample {sample.get('id')!r}: {exc!r}; skipped")
        return None


def build_trace(
    sample: dict[str, Any], header: dict[str, Any], file: TraceFile, ctx: RecordContext
) -> Trace:
    """Turn one Inspect sample into a :class:`Trace`."""
    spec = as_dict(header.get("eval"))
    run_id, sample_id, epoch = spec.get("run_id"), sample.get("id"), sample.get("epoch", 1)
    trace_id = f"{run_id}:{sample_id}:{epoch}" if run_id else None
    raw_messages = as_list(sample.get("messages"))
    msgs = messages(raw_messages, ctx)
    errors = _tool_errors(msgs, raw_messages) if len(msgs) == len(raw_messages) else {}
    output = as_dict(sample.get("output"))
    ids = {"run_id": run_id, "sample_id": sample_id, "uuid": sample.get("uuid")}
    trace = from_messages(
        trace_id or str(sample.get("uuid") or f"{sample_id}:{epoch}"),
        msgs,
        input=text_of(sample.get("input"), want="input"),
        output=output.get("completion") or None,
        source=source("inspect", file, None, **ids),
    )
    _link_errors(trace, msgs, errors)
    _fill(trace, sample, output, Fields(ctx))
    trace.metadata = _metadata(sample, spec, output)
    kind = file.options.score_kind
    trace.annotations = _scores(sample.get("scores"), kind if kind in _KINDS else "CODE")
    return trace


_KINDS = ("HUMAN", "LLM", "CODE")


def _fill(trace: Trace, sample: dict[str, Any], output: dict[str, Any], fields: Fields) -> None:
    trace.usage = fields.usage(output.get("usage"))
    total = fields.decimal(sample.get("total_time"), "total_time")
    trace.latency_ms = None if total is None else seconds_to_millis(total)
    trace.start_time = fields.time(sample.get("started_at"), "started_at")
    trace.end_time = fields.time(sample.get("completed_at"), "completed_at")


def _tool_errors(msgs: list[Message], raw: list[Any]) -> dict[int, str]:
    """Return tool-message errors by message index (the record's Message has no error field)."""
    errors: dict[int, str] = {}
    for index, (msg, item) in enumerate(zip(msgs, raw, strict=False)):
        error = item.get("error") if isinstance(item, dict) else None
        if msg.role == "tool" and isinstance(error, dict):
            errors[index] = str(error.get("message") or error.get("type") or "error")
    return errors


def _link_errors(trace: Trace, msgs: list[Message], errors: dict[int, str]) -> None:
    by_id = {call.id: call for call in trace.tool_calls if call.id}
    for index, error in errors.items():
        call = by_id.get(msgs[index].tool_call_id or "")
        if call is not None:
            call.error = error


def _metadata(
    sample: dict[str, Any], spec: dict[str, Any], output: dict[str, Any]
) -> dict[str, Any]:
    meta = dict(as_dict(sample.get("metadata")))
    found = {
        "task": spec.get("task"),
        "model": output.get("model") or spec.get("model"),
        "sample_id": sample.get("id"),
        "epoch": sample.get("epoch"),
        "target": sample.get("target"),
        "error": as_dict(sample.get("error")).get("message"),
    }
    meta.update({key: value for key, value in found.items() if value not in (None, "", [])})
    return meta


def _scores(scores: Any, kind: str) -> list[Annotation]:
    if not isinstance(scores, dict):
        return []
    out = []
    for name, score in scores.items():
        if not isinstance(score, dict):
            continue
        value = score.get("value")
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        out.append(
            Annotation(
                name=str(name),
                kind=kind,  # type: ignore[arg-type]
                verdict=verdict_of(value),
                label=None if numeric or value is None else json_text(value),
                score=decimal_text(value) if numeric else None,
                critique=score.get("explanation") or None,
            )
        )
    return out
