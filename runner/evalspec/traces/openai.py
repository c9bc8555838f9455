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

import msgspec

from evalspec.traces.base import Fields, Importer, Item, from_messages, made_up_id
from evalspec.traces.codes import INVALID_RECORD
from evalspec.traces.messages import message, messages, parse_arguments
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import BAD, TraceFile, decode_json, is_document, json_records
from evalspec.traces.record import Annotation, Message, Role, Source, ToolCall, Trace, Usage
from evalspec.traces.values import iso_from_seconds, timestamp

_ID_KEYS = ("custom_id", "id", "trace_id", "conversation_id")
_RARE = frozenset(
    {"session_id", "thread_id", "user_id", "latency_ms", "cost", "open_coding", "axial_coding_code"}
)
_KNOWN = frozenset(
    {
        *_ID_KEYS,
        "messages",
        "request",
        "response",
        "choices",
        "body",
        "method",
        "url",
        "metadata",
        "usage",
        "model",
        "created",
        "object",
        "system_fingerprint",
        "service_tier",
        "tools",
        "tool_choice",
        "session_id",
        "thread_id",
        "user_id",
        "user",
        "timestamp",
        "latency_ms",
        "cost",
        "error",
        "open_coding",
        "axial_coding_code",
        "temperature",
        "max_tokens",
        "top_p",
        "response_format",
        "stream",
        "n",
        "seed",
    }
)


class OpenAIImporter(Importer):
    """OpenAI Chat Completions request/response logs (JSONL)."""

    name = "openai"
    title = "OpenAI chat completions JSONL"

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per JSON line."""
        for batch in self.read_batches(file, log, 256):
            yield from batch

    def read_batches(self, file: TraceFile, log: ProblemLog, size: int) -> Iterator[list[Item]]:
        """Convert line by line: the typed fast path first, else the general one."""
        if is_document(file):  # a pretty-printed array of lines: rare, read whole
            yield list(_document(file, log))
            return
        batch: list[Item] = []
        with file.open() as stream:
            # a plain loop over the stream's readline rather than iter_lines(): at a gigabyte
            # the generator's cost per line shows; blank lines fail _fast and are skipped below
            for number, raw in enumerate(stream, 1):
                trace = _fast(raw, file, number)
                if trace is None:
                    if raw.isspace():
                        continue
                    ctx = RecordContext(log, file.display, number)
                    trace = _general(raw, file, ctx, raw.endswith(b"\n"))
                    if trace is None:
                        continue
                batch.append((number, trace))
                if len(batch) >= size:
                    yield batch
                    batch = []
        if batch:
            yield batch


def _document(file: TraceFile, log: ProblemLog) -> Iterator[Item]:
    for index, (line, value) in enumerate(json_records(file, log)):
        ctx = RecordContext(log, file.display, line)
        if type(value) is not dict:
            ctx.report(INVALID_RECORD, f"a JSON {type(value).__name__} where an object belongs")
            continue
        trace = convert(value, file, ctx, index)
        if trace is not None:
            yield line, trace


def _general(raw: bytes, file: TraceFile, ctx: RecordContext, terminated: bool) -> Trace | None:
    value = decode_json(raw, ctx, terminated=terminated)
    if value is BAD:
        return None
    if type(value) is not dict:
        ctx.report(INVALID_RECORD, f"a JSON {type(value).__name__} where an object belongs")
        return None
    return convert(value, file, ctx)


def convert(
    value: dict[str, Any], file: TraceFile, ctx: RecordContext, index: int = 0
) -> Trace | None:
    """Convert one decoded line to a trace (``None`` when it holds no conversation)."""
    request, response = _split(value)
    msgs = messages(request.get("messages"), ctx)
    reply = _reply(response, ctx)
    if reply:
        msgs.extend(reply)
    if not msgs:
        ctx.report(INVALID_RECORD, "no messages, choices or response in this line; skipped")
        return None
    fields = Fields(ctx)
    response_id = response.get("id") if type(response) is dict else None
    trace_id = _trace_id(value) or response_id or made_up_id(file, ctx.line, index)
    created = _first(value, response, "created", "timestamp")
    usage = _first(response, value, "usage")
    trace = from_messages(
        trace_id if type(trace_id) is str else str(trace_id),
        msgs,
        metadata=_metadata(value, request, response),
        start_time=None if created is None else fields.time(created, "created"),
        usage=None if usage is None else fields.usage(usage),
        source=Source(
            format="openai",
            file=file.name,
            line=ctx.line,
            raw_ids={"response_id": str(response_id)} if response_id else {},
        ),
    )
    if not _RARE.isdisjoint(value) or "user" in request:
        _rare_fields(trace, value, request, fields)
    return trace


def _rare_fields(
    trace: Trace, value: dict[str, Any], request: dict[str, Any], fields: Fields
) -> None:
    """Fill the fields few logs carry; kept apart so the common line stays cheap."""
    trace.session_id = _opt(value.get("session_id") or value.get("thread_id"))
    trace.user_id = _opt(value.get("user_id") or request.get("user"))
    trace.latency_ms = fields.integer(value.get("latency_ms"), "latency_ms")
    trace.cost = fields.decimal(value.get("cost"), "cost")
    trace.annotations = _annotations(value)


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
    return [
        Annotation(name=str(code or "overall"), kind="HUMAN", label=_opt(code), note=_opt(note))
    ]


def _first(primary: Any, secondary: Any, *keys: str) -> Any:
    for holder in (primary, secondary):
        if type(holder) is dict:
            for key in keys:
                if holder.get(key) is not None:
                    return holder[key]
    return None


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


# The fast path. Most log lines are plain: string contents, standard roles, JSON-string
# arguments, one choice. Those are decoded straight into the Structs below (msgspec does
# the walking in C) and converted with a few attribute reads; anything else (an unknown
# top-level key, a list content, a misspelled role, a Batch API line) makes ``_fast`` give up
# and the line takes the general path above. Tests check that both paths agree.


class _Plain(msgspec.Struct, gc=False):
    """Base of the fast-path Structs; unknown fields are ignored unless a class forbids them."""


class _Function(_Plain):
    name: str
    arguments: str


class _Call(_Plain):
    function: _Function
    id: str | None = None


class _Message(_Plain):
    role: Role  # a misspelled role fails here and takes the general path
    content: str | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[_Call] | None = None
    function_call: None = None  # a legacy call or a refusal: the general path handles them
    refusal: None = None


class _Request(_Plain):
    messages: list[_Message]
    model: str | None = None
    user: Any = None


class _Choice(_Plain):
    message: _Message
    finish_reason: str | None = None


class _Usage(_Plain):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class _Response(_Plain):
    choices: list[_Choice]
    id: str | None = None
    created: int | None = None
    timestamp: Any = None
    model: str | None = None
    usage: _Usage | None = None


class _Line(_Plain, forbid_unknown_fields=True):
    request: _Request
    response: _Response
    id: str | None = None
    metadata: dict[str, Any] | None = None


_FAST = msgspec.json.Decoder(_Line)


def _fast(raw: bytes, file: TraceFile, line: int) -> Trace | None:
    """Convert a plain request/response line, or return ``None`` for the general path."""
    try:
        value = _FAST.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return None
    response = value.response
    if not response.choices or value.request.user is not None or response.timestamp is not None:
        return None
    found = _fast_transcript([*value.request.messages, response.choices[0].message])
    if found is None:
        return None
    msgs, calls, first_user, last_assistant = found
    usage, response_id = response.usage, response.id
    return Trace(
        id=value.id or response_id or made_up_id(file, line),
        input=first_user,
        output=last_assistant,
        messages=msgs,
        tool_calls=calls,
        metadata=_fast_metadata(value),
        start_time=None if response.created is None else _time(response.created),
        usage=None if usage is None else _fast_usage(usage),
        source=Source(format="openai", file=file.name, line=line,
                      raw_ids={"response_id": response_id} if response_id else {}),
    )  # fmt: skip


def _fast_metadata(value: _Line) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    model = value.request.model or value.response.model
    if model:
        meta["model"] = model
    reason = value.response.choices[0].finish_reason
    if reason:
        meta["finish_reason"] = reason
    if value.metadata:
        meta.update(value.metadata)
    return meta


def _fast_usage(usage: _Usage) -> Usage:
    return Usage(input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens,
                 total_tokens=usage.total_tokens)  # fmt: skip


_Found = tuple[list[Message], list[ToolCall], "str | None", "str | None"]


def _fast_transcript(plain: list[_Message]) -> _Found | None:
    """Messages, numbered tool calls with results, first user and last assistant text.

    The same rules as :func:`~evalspec.traces.messages.transcript`, in one pass; a tool
    message without ``tool_call_id`` (joined by name there) sends the line to the general path.
    """
    msgs: list[Message] = []
    calls: list[ToolCall] = []
    by_id: dict[str, ToolCall] = {}
    first_user = last_assistant = None
    for m in plain:
        role, content, call_id = m.role, m.content, m.tool_call_id
        made = [] if m.tool_calls is None else _fast_calls(m.tool_calls, len(msgs), calls, by_id)
        msgs.append(Message(role=role, content=content, name=m.name, tool_call_id=call_id,
                            tool_calls=made))  # fmt: skip
        if role == "tool" and calls and not made:
            if call_id is None:
                return None
            call = by_id.get(call_id)
            if call is not None and call.result is None:
                call.result = content or ""
        if content:
            if role == "user" and first_user is None:
                first_user = content
            elif role == "assistant":
                last_assistant = content
    return msgs, calls, first_user, last_assistant


def _time(seconds: int) -> str:
    return iso_from_seconds(seconds) if 0 <= seconds < 100_000_000_000 else timestamp(seconds)


def _fast_calls(
    plain: list[_Call], index: int, calls: list[ToolCall], by_id: dict[str, ToolCall]
) -> list[ToolCall]:
    made: list[ToolCall] = []
    for item in plain:
        name, call_id = item.function.name, item.id or None
        arguments, arguments_raw = parse_arguments(item.function.arguments)
        made.append(
            ToolCall(id=call_id, name=name, arguments=arguments, arguments_raw=arguments_raw)
        )
        call = ToolCall(
            id=call_id,
            name=name,
            arguments=arguments,
            arguments_raw=arguments_raw,
            message_index=index,
        )
        calls.append(call)
        if call_id:
            by_id[call_id] = call
    return made
