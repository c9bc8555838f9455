"""Helpers for the trace tests: read fixtures, list problems, build Inspect ``.eval`` archives."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evalspec.traces import ProblemLog, Trace, read_traces

FIXTURES = Path(__file__).parent / "fixtures"


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Work in ``folder``, so diagnostics name files relative to it."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def read(
    patterns: str | Sequence[str], base: Path = FIXTURES, **options: Any
) -> tuple[list[Trace], ProblemLog]:
    """Read traces from ``base`` (also the working directory) with their problem log."""
    log = ProblemLog()
    names = [patterns] if isinstance(patterns, str) else list(patterns)
    with inside(base):
        traces = list(read_traces(names, base_dir=base, problems=log, **options))
    return traces, log


def by_id(traces: list[Trace]) -> dict[str, Trace]:
    return {trace.id: trace for trace in traces}


def problems(log: ProblemLog) -> list[tuple[str, str, int | None]]:
    """Return ``(code, path, line)`` for every kept diagnostic."""
    return [(d.code, d.path, d.span.line if d.span else None) for d in log.in_order()]


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def zip_archive(path: Path, members: Mapping[str, bytes], *, zstd: bool = True) -> Path:
    """Write a zip whose members are Zstandard-compressed (method 93), as Inspect AI does.

    Python's ``zipfile`` cannot write that method, so the archive is assembled by hand.
    """
    import zstandard

    body, central = bytearray(), bytearray()
    for name, data in members.items():
        packed = zstandard.ZstdCompressor().compress(data) if zstd else data
        method, crc, raw_name = (93 if zstd else 0), zlib.crc32(data), name.encode()
        sizes = (crc, len(packed), len(data), len(raw_name))
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 63, 0, method, 0, 0x21, *sizes, 0)
        body += raw_name + packed
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            63,
            63,
            0,
            method,
            0,
            0x21,
            *sizes,
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += raw_name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0
    )
    path.write_bytes(bytes(body + central + end))
    return path
