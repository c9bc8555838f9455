"""Judge prompts: the default system prompt, template rendering and strict answer parsing.

Polarity, once and for all. A judge guard encodes **one** failure mode. The judge answers ``PASS``
when the trace does **not** exhibit the mode and ``FAIL`` when it does. A ``FAIL`` answer therefore
makes the guard's verdict ``fail``, and the mode *fires* on that trace; ``PASS`` gives ``pass``.
An answer that cannot be parsed is ``error``: it is never read as either.

A template is the user-authored part of the prompt (an inline ``prompt`` or a ``prompt file`` in a
spec). It describes the failure mode and places the trace with these placeholders:

``{{input}}``
    the trace's input text;
``{{output}}``
    the trace's output text;
``{{messages}}``
    the conversation as a readable transcript (roles, text, tool calls);
``{{trace}}``
    the whole trace record as pretty JSON with sorted keys.

:func:`render` turns a template, a trace and few-shot examples into chat messages: the system
prompt (which fixes the answer format), then each example as a user turn (the template rendered
with the example's trace) followed by an assistant turn (the example's answer in the exact JSON
format), then the trace to judge. Rendering is deterministic, byte for byte, because the verdict
cache is keyed by the rendered messages.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import msgspec

from evalspec.errors import SpecError
from evalspec.ir import JUDGE_PLACEHOLDERS

__all__ = [
    "ANSWER_FORMAT",
    "PLACEHOLDERS",
    "RESULT_LINE",
    "SYSTEM_PROMPT",
    "FewShot",
    "ParsedVerdict",
    "TemplateError",
    "parse_answer",
    "placeholders",
    "render",
    "transcript",
]

#: The placeholders a template may use, in the order the documentation lists them.
PLACEHOLDERS: tuple[str, ...] = JUDGE_PLACEHOLDERS

#: The answer format, shown to the judge. Critique first: the model reasons before it commits.
ANSWER_FORMAT = """\
Answer with a single JSON object and nothing else, with the critique first:
{"critique": "<your reasoning, specific enough for a new colleague to follow>", \
"result": "PASS" | "FAIL"}"""

#: The default system prompt. It fixes the polarity (FAIL means the failure mode is present).
SYSTEM_PROMPT = f"""\
You are a meticulous evaluator of an AI assistant's traces. You judge exactly one failure mode,
described in the user's message, on exactly one trace.

- Answer "FAIL" if the trace exhibits the failure mode.
- Answer "PASS" if it does not.

Judge only the failure mode you are given, not overall quality. Do not give a score or a grade;
the result is PASS or FAIL.

{ANSWER_FORMAT}"""

#: The fallback answer format the parser accepts when the answer is not JSON: a final line
#: ``RESULT: PASS`` or ``RESULT: FAIL`` (optionally in Markdown bold) after the critique.
RESULT_LINE = re.compile(
    r"^[*_`\s]*result[*_`\s]*[:=][*_`\s]*(pass|fail)[*_`\s.]*$", re.IGNORECASE | re.MULTILINE
)

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
_FENCE = re.compile(r"```(?:json|JSON)?[ \t]*\n(.*?)\n[ \t]*```", re.DOTALL)
_SCORE = re.compile(r"\b(?:score|rating|grade)\b\s*[:=]?\s*\d|\b\d+(?:\.\d+)?\s*/\s*\d+\b", re.I)
_WORD = re.compile(r"\b(PASS|FAIL)\b", re.IGNORECASE)


class TemplateError(SpecError):
    """A judge template is invalid (unknown placeholder, no trace placeholder, leaked example).

    ``placeholder`` and ``suggestion`` let the caller build a diagnostic at the prompt's span.
    """

    def __init__(
        self, message: str, placeholder: str | None = None, suggestion: str | None = None
    ) -> None:
        super().__init__(message)
        self.placeholder = placeholder
        self.suggestion = suggestion


class FewShot(msgspec.Struct, frozen=True, kw_only=True):
    """A labelled example shown to the judge before the trace.

    ``trace`` is a mapping or an object with ``input``/``output``/``messages``/``id``;
    ``result`` is the human label as the judge should say it (``PASS``: the mode is absent);
    ``critique`` the expert's reasoning. ``split`` must be ``train``: examples from dev or
    test would leak into the judge's validation.
    """

    trace: Any
    result: Literal["PASS", "FAIL"]
    critique: str
    split: str = "train"


class ParsedVerdict(msgspec.Struct, frozen=True, kw_only=True):
    """The judge's answer: ``pass``/``fail`` with the critique, or ``error`` with a reason."""

    result: Literal["pass", "fail", "error"]
    critique: str = ""
    reason: str = ""


# ----------------------------------------------------------------------------- rendering


def placeholders(template: str) -> list[str]:
    """Return the placeholders a template uses, in order of first use.

    Raises:
        TemplateError: a placeholder is unknown (the message lists the known ones and suggests
            the closest), or the template uses none of them and so never shows the trace.
    """
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
            hint = f"; did you mean '{{{{{close[0]}}}}}'?" if close else ""
            known = ", ".join(f"{{{{{p}}}}}" for p in PLACEHOLDERS)
            raise TemplateError(
                f"unknown placeholder '{{{{{name}}}}}' in judge template (known: {known}){hint}",
                placeholder=name,
                suggestion=close[0] if close else None,
            )
        if name not in found:
            found.append(name)
    if not found:
        known = ", ".join(f"{{{{{p}}}}}" for p in PLACEHOLDERS)
        raise TemplateError(f"judge template never shows the trace: use one of {known}")
    return found


def render(
    template: str,
    trace: Any,
    few_shot: Sequence[FewShot] = (),
    *,
    system: str = SYSTEM_PROMPT,
) -> list[dict[str, str]]:
    """Render the chat messages that ask the judge about ``trace``.

    Args:
        template: the user prompt, with placeholders from :data:`PLACEHOLDERS`.
        trace: a mapping, or an object with ``input``, ``output``, ``messages`` and ``id``.
        few_shot: labelled examples from the **train** split, shown as earlier turns.
        system: the system prompt; the default fixes the polarity and the answer format.

    Returns:
        ``[{"role": ..., "content": ...}, ...]``, identical bytes for identical arguments.

    Raises:
        TemplateError: the template is invalid or an example does not come from train.
    """
    placeholders(template)
    messages = [{"role": "system", "content": system}]
    for shot in few_shot:
        if shot.split != "train":
            raise TemplateError(
                f"few-shot example from the '{shot.split}' split: examples must come from train "
                "only, or the judge is validated on what it was shown"
            )
        messages.append({"role": "user", "content": _fill(template, shot.trace)})
        messages.append({"role": "assistant", "content": _answer_json(shot)})
    messages.append({"role": "user", "content": _fill(template, trace)})
    return messages


def _fill(template: str, trace: Any) -> str:
    # One pass over the template: text coming from the trace is never scanned for placeholders,
    # so an output that contains "{{input}}" is shown literally.
    values: dict[str, str] = {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            values[name] = _VALUE[name](trace)
        return values[name]

    return _PLACEHOLDER.sub(value, template)


def _answer_json(shot: FewShot) -> str:
    # The same shape the system prompt asks for, critique first.
    return json.dumps({"critique": shot.critique, "result": shot.result}, ensure_ascii=False)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _text(value: Any) -> str:
    """Return message content as text: strings as is, text parts joined, other parts named."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        parts = []
        for part in value:
            text = _field(part, "text") if not isinstance(part, str) else part
            parts.append(text if isinstance(text, str) else f"[{_field(part, 'type') or 'part'}]")
        return "\n".join(parts)
    return _dumps(value, indent=None)


def transcript(messages: Sequence[Any] | None) -> str:
    """Render messages as a readable transcript, one block per message.

    >>> print(transcript([{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Yo"}]))
    [user]
    Hi
    <BLANKLINE>
    [bot]
    Yo
    """
    blocks = []
    for message in messages or ():
        role = str(_field(message, "role") or "unknown")
        name = _field(message, "name") or _field(message, "tool_call_id")
        lines = [f"[{role} {name}]" if name else f"[{role}]"]
        content = _text(_field(message, "content"))
        if content:
            lines.append(content)
        for call in _field(message, "tool_calls") or ():
            lines.append(f"-> tool call {_field(call, 'name')}({_arguments(call)})")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _arguments(call: Any) -> str:
    arguments = _field(call, "arguments")
    if arguments is None:
        return ""
    return arguments if isinstance(arguments, str) else _dumps(arguments, indent=None)


def _trace_json(trace: Any) -> str:
    if isinstance(trace, Mapping) or _is_struct_like(trace):
        return _dumps(trace, indent=2)
    # A plain object: show the fields a template can also name one by one.
    return _dumps({n: _field(trace, n) for n in ("id", "input", "output", "messages")}, indent=2)


def _is_struct_like(obj: Any) -> bool:
    return isinstance(obj, msgspec.Struct) or hasattr(obj, "__dataclass_fields__")


def _dumps(data: Any, indent: int | None) -> str:
    # Sorted keys and no ASCII escaping: stable bytes, readable non-English text.
    return json.dumps(_builtins(data), indent=indent, sort_keys=True, ensure_ascii=False)


def _builtins(obj: Any) -> Any:
    """Convert to JSON-able values; objects msgspec cannot encode become their public fields."""
    try:
        return msgspec.to_builtins(obj, str_keys=True)
    except TypeError:
        pass
    if isinstance(obj, Mapping):
        return {str(k): _builtins(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_builtins(v) for v in obj]
    if hasattr(obj, "__dict__"):
        return {k: _builtins(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return str(obj)


_VALUE: dict[str, Callable[[Any], str]] = {
    "input": lambda t: _text(_field(t, "input")),
    "output": lambda t: _text(_field(t, "output")),
    "messages": lambda t: transcript(_field(t, "messages")),
    "trace": _trace_json,
}

# ----------------------------------------------------------------------------- parsing


def parse_answer(text: str | None) -> ParsedVerdict:
    """Parse a judge's answer strictly.

    Accepted, in this order:

    1. a JSON object (the whole answer, or the only fenced ```json block in it) whose
       ``"result"`` is ``PASS`` or ``FAIL`` (any case) and whose ``"critique"``, if any, is text;
    2. a final line ``RESULT: PASS`` or ``RESULT: FAIL``, the critique being the text above it;
    3. the bare word ``PASS`` or ``FAIL`` as the whole answer (unambiguous, without a critique).

    Anything else is ``error`` with the reason: an empty answer, a score instead of PASS/FAIL,
    both words without a result line, a RESULT line contradicted earlier, malformed JSON.

    >>> parse_answer('{"critique": "Refuses politely.", "result": "pass"}').result
    'pass'
    >>> parse_answer("Score: 4/5").reason
    'the answer is a score, not PASS or FAIL'
    """
    stripped = (text or "").strip()
    if not stripped:
        return _error("empty answer")
    obj = _json_object(stripped)
    if obj is not None:
        return _from_json(obj) if isinstance(obj, dict) else _error(obj)
    if stripped.upper() in ("PASS", "FAIL"):
        return ParsedVerdict(result="pass" if stripped.upper() == "PASS" else "fail")
    return _from_result_line(stripped)


def _json_object(text: str) -> dict[str, Any] | str | None:
    """Return the answer's JSON object, a reason string if it is broken JSON, or None."""
    fences = _FENCE.findall(text)
    if len(fences) > 1:
        return "more than one fenced block in the answer"
    candidate = fences[0].strip() if fences else text
    if not candidate.startswith("{"):
        return None
    try:
        obj: dict[str, Any] = json.loads(candidate)  # starts with "{": an object or an error
    except json.JSONDecodeError as exc:
        return f"malformed JSON answer ({exc.msg} at position {exc.pos})"
    return obj


def _from_json(obj: dict[str, Any]) -> ParsedVerdict:
    result = obj.get("result")
    critique = obj.get("critique", "")
    if not isinstance(critique, str):
        return _error('"critique" is not a string')
    if result is None:
        return _error('the JSON answer has no "result"')
    if isinstance(result, bool):
        return _error('"result" must be "PASS" or "FAIL", got a boolean')
    if isinstance(result, (int, float)) or (isinstance(result, str) and _SCORE.search(result)):
        return _error("the answer is a score, not PASS or FAIL")
    if not isinstance(result, str) or result.strip().upper() not in ("PASS", "FAIL"):
        return _error(f'"result" must be "PASS" or "FAIL", got {json.dumps(result)[:80]}')
    verdict: Literal["pass", "fail"] = "pass" if result.strip().upper() == "PASS" else "fail"
    return ParsedVerdict(result=verdict, critique=critique.strip())


def _from_result_line(text: str) -> ParsedVerdict:
    lines = text.splitlines()
    last = RESULT_LINE.fullmatch(lines[-1].strip())
    if last is None:
        return _error(_why_unparseable(text))
    verdict = last.group(1).lower()
    earlier = {m.group(1).lower() for m in RESULT_LINE.finditer("\n".join(lines[:-1]))}
    if earlier - {verdict}:
        return _error("conflicting RESULT lines in the answer")
    critique = "\n".join(lines[:-1]).strip()
    return ParsedVerdict(result="pass" if verdict == "pass" else "fail", critique=critique)


def _why_unparseable(text: str) -> str:
    words = {w.upper() for w in _WORD.findall(text)}
    if _SCORE.search(text) and not words:
        return "the answer is a score, not PASS or FAIL"
    if words == {"PASS", "FAIL"}:
        return "both PASS and FAIL appear and no final 'RESULT:' line decides"
    return "no JSON object with \"result\" and no final 'RESULT: PASS|FAIL' line"


def _error(reason: str) -> ParsedVerdict:
    return ParsedVerdict(result="error", reason=reason)
