"""OpenAI Chat Completions logs, one call (or conversation) per JSON line.

Accepted line shapes:

- ``{"messages": [...]}``, optionally with ``"choices"`` or a ``"response"`` (fine-tuning
  files, simple conversation logs);
- ``{"request": {"messages": [...], "model": ...}, "response": {chat.completion}}``, where the
  response may also be a string, an assistant message or ``{"messages": [...]}``;
- OpenAI Batch API files: input lines (``{"custom_id", "body": {...}}``) and output lines
  (``{"custom_id", "response": {"body": {chat.completion}}}``);
- a bare ``chat.completion`` object.

The trace id is the line's own ``id``, ``trace_id``, ``conversation_id`` or ``custom_id``,
else the response id, else ``<file>:<line>``. Other top-level keys go to ``metadata``, and
``open_coding``/``axial_coding_code`` (the course annotation tool) become a HUMAN annotation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evalspec.traces.base import Fields, Importer, Item, from_messages, made_up_id, source
from evalspec.traces.codes import INVALID_RECORD
from evalspec.traces.messages import message, messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, json_lines
from evalspec.traces.record import Annotation, Message, Trace

_ID_KEYS = ("id", "trace_id", "conversation_id", "custom_id")
_KNOWN = frozenset({
    *_ID_KEYS, "messages", "request", "response", "choices", "body", "method", "url",
    "metadata", "usage", "model", "created", "object", "system_fingerprint", "service_tier",
    "tools", "tool_choice", "session_id", "thread_id", "user_id", "user", "timestamp",
    "latency_ms", "cost", "error", "open_coding", "axial_coding_code", "temperature",
    "max_tokens", "top_p", "response_format", "stream", "n", "seed",
})  # fmt: skip


class OpenAIImporter(Importer):
    """OpenAI Chat Completions request/response logs (JSONL)."""

    name = "openai"
    title = "OpenAI chat completions JSONL"

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per JSON line."""
        for line, value in json_lines(file, log):
            ctx = RecordContext(log, file.display, line)
            if type(value) is not dict:
                ctx.report(INVALID_RECORD, f"a JSON {type(value).__name__} where an object belongs")
                continue
            trace = convert(value, file, ctx)
            if trace is not None:
                yield line, trace


def convert(value: dict[str, Any], file: TraceFile, ctx: RecordContext) -> Trace | None:
    """Convert one decoded line to a trace (``None`` when it holds no conversation)."""
    request, response = _split(value)
    msgs = messages(request.get("messages"), ctx)
    reply = _reply(response, ctx)
    if reply is None and "choices" in value and response is not value:
        reply = _reply(value, ctx)
    if reply:
        msgs.extend(reply)
    if not msgs:
        ctx.report(INVALID_RECORD, "no messages, choices or response in this line; skipped")
        return None
    fields = Fields(ctx)
    response_id = response.get("id") if type(response) is dict else None
    trace_id = _trace_id(value) or response_id or made_up_id(file, ctx.line)
    return from_messages(
        str(trace_id),
        msgs,
        metadata=_metadata(value, request, response),
        session_id=_opt(value.get("session_id") or value.get("thread_id")),
        user_id=_opt(value.get("user_id") or request.get("user")),
        start_time=fields.time(_first(value, response, "created", "timestamp"), "created"),
        latency_ms=fields.integer(value.get("latency_ms"), "latency_ms"),
        usage=fields.usage(_first(response, value, "usage")),
        cost=fields.decimal(value.get("cost"), "cost"),
        annotations=_annotations(value),
        source=source("openai", file, ctx.line, response_id=response_id),
    )


def _split(value: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Return the request part and the response part of a line."""
    request = value.get("request")
    if type(request) is not dict:
        body = value.get("body")
        request = body if type(body) is dict and "messages" in body else value
    response = value.get("response")
    if type(response) is dict and type(response.get("body")) is dict:
        response = response["body"]  # Batch API output
    elif response is None and "choices" in value:
        response = value
    return request, response


def _reply(response: Any, ctx: RecordContext) -> list[Message] | None:
    if response is None:
        return None
    if type(response) is str:
        return [Message(role="assistant", content=response)]
    if type(response) is not dict:
        return messages(response, ctx) if isinstance(response, list) else None
    choices = response.get("choices")
    if type(choices) is list and choices:
        first = choices[0]
        found = message(first.get("message"), ctx) if type(first) is dict else None
        if found is None and type(first) is dict and type(first.get("text")) is str:
            found = Message(role="assistant", content=first["text"])  # legacy completions
        return [found] if found is not None else None
    if "messages" in response:
        return messages(response["messages"], ctx)
    if "role" in response:
        found = message(response, ctx)
        return [found] if found is not None else None
    return None


def _trace_id(value: dict[str, Any]) -> str | None:
    for key in _ID_KEYS:
        found = value.get(key)
        if found is not None and found != "" and not (key == "id" and "choices" in value):
            return str(found)
    return None


def _metadata(value: dict[str, Any], request: dict[str, Any], response: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    model = request.get("model") or (response.get("model") if type(response) is dict else None)
    if model:
        meta["model"] = model
    if type(response) is dict:
        choices = response.get("choices")
        if type(choices) is list and choices and type(choices[0]) is dict:
            reason = choices[0].get("finish_reason")
            if reason:
                meta["finish_reason"] = reason
    for key, item in value.items():
        if key not in _KNOWN:
            meta[key] = item
    extra = value.get("metadata")
    if type(extra) is dict:
        meta.update(extra)
    return meta


def _annotations(value: dict[str, Any]) -> list[Annotation]:
    note, code = value.get("open_coding"), value.get("axial_coding_code")
    if not note and not code:
        return []
    return [Annotation(name=str(code or "overall"), kind="HUMAN", label=_opt(code), note=_opt(note))]


def _first(primary: Any, secondary: Any, *keys: str) -> Any:
    for holder in (primary, secondary):
        if type(holder) is dict:
            for key in keys:
                if holder.get(key) is not None:
                    return holder[key]
    return None


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
