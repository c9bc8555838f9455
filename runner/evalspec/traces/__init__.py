"""Traces: importers for the formats teams log, one normalised record, sampling.

Public API::

    read_traces(patterns, *, base_dir, format=None, strict=False, problems=None) -> Iterator[Trace]
    iter_batches(patterns, *, base_dir, ..., batch_size=1000) -> Iterator[list[Trace]]
    find_traces(patterns, ids, *, base_dir, format=None, limit=None) -> (by id, truncated)
    detect_format(path) -> str
    IMPORTERS: Mapping[str, Importer]  (importers load on first use)
    ProblemLog
"""

from __future__ import annotations

from evalspec.traces.base import Importer
from evalspec.traces.problems import ProblemLog
from evalspec.traces.record import (
    Annotation,
    Message,
    Part,
    Source,
    Span,
    ToolCall,
    Trace,
    Usage,
    trace_schema,
)
from evalspec.traces.registry import IMPORTERS, detect_format, resolve_format
from evalspec.traces.stream import find_traces, iter_batches, plan_files, read_traces

__all__ = [
    "IMPORTERS",
    "Annotation",
    "Importer",
    "Message",
    "Part",
    "ProblemLog",
    "Source",
    "Span",
    "ToolCall",
    "Trace",
    "Usage",
    "detect_format",
    "find_traces",
    "iter_batches",
    "plan_files",
    "read_traces",
    "resolve_format",
    "trace_schema",
]
