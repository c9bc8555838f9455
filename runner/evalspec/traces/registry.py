"""The table of importers, format names and detection of a file's format from its content."""

from __future__ import annotations

import csv
import difflib
import importlib
import io
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from evalspec.diagnostics import Diagnostic, Severity
from evalspec.errors import TraceError, UsageError
from evalspec.traces.base import Importer
from evalspec.traces.codes import CODES, UNDETECTED_FORMAT, UNKNOWN_FORMAT, UNREADABLE_FILE
from evalspec.traces.reader import ZIP_MAGIC, TraceFile
from evalspec.traces.record import TRACE_FIELDS
from evalspec.traces.table import has_table_columns

#: Where each importer lives, keyed by the format name of ``--format`` and ``format "..."``.
_IMPORTER_CLASSES = {
    "evalspec": "evalspec.traces.native:NativeImporter",
    "openai": "evalspec.traces.openai:OpenAIImporter",
    "otel": "evalspec.traces.otel:OTelImporter",
    "openinference": "evalspec.traces.openinference:OpenInferenceImporter",
    "langfuse": "evalspec.traces.langfuse:LangfuseImporter",
    "langsmith": "evalspec.traces.langsmith:LangSmithImporter",
    "braintrust": "evalspec.traces.braintrust:BraintrustImporter",
    "inspect": "evalspec.traces.inspect_log:InspectImporter",
    "table": "evalspec.traces.table:TableImporter",
}


class _Importers(Mapping[str, Importer]):
    """The importer table, importing each importer module the first time its format is used.

    Reading evalspec JSONL then does not pay for the OTel, Inspect or CSV importers.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, Importer] = {}

    def __getitem__(self, name: str) -> Importer:
        if name not in self._loaded:
            module, cls = _IMPORTER_CLASSES[name].split(":")
            self._loaded[name] = getattr(importlib.import_module(module), cls)()
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_IMPORTER_CLASSES)

    def __len__(self) -> int:
        return len(_IMPORTER_CLASSES)


#: Every importer, keyed by format name.
IMPORTERS: Mapping[str, Importer] = _Importers()

_decode = msgspec.json.Decoder().decode
_OPENAI_KEYS = ("messages", "choices", "custom_id")


def resolve_format(name: str) -> str:
    """Return ``name`` if it is a known format, else raise a usage error with a suggestion."""
    if name in IMPORTERS:
        return name
    close = difflib.get_close_matches(name.lower(), list(IMPORTERS), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else f"formats: {', '.join(IMPORTERS)}"
    message = f"unknown trace format {name!r}"
    diag = Diagnostic(
        code=UNKNOWN_FORMAT,
        severity=Severity.ERROR,
        message=message,
        path="--format",
        hint=hint,
        name=CODES[UNKNOWN_FORMAT].name,
    )
    raise UsageError(f"{message} ({hint})", [diag])


def detect_format(path: str | Path) -> str:
    """Return the format name of the trace file at ``path``, judged from its content.

    Raises:
        TraceError: the file cannot be read (ES712) or its format is not clear (ES711).
    """
    file = TraceFile(str(path), Path(path))
    return detect(file)


def detect(file: TraceFile) -> str:
    """Return the format of ``file`` (see :func:`detect_format`)."""
    try:
        head = file.text_head(1 << 18)
    except (OSError, EOFError, zlib.error) as exc:
        raise _trace_error(file, UNREADABLE_FILE, f"cannot read the file: {exc}") from None
    found = sniff(head)
    if found is None:
        message = "cannot tell the trace format from the content"
        hint = (
            f"name the format ({', '.join(IMPORTERS)}): --format for `evalspec traces`, "
            '--trace-format for `evalspec check`, or format "..." in the suite\'s traces'
        )
        raise _trace_error(file, UNDETECTED_FORMAT, message, hint)
    return found


def _trace_error(file: TraceFile, code: str, message: str, hint: str | None = None) -> TraceError:
    diag = Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=message,
        path=file.display,
        hint=hint,
        name=CODES[code].name,
    )
    return TraceError(f"{file.display}: {message}", [diag])


def sniff(head: bytes) -> str | None:
    """Guess a format from the first bytes of a file (decompressed), or ``None``."""
    if head.startswith(ZIP_MAGIC):
        return "inspect"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "evalspec"  # an empty file holds no traces in any format
    if text[:1] in b"{[":
        first = text.split(b"\n", 1)[0]
        try:
            return classify(_decode(first), head)
        except (msgspec.DecodeError, UnicodeDecodeError):
            return _by_keys(head)
    return _csv_format(text)


def classify(value: Any, head: bytes = b"") -> str | None:
    """Guess the format of one decoded record (the first line or the document)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
    if not isinstance(value, dict):
        return None
    keys = value.keys()
    if "resourceSpans" in keys:
        return "openinference" if b"openinference.span.kind" in head else "otel"
    if isinstance(value.get("data"), list):
        return classify(value["data"], head)
    if "context" in keys and ("span_kind" in keys or "attributes" in keys):
        return "openinference"
    if "eval" in keys and ("samples" in keys or "version" in keys):
        return "inspect"
    if "observations" in keys or "htmlPath" in keys or {"traceId", "startTime"} <= keys:
        return "langfuse"
    if "run_type" in keys or "dotted_order" in keys:
        return "langsmith"
    if "id" in keys and keys <= TRACE_FIELDS:
        return "evalspec"
    if any(key in keys for key in _OPENAI_KEYS) or {"request", "response"} <= keys:
        return "openai"
    return "table" if has_table_columns(list(keys)) else None


def _by_keys(head: bytes) -> str | None:
    """Guess a pretty-printed JSON document's format from the keys near its start."""
    if b'"resourceSpans"' in head:
        return "openinference" if b"openinference.span.kind" in head else "otel"
    for needle, name in _NEEDLES:
        if needle in head:
            return name
    return None


_NEEDLES = (
    (b'"span_kind"', "openinference"),
    (b'"run_type"', "langsmith"),
    (b'"observations"', "langfuse"),
    (b'"htmlPath"', "langfuse"),
    (b'"samples"', "inspect"),
    (b'"eval"', "inspect"),
    (b'"messages"', "openai"),
)


def _csv_format(text: bytes) -> str | None:
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        header = next(csv.reader(io.StringIO(first)))
    except (csv.Error, StopIteration):
        return None
    names = {name.strip().lower() for name in header}
    if {"span_id", "input", "output"} <= names:
        return "braintrust"
    return "table" if len(names) > 1 and has_table_columns(header) else None
