"""Writing traces as evalspec JSONL, and ``convert`` (any format in, evalspec JSONL out)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

import msgspec

from evalspec.traces.problems import ProblemLog
from evalspec.traces.record import Trace
from evalspec.traces.stream import iter_batches

_encoder = msgspec.json.Encoder()
#: Traces encoded per write. Small batches keep the traces in the CPU cache between decoding
#: and encoding; batches of a thousand made conversion nearly twice as slow.
_SMALL_BATCH = 32


def write_jsonl(traces: Iterable[Trace], out: IO[bytes], *, batch_size: int = _SMALL_BATCH) -> int:
    """Write ``traces`` to ``out`` as evalspec JSONL, one record per line; return the count."""
    count = 0
    batch: list[Trace] = []
    for trace in traces:
        batch.append(trace)
        if len(batch) >= batch_size:
            out.write(_encoder.encode_lines(batch))
            count += len(batch)
            batch = []
    if batch:
        out.write(_encoder.encode_lines(batch))
        count += len(batch)
    return count


def convert(
    patterns: Sequence[str],
    out: IO[bytes],
    *,
    base_dir: Path,
    format: str | None = None,
    strict: bool = False,
    problems: ProblemLog | None = None,
    columns: Mapping[str, str] | None = None,
    confine: bool = False,
) -> int:
    """Read traces in any supported format and write them to ``out`` as evalspec JSONL.

    Returns the number of traces written. Arguments are those of
    :func:`~evalspec.traces.read_traces`; paths are not confined by default because
    ``convert`` is a command-line tool reading files its user names.
    """
    count = 0
    batches = iter_batches(
        patterns,
        base_dir=base_dir,
        format=format,
        strict=strict,
        problems=problems,
        batch_size=_SMALL_BATCH,
        columns=columns,
        confine=confine,
    )
    for batch in batches:
        out.write(_encoder.encode_lines(batch))
        count += len(batch)
    return count
