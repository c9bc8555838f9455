"""The importer interface and helpers that several importers share."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any, ClassVar

from evalspec.traces.codes import INVALID_VALUE
from evalspec.traces.messages import first_text, last_text, transcript
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile
from evalspec.traces.record import Message, Source, Trace, Usage, Verdict
from evalspec.traces.values import decimal_text, integer, millis_between, timestamp

#: What an importer yields: the 1-based line a trace starts on (``None`` inside a JSON
#: document) and the trace.
Item = tuple[int | None, Trace]


class Importer(abc.ABC):
    """Reads one trace format into :class:`~evalspec.traces.record.Trace` records.

    Subclasses set ``name`` (the format name used by ``--format`` and ``format "..."``),
    ``title`` (a human name) and ``streams`` (``False`` when the importer holds one file's
    records in memory, as span-based formats must to group spans into traces), and
    implement :meth:`read`. A bad record is reported to the log and skipped; it never stops
    the file.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    streams: ClassVar[bool] = True

    @abc.abstractmethod
    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield ``(line, trace)`` for every trace in ``file``."""

    def read_batches(self, file: TraceFile, log: ProblemLog, size: int) -> Iterator[list[Item]]:
        """Yield lists of items; the default groups :meth:`read`, fast paths override it."""
        batch: list[Item] = []
        for item in self.read(file, log):
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


def made_up_id(file: TraceFile, line: int | None, index: int = 0) -> str:
    """Return a stable id for a record without one: ``<file>:<line>`` (``#<n>`` in documents)."""
    if line is None:
        return f"{file.name}#{index + 1}"
    return f"{file.name}:{line}"


def source(fmt: str, file: TraceFile, line: int | None, **raw_ids: Any) -> Source:
    """Build a :class:`Source` for ``file`` and ``line`` with the non-empty ``raw_ids``."""
    ids = {key: str(value) for key, value in raw_ids.items() if value not in (None, "")}
    return Source(format=fmt, file=file.name, line=line, raw_ids=ids)


def from_messages(trace_id: str, msgs: list[Message], **fields: Any) -> Trace:
    """Build a trace whose ``input``, ``output`` and ``tool_calls`` come from ``msgs``.

    Explicit ``input``/``output`` keyword arguments win over the ones derived from messages.
    """
    calls = transcript(msgs)
    if fields.get("input") is None:
        fields["input"] = first_text(msgs, "user")
    if fields.get("output") is None:
        fields["output"] = last_text(msgs, "assistant")
    return Trace(id=trace_id, messages=msgs, tool_calls=calls, **fields)


class Fields:
    """Reads optional typed fields for one record, reporting values that do not fit (ES709)."""

    __slots__ = ("ctx",)

    def __init__(self, ctx: RecordContext) -> None:
        self.ctx = ctx

    def time(self, value: Any, what: str) -> str | None:
        """Return an ISO-8601 UTC timestamp, or ``None``."""
        if value is None or value == "":
            return None
        try:
            return timestamp(value)
        except (ValueError, OverflowError):
            self.ctx.report(INVALID_VALUE, f"{what} {value!r} is not a timestamp; dropped")
            return None

    def decimal(self, value: Any, what: str) -> str | None:
        """Return a decimal string, or ``None``."""
        if value is None or value == "":
            return None
        try:
            return decimal_text(value)
        except ValueError:
            self.ctx.report(INVALID_VALUE, f"{what} {value!r} is not a number; dropped")
            return None

    def integer(self, value: Any, what: str) -> int | None:
        """Return a whole number, or ``None``."""
        if value is None or value == "":
            return None
        try:
            return integer(value)
        except ValueError:
            self.ctx.report(INVALID_VALUE, f"{what} {value!r} is not a whole number; dropped")
            return None

    def latency(self, start: str | None, end: str | None) -> int | None:
        """Return milliseconds from ``start`` to ``end`` when both are known."""
        try:
            return millis_between(start, end)
        except ValueError:
            return None

    def usage(self, raw: Any) -> Usage | None:
        """Read token counts from the usage shapes of OpenAI, Anthropic, Inspect and Langfuse."""
        if type(raw) is not dict:
            return None
        found = raw.get("prompt_tokens"), raw.get("completion_tokens"), raw.get("total_tokens")
        if type(found[0]) is int and type(found[1]) is int and type(found[2]) is int:
            return Usage(input_tokens=found[0], output_tokens=found[1], total_tokens=found[2])
        pick = _pick_int
        usage = Usage(
            input_tokens=self.integer(pick(raw, _INPUT_TOKENS), "input tokens"),
            output_tokens=self.integer(pick(raw, _OUTPUT_TOKENS), "output tokens"),
            total_tokens=self.integer(pick(raw, _TOTAL_TOKENS), "total tokens"),
        )
        if usage.total_tokens is None and None not in (usage.input_tokens, usage.output_tokens):
            usage.total_tokens = (usage.input_tokens or 0) + (usage.output_tokens or 0)
        if usage.input_tokens is usage.output_tokens is usage.total_tokens is None:
            return None
        return usage


_INPUT_TOKENS = ("input_tokens", "prompt_tokens", "input", "promptTokens")
_OUTPUT_TOKENS = ("output_tokens", "completion_tokens", "output", "completionTokens")
_TOTAL_TOKENS = ("total_tokens", "total", "totalTokens", "tokens")


def _pick_int(raw: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = raw.get(key)
        if value is not None:
            return value
    return None


def add_usage(total: Usage | None, more: Usage | None) -> Usage | None:
    """Sum two token counts field by field (``None`` counts as absent, not zero)."""
    if more is None:
        return total
    if total is None:
        return Usage(
            input_tokens=more.input_tokens,
            output_tokens=more.output_tokens,
            total_tokens=more.total_tokens,
        )
    for name in ("input_tokens", "output_tokens", "total_tokens"):
        left, right = getattr(total, name), getattr(more, name)
        setattr(total, name, right if left is None else left + (right or 0))
    return total


def verdict_of(value: Any) -> Verdict | None:
    """Read a binary label: ``pass``/``fail`` from words, booleans, ``C``/``I`` and 1/0."""
    if isinstance(value, bool):
        return "pass" if value else "fail"
    if isinstance(value, (int, float)):
        return "pass" if value == 1 else ("fail" if value == 0 else None)
    if isinstance(value, str):
        return _VERDICTS.get(value.strip().lower())
    return None


_VERDICTS: dict[str, Verdict] = {
    "pass": "pass",
    "passed": "pass",
    "true": "pass",
    "yes": "pass",
    "c": "pass",
    "correct": "pass",
    "good": "pass",
    "1": "pass",
    "fail": "fail",
    "failed": "fail",
    "false": "fail",
    "no": "fail",
    "i": "fail",
    "incorrect": "fail",
    "bad": "fail",
    "0": "fail",
}
