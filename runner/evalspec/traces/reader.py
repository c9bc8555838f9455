"""Trace files: patterns to files, gzip, line and block reading, JSON/CSV decoding with reports.

Everything here streams: lines come from buffered ``readline`` and blocks of whole lines from
fixed-size reads (a line longer than a block is joined from its pieces), gzip is decompressed
on the fly, and a bad line is reported with its file and line and skipped, never stopping the
file. Only JSON *documents* (a file that is one pretty-printed object or array) are read whole,
because JSON cannot be parsed in pieces.
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

import msgspec

from evalspec.diagnostics import Diagnostic, Severity
from evalspec.errors import TraceError, UsageError
from evalspec.traces.codes import (
    CODES,
    INVALID_RECORD,
    INVALID_UTF8,
    MALFORMED_JSON,
    NO_FILES,
    PATH_OUTSIDE,
    TRUNCATED_LINE,
    UNREADABLE_FILE,
)
from evalspec.traces.problems import ProblemLog, RecordContext

STDIN = "-"
#: Bytes read at a time by block readers. 256 KiB measured faster than 1-4 MiB: the traces of a
#: smaller block are still in the CPU cache when they are used.
CHUNK_SIZE = 1 << 18
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
#: Returned by the decoders for a record that was reported and must be skipped.
BAD: Any = object()

_decode = msgspec.json.Decoder().decode
_BYTE_AT = re.compile(r"\(byte (\d+)\)")
_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ReadOptions:
    """Options that some importers use.

    ``columns`` maps record fields to source columns for the ``table`` format (``input`` ->
    ``query``); ``score_kind`` is the annotation kind given to Inspect AI scores.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    score_kind: str = "CODE"


@dataclass(eq=False)
class TraceFile:
    """One input: a file (or standard input) and the names it goes by.

    ``display`` is the path diagnostics show (relative to the working directory, so it can be
    opened from the terminal); ``name`` is the path relative to the base folder, used in
    ``Source.file`` and in ids made up for records that have none, so both stay the same
    wherever the command runs.
    """

    display: str
    path: Path | None = None
    options: ReadOptions = field(default_factory=ReadOptions)
    stream: BinaryIO | None = None
    name: str = ""
    _head: bytes | None = None

    def __post_init__(self) -> None:
        self.name = self.name or self.display

    def open_raw(self) -> BinaryIO:
        """Open the bytes as stored (no decompression); standard input can be opened once."""
        if self.path is not None:
            return self.path.open("rb")
        if self.stream is None:
            message = "standard input can be read only once"
            raise TraceError(message, [_diag(self.display, message)])
        head, stream, self.stream = self.head(), self.stream, None
        return io.BufferedReader(_Prefixed(head, stream), CHUNK_SIZE)

    def open(self) -> BinaryIO:
        """Open for reading, decompressing gzip (recognised by its magic bytes, not the name)."""
        gzipped = self.head(2) == GZIP_MAGIC
        if self.path is not None and gzipped:
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        raw = self.open_raw()
        return gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw  # type: ignore[return-value]

    def head(self, size: int = 1 << 16) -> bytes:
        """Return up to ``size`` leading bytes as stored (cached for standard input)."""
        if self.path is not None:
            with self.path.open("rb") as handle:
                return handle.read(size)
        if self._head is None:
            self._head = self.stream.read(1 << 16) if self.stream is not None else b""
        return self._head[:size]

    def text_head(self, size: int = 1 << 16) -> bytes:
        """Return up to ``size`` leading bytes after decompression."""
        if self.path is None:
            head = self.head(size)
            if head[:2] != GZIP_MAGIC:
                return head
            return zlib.decompressobj(wbits=31).decompress(head, size)
        with self.open() as handle:
            return handle.read(size)


class _Prefixed(io.RawIOBase):
    """A raw stream that returns ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the head first, then from the stream."""
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _diag(path: str, what: str, code: str = UNREADABLE_FILE) -> Diagnostic:
    return Diagnostic(
        code=code, severity=Severity.ERROR, message=what, path=path, name=CODES[code].name
    )


def resolve_files(
    patterns: Sequence[str],
    *,
    base_dir: Path,
    confine: bool = True,
    options: ReadOptions | None = None,
) -> list[TraceFile]:
    """Expand paths, globs (``**`` included) and folders into files sorted by path.

    With ``confine`` (the default, used for paths written in a spec) a pattern may not be
    absolute or climb out of ``base_dir`` with ``..``, and no match may lead outside it
    through a symlink. ``"-"`` stands for standard input.
    """
    base = base_dir.resolve()
    options = options or ReadOptions()
    found: dict[Path, None] = {}
    stdin: list[TraceFile] = []
    for pattern in patterns:
        if pattern == STDIN:
            stdin = [TraceFile(STDIN, None, options, sys.stdin.buffer)]
            continue
        if confine:
            _check_confined(pattern)
        for path in _matches(pattern, base):
            found.setdefault(_resolved(path, base, confine))
    files = [
        TraceFile(_display(path), path, options, name=_relative_name(path, base)) for path in found
    ]
    return stdin + sorted(files, key=lambda f: f.name)


def _resolved(path: Path, base: Path, confine: bool) -> Path:
    """Resolve symlinks; a confined path must still be inside ``base`` afterwards."""
    resolved = path.resolve()
    if confine and not resolved.is_relative_to(base):
        message = f"trace path leads outside {base}"
        raise UsageError(f"{path}: {message}", [_diag(str(path), message, PATH_OUTSIDE)])
    return resolved


def _check_confined(pattern: str) -> None:
    normal = os.path.normpath(pattern)
    if os.path.isabs(pattern) or normal == ".." or normal.startswith(".." + os.sep):
        message = f"trace path {pattern!r} must be relative and stay inside the project"
        raise UsageError(message, [_diag(pattern, message, PATH_OUTSIDE)])


def _matches(pattern: str, base: Path) -> list[Path]:
    absolute = os.path.isabs(pattern)
    if glob.has_magic(pattern):
        names = glob.glob(pattern, root_dir=None if absolute else base, recursive=True)
        paths = [Path(name) if absolute else base / name for name in names]
    else:
        paths = [Path(pattern) if absolute else base / pattern]
        if not paths[0].exists():
            raise TraceError(
                f"no such trace file: {pattern}",
                [_diag(pattern, f"no such trace file: {pattern}", NO_FILES)],
            )
    files = [file for path in paths for file in _files_under(path)]
    if not files:
        raise TraceError(
            f"no trace files match {pattern!r}",
            [_diag(pattern, f"no trace files match {pattern!r}", NO_FILES)],
        )
    return files


def _files_under(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def _display(path: Path) -> str:
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _relative_name(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else path.as_posix()


def iter_blocks(stream: IO[bytes], chunk_size: int | None = None) -> Iterator[tuple[bytes, bool]]:
    """Yield blocks of whole lines (each ending in a newline), then any unterminated tail.

    The flag is ``False`` only for a last piece without a newline: a possibly truncated line.
    """
    size = chunk_size or CHUNK_SIZE
    pieces: list[bytes] = []
    while chunk := stream.read(size):
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            pieces.append(chunk)
            continue
        if pieces:
            pieces.append(chunk[:cut])
            yield b"".join(pieces), True
        else:
            yield (chunk if cut == len(chunk) else chunk[:cut]), True
        pieces = [chunk[cut:]] if cut < len(chunk) else []
    tail = b"".join(pieces)
    if tail and not tail.isspace():
        yield tail, False


def iter_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    """Yield ``(line number, line as read, ends with a newline)`` for each non-blank line.

    The line keeps its newline (JSON decoders ignore it). Lines come from the stream's own
    buffered ``readline`` (C code, as fast as a bare ``for line in file`` loop); memory is
    bounded by the longest line, not by the file.
    """
    number = 0
    for line in stream:
        number += 1
        if not line.isspace():
            yield number, line, line[-1:] == b"\n"


def decode_json(raw: bytes, ctx: RecordContext, *, terminated: bool = True) -> Any:
    """Decode one JSON text, reporting and repairing what can be repaired.

    Invalid UTF-8 and lone UTF-16 surrogates are replaced with U+FFFD (ES704); a text that
    does not parse is reported as ES701, or ES702 when it is an unterminated last line, and
    :data:`BAD` is returned.
    """
    try:
        return _decode(raw)
    except UnicodeDecodeError:
        ctx.report(INVALID_UTF8, "bytes that are not UTF-8 replaced with U+FFFD")
        raw = raw.decode("utf-8", "replace").encode("utf-8")
        return decode_json(raw, ctx, terminated=terminated)
    except msgspec.DecodeError as exc:
        if _SURROGATE_ESCAPE.search(raw):
            repaired = _repair_surrogates(raw, ctx)
            if repaired is not BAD:
                return repaired
        _report_malformed(raw, str(exc), ctx, terminated)
        return BAD


def _repair_surrogates(raw: bytes, ctx: RecordContext) -> Any:
    """Decode with the stdlib (which accepts lone surrogates) and replace them."""
    try:
        value = json.loads(raw)
    except ValueError:
        return BAD
    ctx.report(INVALID_UTF8, "lone UTF-16 surrogate escapes replaced with U+FFFD")
    return _replace_surrogates(value)


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def _report_malformed(raw: bytes, error: str, ctx: RecordContext, terminated: bool) -> None:
    match = _BYTE_AT.search(error)
    column = 1
    if match:
        column = len(raw[: int(match.group(1))].decode("utf-8", "replace")) + 1
    reason = error.removeprefix("JSON is malformed: ")
    if not terminated:
        message = f"the last line is cut off ({reason}); skipped"
        ctx.log.report(TRUNCATED_LINE, message, ctx.path, ctx.line, column=column)
    else:
        message = f"not valid JSON ({reason}); skipped"
        ctx.log.report(MALFORMED_JSON, message, ctx.path, ctx.line, column=column)


def json_lines(file: TraceFile, log: ProblemLog) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, value)`` for each JSON line of ``file``; bad lines are reported."""
    with file.open() as stream:
        for number, raw, terminated in iter_lines(stream):
            value = decode_json(
                raw, RecordContext(log, file.display, number), terminated=terminated
            )
            if value is not BAD:
                yield number, value


def json_records(file: TraceFile, log: ProblemLog) -> Iterator[tuple[int | None, Any]]:
    """Yield the records of a JSON Lines file or of a JSON document (an array, an object).

    A document is recognised by its first line (``{`` or ``[`` alone, or a line ending in
    an opening bracket or a comma, as pretty-printed JSON starts) and read whole; its
    records have no line number. Arrays are opened, so ``[{...}, {...}]`` gives two records.
    """
    if is_document(file):
        document = read_document(file, log)
        if document is not BAD:
            yield from ((None, item) for item in _items(document))
        return
    for number, value in json_lines(file, log):
        yield from ((number, item) for item in _items(value))


def is_document(file: TraceFile) -> bool:
    """Whether the file is one JSON document rather than JSON Lines, judged by its first line."""
    first = file.text_head(4096).lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
    return first.startswith(b"[") or first.endswith((b"{", b"[", b","))


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def read_document(file: TraceFile, log: ProblemLog) -> Any:
    """Read a whole file as one JSON value; report where it breaks (line and column)."""
    with file.open() as stream:
        data = stream.read()
    try:
        return _decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        match = _BYTE_AT.search(str(exc))
        offset = int(match.group(1)) if match else getattr(exc, "start", 0)
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        code = TRUNCATED_LINE if "truncated" in str(exc) else MALFORMED_JSON
        log.report(
            code,
            f"not a valid JSON document ({exc}); file skipped",
            file.display,
            line,
            column=column,
        )
        return BAD


def _raise_csv_limit() -> None:
    """Lift the csv module's 128 KiB cell limit: exported logs put whole transcripts in cells."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is 32 bits on Windows
            limit //= 2


def csv_rows(file: TraceFile, log: ProblemLog) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each CSV row, keyed by the header's column names.

    Rows whose cell count differs from the header's are reported (ES708, or ES702 for the
    last row of a file cut off mid-row) and skipped; undecodable bytes are replaced (ES704).
    """
    _raise_csv_limit()
    with file.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text)
        header = [_clean(cell).strip() for cell in next(reader, [])]
        pending: tuple[int, list[str]] | None = None
        for line, row in _raw_rows(reader, file, log):
            if pending is not None:
                yield from _checked_row(pending, header, file, log, last=False)
            pending = (line, row)
        if pending is not None:
            yield from _checked_row(pending, header, file, log, last=True)


def _raw_rows(reader: Any, file: TraceFile, log: ProblemLog) -> Iterator[tuple[int, list[str]]]:
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            log.report(INVALID_RECORD, f"unreadable CSV row ({exc}); skipped", file.display, line)
            continue
        if any(cell.strip() for cell in row):
            yield line, row


def _checked_row(
    item: tuple[int, list[str]], header: list[str], file: TraceFile, log: ProblemLog, *, last: bool
) -> Iterator[tuple[int, dict[str, str]]]:
    line, row = item
    if len(row) != len(header):
        code = TRUNCATED_LINE if last and len(row) < len(header) else INVALID_RECORD
        message = f"row has {len(row)} cells but the header has {len(header)}; skipped"
        log.report(code, message, file.display, line)
        return
    cells = [_clean(cell) for cell in row]
    if cells != row:
        log.report(
            INVALID_UTF8, "bytes that are not UTF-8 replaced with U+FFFD", file.display, line
        )
    yield line, dict(zip(header, cells, strict=True))


def _clean(cell: str) -> str:
    """Replace bytes that surrogateescape kept (undecodable input) with U+FFFD."""
    if cell.isascii():
        return cell
    return re.sub("[\udc80-\udcff]", "\ufffd", cell)
