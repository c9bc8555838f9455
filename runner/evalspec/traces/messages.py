"""Messages, content parts and tool calls from every dialect the importers meet.

One function reads a message in any of the shapes found in real logs: OpenAI chat
(``role``/``content``/``tool_calls``), OTel GenAI (``parts``), Anthropic and Gemini content
blocks, OpenInference (``message.*``), LangChain serialisations (``lc``/``kwargs`` and
``type``/``data``) and Inspect AI. :func:`transcript` then numbers the tool calls and joins
them with their results, and :func:`first_text`/:func:`last_text` give ``input``/``output``.
"""

from __future__ import annotations

import difflib
from typing import Any

import msgspec

from evalspec.traces.codes import INVALID_VALUE, NESTED_MESSAGES, UNKNOWN_ROLE
from evalspec.traces.problems import RecordContext
from evalspec.traces.record import Message, Part, Role, ToolCall
from evalspec.traces.values import json_text

ROLES: frozenset[str] = frozenset({"system", "developer", "user", "assistant", "tool"})

#: Role spellings of known formats, normalised without a report.
ROLE_ALIASES: dict[str, Role] = {
    "human": "user",
    "humanmessage": "user",
    "customer": "user",
    "ai": "assistant",
    "aimessage": "assistant",
    "bot": "assistant",
    "model": "assistant",
    "agent": "assistant",
    "chatbot": "assistant",
    "systemmessage": "system",
    "function": "tool",
    "functionmessage": "tool",
    "toolmessage": "tool",
    "ipython": "tool",
}
_ROLE_WORDS = sorted({*ROLES, *ROLE_ALIASES})
_TEXT_TYPES = frozenset({"text", "input_text", "output_text"})
_CALL_TYPES = frozenset({"tool_call", "tool_use", "function_call"})
_RESULT_TYPES = frozenset({"tool_call_response", "tool_result", "function_call_output"})
_decode = msgspec.json.Decoder().decode


def normalise_role(raw: Any, ctx: RecordContext) -> Role:
    """Map a role spelling to a standard role; report misspelled and unknown roles (ES706).

    Case and known aliases (``human``, ``ai``, ``model``, ``agent``, ``function``) are
    normalised silently; a close misspelling (``assisant``) takes the role it resembles and an
    unknown role becomes ``user``, both with a warning.
    """
    if raw in ROLES:
        return raw  # type: ignore[no-any-return]
    key = str(raw or "").strip().lower()
    if key in ROLES:
        return key  # type: ignore[return-value]
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    close = difflib.get_close_matches(key, _ROLE_WORDS, n=1, cutoff=0.7)
    role: Role = "user"
    if close:
        role = close[0] if close[0] in ROLES else ROLE_ALIASES[close[0]]  # type: ignore[assignment]
    ctx.report(UNKNOWN_ROLE, f"unknown message role {raw!r} read as {role!r}")
    return role


def parse_arguments(raw: Any) -> tuple[Any, str | None]:
    """Return ``(arguments, arguments_raw)``: parsed JSON, or ``None`` and the raw string."""
    if not isinstance(raw, str):
        return raw, None
    try:
        return _decode(raw), None
    except (msgspec.DecodeError, UnicodeEncodeError):
        return None, raw


def tool_call(raw: Any) -> ToolCall | None:
    """Read one tool call in the OpenAI, Inspect, LangChain, OpenInference or OTel shape."""
    if not isinstance(raw, dict):
        return None
    if "tool_call" in raw and isinstance(raw["tool_call"], dict):
        raw = raw["tool_call"]  # OpenInference
    function = raw.get("function")
    if isinstance(function, dict):  # OpenAI
        name, args = function.get("name"), function.get("arguments")
    else:  # Inspect (function is the name), LangChain (args), OTel (arguments), Anthropic (input)
        name = function if isinstance(function, str) else raw.get("name")
        args = next((raw[k] for k in ("arguments", "args", "input") if k in raw), None)
    arguments, arguments_raw = parse_arguments(args)
    call_id = raw.get("id") or raw.get("call_id") or raw.get("tool_call_id")
    return ToolCall(
        id=call_id if call_id is None or isinstance(call_id, str) else str(call_id),
        name=name if isinstance(name, str) else "",
        arguments=arguments,
        arguments_raw=arguments_raw,
    )


def tool_calls(raw: Any) -> list[ToolCall]:
    """Read a list of tool calls, skipping items that are not calls."""
    if not isinstance(raw, list):
        return []
    return [call for call in map(tool_call, raw) if call is not None]


class _Content:
    """Accumulates the parts of one message's content."""

    __slots__ = ("calls", "parts", "result_id", "texts")

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.parts: list[Part] = []
        self.calls: list[ToolCall] = []
        self.result_id: str | None = None

    def text(self, text: str) -> None:
        self.texts.append(text)
        self.parts.append(Part(type="text", text=text))

    def value(self) -> str | list[Part] | None:
        if len(self.texts) == len(self.parts):
            return "\n".join(self.texts) if self.texts else None
        return self.parts


def content(raw: Any) -> tuple[str | list[Part] | None, list[ToolCall], str | None]:
    """Normalise message content: ``(content, tool calls found in it, answered call id)``.

    Text-only part lists become one string (parts joined with a newline); lists with images,
    reasoning or files stay as :class:`Part` lists; tool-call parts become tool calls and a
    tool-result part gives the id of the call it answers.
    """
    if raw is None or isinstance(raw, str):
        return raw, [], None
    items = raw if isinstance(raw, list) else [raw]
    acc = _Content()
    for item in items:
        if isinstance(item, str):
            acc.text(item)
        elif isinstance(item, dict):
            _part(item, acc)
        elif item is not None:
            acc.text(json_text(item))
    return acc.value(), acc.calls, acc.result_id


def _part(item: dict[str, Any], acc: _Content) -> None:
    if isinstance(item.get("message_content"), dict):
        item = item["message_content"]  # OpenInference
    kind = item.get("type")
    if kind in _TEXT_TYPES or (kind is None and isinstance(item.get("text"), str)):
        acc.text(_first_str(item, "text", "content") or "")
    elif kind in _CALL_TYPES:
        call = tool_call(item)
        if call is not None:
            acc.calls.append(call)
    elif kind in _RESULT_TYPES:
        acc.result_id = _first_str(item, "id", "tool_use_id", "call_id")
        result = next(
            (item[k] for k in ("response", "result", "content", "output") if k in item), None
        )
        text, _, _ = content(result) if isinstance(result, list) else (result, [], None)
        acc.text(json_text(text) if text is not None else "")
    else:
        acc.parts.append(_other_part(str(kind or "other"), item))


def _other_part(kind: str, item: dict[str, Any]) -> Part:
    if kind in ("reasoning", "thinking", "refusal"):
        text = _first_str(item, kind, "reasoning", "thinking", "refusal", "content", "text")
        return Part(type="refusal" if kind == "refusal" else "reasoning", text=text)
    url = _url(item)
    mime = _first_str(item, "mime_type", "media_type", "mimeType")
    data = {k: v for k, v in item.items() if k != "type"} if url is None else None
    normal = {"image_url": "image", "input_image": "image", "input_audio": "audio"}.get(kind, kind)
    return Part(type=normal, url=url, mime_type=mime, data=data or None)


def _url(item: dict[str, Any]) -> str | None:
    for key in ("image_url", "image", "uri", "url", "file"):
        value = item.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            inner = value.get("url") or value.get("image", {})
            if isinstance(inner, dict):
                inner = inner.get("url")
            if isinstance(inner, str):
                return inner
    return None


def _first_str(item: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str):
            return value
    return None


def message(raw: Any, ctx: RecordContext) -> Message | None:
    """Read one message in any supported dialect; ``None`` when ``raw`` is not a message."""
    if type(raw) is not dict:
        return None
    role, body = raw.get("role"), raw.get("content")
    if role in ROLES and (type(body) is str or body is None) and "function_call" not in raw:
        # the common OpenAI shapes, kept short because they run for nearly every message
        if len(raw) == 2 and body is not None:
            return Message(role=role, content=body)
        calls = raw.get("tool_calls")
        if calls is None and body is not None:
            name, call_id = raw.get("name"), raw.get("tool_call_id")
            return Message(
                role=role, content=body, name=_opt_str(name), tool_call_id=_opt_str(call_id)
            )
        if type(calls) is list and not raw.get("refusal"):
            name, call_id = raw.get("name"), raw.get("tool_call_id")
            return Message(
                role=role,
                content=body,
                name=_opt_str(name),
                tool_call_id=_opt_str(call_id),
                tool_calls=tool_calls(calls),
            )
    return _message(_unwrap(raw), ctx)


def _message(raw: dict[str, Any], ctx: RecordContext) -> Message:
    role = normalise_role(raw.get("role", raw.get("type")), ctx)
    if "content" in raw:
        body = raw["content"]
    else:
        body = next((raw[k] for k in ("parts", "contents", "text") if k in raw), None)
    text, calls, result_id = content(body)
    if text is None and isinstance(raw.get("refusal"), str):
        text = [Part(type="refusal", text=raw["refusal"])]
    calls.extend(tool_calls(raw.get("tool_calls")))
    extra = raw.get("additional_kwargs")
    if not calls and isinstance(extra, dict):
        calls.extend(tool_calls(extra.get("tool_calls")))
    legacy = raw.get("function_call")
    if isinstance(legacy, dict):
        calls.extend(tool_calls([{"function": legacy}]))
    return Message(
        role=role,
        content=text,
        name=_opt_str(raw.get("name")),
        tool_call_id=_opt_str(raw.get("tool_call_id")) or result_id,
        tool_calls=calls,
    )


def _unwrap(raw: dict[str, Any]) -> dict[str, Any]:
    """Peel OpenInference (``message``) and LangChain (``lc``/``kwargs``, ``type``/``data``)."""
    inner = raw.get("message")
    if isinstance(inner, dict) and "role" not in raw:
        return inner
    kwargs = raw.get("kwargs")
    if raw.get("lc") is not None and isinstance(kwargs, dict):
        ids = raw.get("id")
        kind = ids[-1] if isinstance(ids, list) and ids else kwargs.get("type", "")
        kind = str(kind).lower().removesuffix("chunk")
        return {"role": kwargs.get("role") if kind == "chatmessage" else kind, **_drop(kwargs)}
    data = raw.get("data")
    if isinstance(data, dict) and "role" not in raw and isinstance(raw.get("type"), str):
        return {"role": data.get("role") or raw["type"], **_drop(data)}
    return raw


def _drop(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("role", "type")}


def _opt_str(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    return json_text(value)


def messages(raw: Any, ctx: RecordContext) -> list[Message]:
    """Read a message list; flatten nested lists (ES707) and skip non-messages (ES709)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raw = [raw]
    out: list[Message] = []
    for index, item in enumerate(raw):
        if type(item) is dict:
            found = message(item, ctx)
            if found is not None:
                out.append(found)
                continue
        if isinstance(item, list):
            ctx.report(NESTED_MESSAGES, f"a list where message {index} belongs; flattened")
            out.extend(messages(item, ctx))
            continue
        msg = message(item, ctx)
        if msg is None:
            ctx.report(INVALID_VALUE, f"message {index} is not a message object; skipped")
        else:
            out.append(msg)
    return out


def content_text(value: str | list[Part] | None) -> str | None:
    """Return the text of a message content: the string, or its text parts joined."""
    if value is None or isinstance(value, str):
        return value
    texts = [part.text for part in value if part.type == "text" and part.text is not None]
    return "\n".join(texts) if texts else None


def transcript(msgs: list[Message]) -> list[ToolCall]:
    """Return every tool call of ``msgs`` in order, numbered and joined with its result.

    The returned calls are copies carrying ``message_index`` and ``result``; the messages
    keep the calls as the model made them. A tool message answers the call with its
    ``tool_call_id``; without one, the earliest unanswered call of the same name (else the
    earliest unanswered call).
    """
    calls: list[ToolCall] = []
    by_id: dict[str, ToolCall] = {}
    for index, msg in enumerate(msgs):
        if msg.tool_calls:
            for made in msg.tool_calls:
                call = ToolCall(
                    id=made.id,
                    name=made.name,
                    arguments=made.arguments,
                    arguments_raw=made.arguments_raw,
                    message_index=index,
                )
                calls.append(call)
                if call.id:
                    by_id[call.id] = call
        elif msg.role == "tool" and calls:
            found = _answered(msg, by_id, calls)
            if found is not None and found.result is None:
                found.result = content_text(msg.content) or ""
    return calls


def _answered(msg: Message, by_id: dict[str, ToolCall], calls: list[ToolCall]) -> ToolCall | None:
    if msg.tool_call_id:
        return by_id.get(msg.tool_call_id)
    open_calls = [call for call in calls if call.result is None]
    named = [call for call in open_calls if msg.name and call.name == msg.name]
    candidates = named or open_calls
    return candidates[0] if candidates else None


def first_text(msgs: list[Message], role: str) -> str | None:
    """Return the text of the first message of ``role`` that has text."""
    for msg in msgs:
        if msg.role == role:
            text = content_text(msg.content)
            if text:
                return text
    return None


def last_text(msgs: list[Message], role: str) -> str | None:
    """Return the text of the last message of ``role`` that has text."""
    for msg in reversed(msgs):
        if msg.role == role:
            text = content_text(msg.content)
            if text:
                return text
    return None
