"""Human labels: the JSONL files named by ``labels`` in a suite or a judge.

One label per line::

    {"trace_id": "tr_0012", "label": "fail", "mode": "missing_refusal", "note": "answered"}

``label`` is ``pass`` or ``fail`` (``PASS``/``FAIL``, ``1``/``0`` and booleans are read too;
``null`` or ``defer`` means not yet decided). ``pass`` means the trace does **not** show the
failure mode. ``mode`` is absent in a judge's own labels file (every line is about that judge's
mode). A label may carry the trace itself (``input``, ``output`` or a whole ``trace`` record), so
that a judge can be calibrated on traces that are not in the trace source. Later lines override
earlier ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from evalspec.diagnostics import Diagnostic, Span, error
from evalspec.run import codes
from evalspec.traces import Trace

_TRUE = {"pass", "passed", "1", "true", "ok", "good"}
_FALSE = {"fail", "failed", "0", "false", "bad"}


class Label(msgspec.Struct, kw_only=True):
    """One human verdict on one trace (optionally for one mode), with the trace if given."""

    trace_id: str
    label: str | None
    mode: str | None = None
    note: str | None = None
    annotator: str | None = None
    record: dict[str, Any] | None = None


def read_labels(path: Path, shown: str) -> tuple[list[Label], list[Diagnostic]]:
    """Read a labels file; bad lines are reported with their line number and skipped."""
    labels: list[Label] = []
    problems: list[Diagnostic] = []
    for number, raw in _lines(path):
        try:
            labels.append(_label(msgspec.json.decode(raw)))
        except (msgspec.DecodeError, ValueError, TypeError) as exc:
            problems.append(
                error(codes.LABELS_INVALID, f"invalid label: {exc}", shown, Span.point(number, 1))
            )
    return labels, problems


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield number, raw


def _label(value: Any) -> Label:
    if not isinstance(value, dict) or "trace_id" not in value and "id" not in value:
        raise ValueError("a label is an object with a trace_id")
    record = value.get("trace")
    if record is None and ("input" in value or "output" in value):
        record = {k: value[k] for k in ("input", "output", "messages", "tool_calls") if k in value}
    trace_id = str(value.get("trace_id", value.get("id")))
    full = {"id": trace_id, **record} if isinstance(record, dict) else None
    if full is not None:
        # Checked here, where the line number is known: a label carrying an invalid trace
        # (``"output": 123``) used to crash ``check`` and ``judge calibrate`` with a traceback.
        try:
            msgspec.convert(full, Trace)
        except msgspec.ValidationError as exc:
            raise ValueError(f"its trace is not a valid trace record: {exc}") from None
    return Label(
        trace_id=trace_id,
        label=normalise(value.get("label", value.get("verdict"))),
        mode=value.get("mode"),
        note=value.get("note"),
        annotator=value.get("annotator"),
        record=full,
    )


def normalise(value: Any) -> str | None:
    """Map the spellings of a verdict to ``pass``, ``fail`` or ``None`` (undecided)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return "pass"
    if text in _FALSE:
        return "fail"
    if text in ("", "defer", "deferred", "skip", "unsure", "null", "none"):
        return None
    raise ValueError(f"unknown label {value!r}; use pass or fail")


def human_outcomes(labels: list[Label]) -> dict[tuple[str, str], str]:
    """(mode, trace id) -> "pass"/"fail" for labels that name a mode; later lines win."""
    return {(lab.mode, lab.trace_id): lab.label for lab in labels if lab.mode and lab.label}
