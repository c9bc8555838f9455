"""Split evalspec JSONL files into byte ranges that workers read on their own.

A range ``[start, end)`` owns every line that *begins* inside it, so ranges cut anywhere cover each
line exactly once. Workers never see each other's data: no record crosses a process boundary,
only counts come back. Line numbers are counted per range and made absolute afterwards, when a
problem has to be reported.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: Smallest range worth a task of its own.
MIN_CHUNK = 8 << 20


@dataclass(frozen=True)
class Chunk:
    """A byte range of one file; ``index`` orders chunks for merging results and line numbers."""

    index: int
    path: Path
    display: str
    name: str
    start: int
    end: int


def plan_chunks(files: list[tuple[Path, str, str]], jobs: int) -> list[Chunk]:
    """Cut ``(path, display, name)`` files into about ``4 * jobs`` ranges of similar size."""
    sizes = [(p, d, n, os.path.getsize(p)) for p, d, n in files]
    total = sum(size for *_, size in sizes)
    target = max(MIN_CHUNK, total // max(4 * jobs, 1) + 1)
    chunks: list[Chunk] = []
    for path, display, name, size in sizes:
        start = 0
        while start < size or (size == 0 and start == 0):
            end = min(size, start + target)
            chunks.append(Chunk(len(chunks), path, display, name, start, end))
            if size == 0:
                break
            start = end
    return chunks


def open_range(path: Path, start: int, end: int) -> io.BufferedReader:
    """Return a stream over the lines that begin in ``[start, end)``."""
    handle = path.open("rb")
    if start > 0:
        handle.seek(start - 1)
        if handle.read(1) != b"\n":
            handle.readline()  # the line in progress belongs to the previous range
    return io.BufferedReader(_Bounded(handle, end))


class _Bounded(io.RawIOBase):
    """Read up to ``end``, then to the end of the line that straddles it."""

    def __init__(self, handle: IO[bytes], end: int) -> None:
        super().__init__()
        self.handle = handle
        self.end = end
        self.finished = False
        self.last = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.finished:
            return 0
        left = self.end - self.handle.tell()
        if left > 0:
            data = self.handle.read(min(len(buffer), left))
        elif self.last == b"\n":  # the next line begins at ``end``: the next range's
            data, self.finished = b"", True
        else:
            data = self.handle.readline()  # finish the line that straddles ``end``
            self.finished = True
        buffer[: len(data)] = data
        if data:
            self.last = data[-1:]
        else:
            self.finished = True
        return len(data)

    def close(self) -> None:
        self.handle.close()
        super().close()


def first_line(path: Path, start: int) -> int:
    """The number of the first line a range starting at ``start`` owns (1-based).

    A range that starts inside a line skips to the next one (see :func:`open_range`), so its
    first line is one further than the line breaks before ``start`` suggest.
    """
    if start == 0:
        return 1
    with path.open("rb") as handle:
        handle.seek(start - 1)
        inside = handle.read(1) != b"\n"
    return lines_before(path, start) + 1 + inside


def lines_before(path: Path, offset: int) -> int:
    """Count the line breaks before ``offset``."""
    count = 0
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0:
            block = handle.read(min(remaining, 8 << 20))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def iter_files(chunks: list[Chunk]) -> Iterator[Path]:
    """The distinct files of a plan, in order."""
    seen: set[Path] = set()
    for chunk in chunks:
        if chunk.path not in seen:
            seen.add(chunk.path)
            yield chunk.path
