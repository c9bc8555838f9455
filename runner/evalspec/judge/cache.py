"""The verdict cache: every judge verdict on disk, keyed by what was asked.

Two stores share one small interface (:class:`VerdictStore`):

- :class:`VerdictCache`, an embedded SQLite database (stdlib ``sqlite3``). Each verdict is written
  and committed the moment it arrives, so an interrupted run loses nothing it paid for. WAL mode
  and a busy timeout let several processes share one file; ``INSERT ... ON CONFLICT DO NOTHING``
  means the first verdict stored for a key stays, whoever wrote it. ``PRAGMA user_version`` holds
  the schema version, and a file written by a newer schema is refused rather than misread.
- :class:`ReplayCache`, a read-only view of an exported JSONL file. CI commits that file and
  replays verdicts without an API key and without SQLite writes. Verdicts fetched during a replay
  are kept in memory for the run only (listed in ``unsaved``) and never written back.

Only ``pass``/``fail`` verdicts are stored. An ``error`` (an unparseable answer, an endpoint that
stayed down) is not a verdict: caching it would turn a transient fault into a permanent one, and
``--offline`` would replay "error" where the truth is "never judged". A re-run asks again.

The exported JSONL is sorted by key, one object per line with the fields in a fixed order::

    {"key":"3f1c…","model":"gpt-4.1-mini","result":"fail","critique":"…","created":"2026-11-20T10:00:00Z"}

No prompt text and no secret is stored: the key is a SHA-256 over the prompt, not the prompt.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Protocol

import msgspec

from evalspec.errors import EvalspecError

__all__ = [
    "KEY_VERSION",
    "SCHEMA_VERSION",
    "CacheError",
    "CachedVerdict",
    "ReplayCache",
    "VerdictCache",
    "VerdictStore",
    "key",
    "open_cache",
]

#: Version of the SQLite schema, stored in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

#: Mixed into every key, so that a change in how keys are derived invalidates old entries
#: instead of silently matching them.
KEY_VERSION = "evalspec.judge.v1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verdicts (
    key      TEXT PRIMARY KEY,
    model    TEXT NOT NULL,
    result   TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
    critique TEXT NOT NULL,
    created  TEXT NOT NULL
) WITHOUT ROWID
"""
_COLUMNS = "key, model, result, critique, created"


class CacheError(EvalspecError):
    """The cache file cannot be used: corrupt, from a newer schema, or a malformed JSONL line."""


class CachedVerdict(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One stored verdict; also the exact shape of a line of the exported JSONL file.

    ``result`` is the guard's verdict (``fail``: the judge answered FAIL, the mode fires);
    ``created`` is the UTC time it was first stored, ISO 8601 with seconds.
    """

    key: str
    model: str
    result: Literal["pass", "fail"]
    critique: str
    created: str


class VerdictStore(Protocol):
    """What the judge client needs from a cache."""

    def get(self, key: str) -> CachedVerdict | None:
        """Return the verdict stored under ``key``, or None."""
        ...

    def put(
        self, key: str, model: str, result: str, critique: str, *, created: str | None = None
    ) -> bool:
        """Store a verdict unless ``key`` is present; return whether it was stored."""
        ...


def key(model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> str:
    """Return the cache key: SHA-256 (hex) of a canonical JSON of what the judge is asked.

    ``messages`` are the rendered chat messages and ``params`` the sampling parameters that can
    change the answer (temperature, max_tokens). Transport details (base URL, API key, timeouts,
    whether JSON mode was used) are deliberately left out, so a verdict replays whichever
    endpoint or proxy produced it.
    """
    payload = {"v": KEY_VERSION, "model": model, "messages": messages, "params": params}
    return hashlib.sha256(msgspec.json.encode(payload, order="sorted")).hexdigest()


def now_utc() -> str:
    """Return the current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_result(result: str) -> Literal["pass", "fail"]:
    if result == "pass":
        return "pass"
    if result == "fail":
        return "fail"
    raise ValueError(f"only pass/fail verdicts are cached, not {result!r}")


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(CachedVerdict)


def _write_jsonl(path: str | os.PathLike[str], rows: Iterator[CachedVerdict]) -> int:
    """Write rows (already sorted) atomically: a crash never leaves a half-written export."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    count = 0
    with open(tmp, "wb") as out:
        for row in rows:
            out.write(_ENCODER.encode(row) + b"\n")
            count += 1
    os.replace(tmp, target)
    return count


def _read_jsonl(path: str | os.PathLike[str]) -> Iterator[CachedVerdict]:
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise CacheError(f"cannot read verdict file {os.fspath(path)}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield _DECODER.decode(line)
            except msgspec.DecodeError as exc:
                where = f"{os.fspath(path)}:{number}"
                raise CacheError(f"{where}: invalid verdict line: {exc}") from exc


class VerdictCache:
    """Verdicts in an SQLite file, committed one by one, safe to share between processes.

    Usable as a context manager; :meth:`close` releases the file. The connection may be used
    from several threads (calls are serialised by a lock).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit (isolation_level=None): each INSERT is its own committed transaction.
            self._db = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open verdict cache {self.path}: {exc}") from exc
        try:
            self._setup()
        except BaseException as exc:
            self._db.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise CacheError(f"cannot open verdict cache {self.path}: {exc}") from exc
            raise

    def _setup(self) -> None:
        # WAL lets readers and one writer from other processes proceed together; NORMAL sync
        # keeps every committed verdict through a killed process (not an OS crash) while
        # avoiding an fsync per verdict, which would dominate a fast run.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"verdict cache {self.path} has schema version {version}; this evalspec reads "
                f"up to {SCHEMA_VERSION}: upgrade evalspec or use another cache file"
            )
        if version < SCHEMA_VERSION:
            self._db.execute("BEGIN IMMEDIATE")  # one process creates, the others wait
            self._db.execute(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")

    def get(self, key: str) -> CachedVerdict | None:
        """Return the verdict stored under ``key``, or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM verdicts WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else CachedVerdict(*row)

    def put(
        self, key: str, model: str, result: str, critique: str, *, created: str | None = None
    ) -> bool:
        """Store and commit a verdict unless ``key`` is present; return whether it was stored.

        Raises:
            ValueError: ``result`` is not ``pass`` or ``fail`` (errors are never cached).
        """
        row = (key, model, _check_result(result), critique, created or now_utc())
        with self._lock:
            cursor = self._db.execute(
                f"INSERT INTO verdicts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                row,
            )
        return cursor.rowcount == 1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self) -> int:
        with self._lock:
            count: int = self._db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
        return count

    def __iter__(self) -> Iterator[CachedVerdict]:
        """Yield every verdict, sorted by key."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM verdicts ORDER BY key").fetchall()
        return (CachedVerdict(*row) for row in rows)

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every verdict to a diffable JSONL file (sorted by key); return the count."""
        return _write_jsonl(path, iter(self))

    def import_jsonl(self, path: str | os.PathLike[str], *, replace: bool = False) -> int:
        """Load verdicts from an exported JSONL file in one transaction; return how many changed.

        Existing keys are kept unless ``replace`` is true.

        Raises:
            CacheError: the file is missing or a line is not a verdict (nothing is imported).
        """
        rows = [(v.key, v.model, v.result, v.critique, v.created) for v in _read_jsonl(path)]
        conflict = "REPLACE" if replace else "IGNORE"
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    f"INSERT OR {conflict} INTO verdicts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)", rows
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return self._db.total_changes - before

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> VerdictCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VerdictCache({os.fspath(self.path)!r})"


class ReplayCache:
    """A read-only cache backed by an exported JSONL file (for CI: no key, no SQLite writes).

    ``put`` keeps a verdict in memory for this run only, so a duplicate prompt is not asked
    twice; ``unsaved`` lists those verdicts so the caller can say they were not recorded.
    """

    readonly = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._rows = {v.key: v for v in _read_jsonl(self.path)}
        self.unsaved: list[CachedVerdict] = []

    def get(self, key: str) -> CachedVerdict | None:
        """Return the verdict replayed (or fetched this run) under ``key``, or None."""
        return self._rows.get(key)

    def put(
        self, key: str, model: str, result: str, critique: str, *, created: str | None = None
    ) -> bool:
        """Remember a verdict for this run only; nothing is written. Return whether it is new."""
        if key in self._rows:
            return False
        row = CachedVerdict(key, model, _check_result(result), critique, created or now_utc())
        self._rows[key] = row
        self.unsaved.append(row)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[CachedVerdict]:
        """Yield every verdict, sorted by key."""
        return iter(sorted(self._rows.values(), key=lambda v: v.key))

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write the replayed and fetched verdicts to a JSONL file; return the count."""
        return _write_jsonl(path, iter(self))

    def __repr__(self) -> str:
        return f"ReplayCache({os.fspath(self.path)!r})"


def open_cache(path: str | os.PathLike[str]) -> VerdictCache | ReplayCache:
    """Open ``path``: a ``.jsonl`` file replays read-only, anything else is an SQLite cache."""
    if Path(path).suffix == ".jsonl":
        return ReplayCache(path)
    return VerdictCache(path)
