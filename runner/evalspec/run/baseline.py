"""The lock file ``evalspec.lock``: rates later checks must not exceed, and judge calibrations.

TOML, written with tomli-w, read with the standard library.

``evalspec baseline`` rewrites a spec's ``modes`` table; ``evalspec judge calibrate`` rewrites its
``judges`` table; each keeps what the other wrote. Specs are keyed by their project-relative path.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import msgspec
import tomli_w

from evalspec.diagnostics import error
from evalspec.errors import UsageError
from evalspec.run import codes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LOCK_VERSION = 1
LOCK_NAME = "evalspec.lock"
_HEADER = (
    "# evalspec.lock: written by `evalspec baseline` and `evalspec judge calibrate`; commit it.\n"
    "# `evalspec check --baseline` fails a mode whose rate rose significantly above this one.\n\n"
)


class ModeBaseline(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A mode's counts when the baseline was taken."""

    evaluated: int
    fired: int
    rate: str


class JudgeCalibration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A judge measured against human labels: TPR and TNR on the test split (Pass positive).

    ``tp``, ``fn``, ``tn`` and ``fp`` are the test split's confusion counts, from which the
    bootstrap of a corrected rate is rebuilt exactly.
    """

    model: str
    prompt_sha256: str
    labels_sha256: str
    labels: int
    split: list[int]
    seed: int
    train: int
    dev: int
    test: int
    dev_tpr: str
    dev_tnr: str
    tpr: str
    tnr: str
    tp: int
    fn: int
    tn: int
    fp: int
    calibrated: str


class SpecLock(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the lock records for one spec."""

    sha256: str = ""
    traces: int = 0
    fingerprint: str = ""
    modes: dict[str, ModeBaseline] = msgspec.field(default_factory=dict)
    judges: dict[str, JudgeCalibration] = msgspec.field(default_factory=dict)


class Lock(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The whole lock file."""

    version: int = LOCK_VERSION
    evalspec: str = ""
    specs: dict[str, SpecLock] = msgspec.field(default_factory=dict)


def read_lock(path: Path) -> Lock:
    """Read a lock file; a missing file is an empty lock, a broken one a usage error (exit 2)."""
    if not path.exists():
        return Lock()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        lock = msgspec.convert(data, Lock)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        message = f"the lock file is not valid: {exc}"
        raise UsageError(message, [error(codes.INVALID_LOCK, message, path.as_posix())]) from None
    if lock.version != LOCK_VERSION:
        message = f"lock file version {lock.version} is not supported (expected {LOCK_VERSION})"
        raise UsageError(message, [error(codes.INVALID_LOCK, message, path.as_posix())])
    return lock


def write_lock(path: Path, lock: Lock) -> None:
    """Write the lock file deterministically (sorted tables, decimal strings, no floats)."""
    data = msgspec.to_builtins(lock)
    path.write_text(_HEADER + tomli_w.dumps(_sorted(data)), encoding="utf-8")


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    return value


def lock_schema() -> dict[str, Any]:
    """Return the JSON Schema committed as ``schemas/evalspec-lock.v1.schema.json``."""
    from evalspec._schema import publish

    return publish(
        Lock, "evalspec-lock.v1.schema.json", "evalspec lock file (evalspec.lock, TOML), version 1"
    )
