"""What rules read besides the spec: the lock file, label files and the traces a spec names.

Everything here is offline and read-only. A :class:`Project` caches what several files of one
lint run share: the lock, label files, and small trace sources (a reviewed sample is read once
for every spec that names it); a large source is streamed per spec, only until every named id
is found.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalspec import ir
from evalspec.errors import TraceError, UsageError

if TYPE_CHECKING:
    from evalspec.run.baseline import Lock
    from evalspec.run.labels import Label
    from evalspec.traces.record import Trace

#: Trace codes meaning "the pattern matches no file" (reported by ES105, not as a lookup failure).
_NO_FILES = "ES714"


@dataclass(frozen=True)
class TraceLookup:
    """The traces a spec names, as found in its suite's source.

    ``source`` lists the patterns looked in (the suite's ``examples``, else its ``traces``);
    ``found`` maps ids to traces; ``problem`` says why the source could not be read, and
    ``no_files`` that its patterns match no file (ES105's finding, so lookups stay quiet);
    ``truncated`` that reading stopped at a limit before the end of the source.
    """

    source: tuple[str, ...]
    found: dict[str, Trace]
    problem: str | None = None
    no_files: bool = False
    truncated: bool = False


def lookup_traces(
    root: Path, suite: ir.Suite | None, ids: Collection[str] | None, limit: int | None = None
) -> TraceLookup:
    """Look ``ids`` up in the suite's example source (every trace: ``None``), up to ``limit``."""
    from evalspec.traces import find_traces

    source = tuple(suite.example_source) if suite else ()
    if not source:
        return TraceLookup(source, {})
    try:
        found, truncated = find_traces(
            source, ids, base_dir=root, format=suite.trace_format if suite else None, limit=limit
        )
    except TraceError as exc:
        if any(d.code == _NO_FILES for d in exc.diagnostics):
            return TraceLookup(source, {}, no_files=True)
        return TraceLookup(source, {}, problem=str(exc))
    except UsageError as exc:
        return TraceLookup(source, {}, problem=str(exc))
    return TraceLookup(source, found, truncated=truncated)


#: A trace source with at most this many traces is read once and kept for every spec using it.
SHARED_TRACES = 10_000


@dataclass
class Project:
    """Per-process caches shared by the files of one lint run, keyed by absolute path."""

    _locks: dict[Path, Lock] = field(default_factory=dict)
    _labels: dict[Path, list[Label] | None] = field(default_factory=dict)
    _sources: dict[tuple[Path, tuple[str, ...], str | None], TraceLookup | None] = field(
        default_factory=dict
    )

    def traces(self, root: Path, suite: ir.Suite | None, ids: Collection[str]) -> TraceLookup:
        """Look ``ids`` up in the suite's trace source.

        A small source (a reviewed sample) is read once and shared by every spec that names it;
        a larger one is streamed for each spec, stopping when every id is found.
        """
        source = tuple(suite.example_source) if suite else ()
        if not source or not ids:
            return TraceLookup(source, {})
        key = (root, source, suite.trace_format if suite else None)
        if key not in self._sources:
            whole = lookup_traces(root, suite, None, limit=SHARED_TRACES)
            self._sources[key] = None if whole.truncated else whole
        shared = self._sources[key]
        if shared is None:
            return lookup_traces(root, suite, ids)
        found = {i: shared.found[i] for i in ids if i in shared.found}
        return TraceLookup(source, found, shared.problem, shared.no_files)

    def lock(self, root: Path) -> Lock:
        """The project's ``evalspec.lock`` (an empty lock when there is none).

        Raises:
            UsageError: the lock file does not parse (exit code 2, as for ``check``).
        """
        from evalspec.run.baseline import LOCK_NAME, read_lock

        path = root / LOCK_NAME
        if path not in self._locks:
            self._locks[path] = read_lock(path)
        return self._locks[path]

    def labels(self, path: Path) -> list[Label] | None:
        """The decided and undecided labels of a labels file; ``None`` when it cannot be read.

        Lines that are not valid labels are skipped: ``check`` and ``judge calibrate`` report them.
        """
        from evalspec.run.labels import read_labels

        if path not in self._labels:
            try:
                self._labels[path] = read_labels(path, path.as_posix())[0]
            except OSError:
                self._labels[path] = None
        return self._labels[path]
