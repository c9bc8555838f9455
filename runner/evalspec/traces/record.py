"""The normalised trace record: one shape for every trace format evalspec reads.

Every importer maps its source into :class:`Trace`; the spec language's selectors (``input``,
``output``, ``messages[i].content``, ``tool_calls[i].arguments.x``, ``metadata.x``,
``latency_ms``, ``cost``) read these fields by name, so the names are a contract.

Rules that make the record portable (``schemas/evalspec-trace.v1.schema.json``):

- JSON keys are snake_case and every field but ``id`` has a default, so ``{"id": "x"}`` is a
  valid record. Defaults are omitted when encoding, which keeps files small.
- Typed fields hold no floats: cost and scores are decimal strings (``"0.0012"``), latency is
  integer milliseconds, timestamps are ISO-8601 UTC strings (``2026-01-15T12:00:00.25Z``).
  Free-form values (``metadata``, tool ``arguments``, span ``attributes``) keep the source's
  JSON values as they were.

Regenerate the committed schema with ``python -m evalspec.traces --write`` (or
``python tests/regen_goldens.py --schemas``, which rewrites every schema).
"""

from __future__ import annotations

import inspect
import json
import sys
from typing import Any, Literal

import msgspec

#: Version of the record layout; the major version is also in the schema file name.
TRACE_VERSION = 1
SCHEMA_ID = "https://evalspec.dev/schemas/evalspec-trace.v1.schema.json"

Role = Literal["system", "developer", "user", "assistant", "tool"]
SpanKind = Literal[
    "llm",
    "tool",
    "retriever",
    "reranker",
    "embedding",
    "agent",
    "chain",
    "guardrail",
    "evaluator",
    "prompt",
    "parser",
    "event",
    "other",
]
AnnotationKind = Literal["HUMAN", "LLM", "CODE"]
Verdict = Literal["pass", "fail"]


class _Record(msgspec.Struct, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """Base of the record Structs.

    ``omit_defaults`` keeps encoded records small; ``gc=False`` skips cycle tracking, which
    makes decoding a million records markedly faster and is safe because records never refer
    back to themselves (they hold strings, numbers, lists and dicts decoded from JSON).
    """


class Part(_Record, kw_only=True):
    """One part of a multi-part message content.

    ``type`` is ``text``, ``image``, ``audio``, ``file``, ``reasoning``, ``refusal`` or the
    source's own type name; ``text`` holds text (also reasoning and refusals); ``url`` an
    image, audio or file address (or a data URL); ``mime_type`` its media type; ``data`` any
    other fields of the source part, unchanged.
    """

    type: str
    text: str | None = None
    url: str | None = None
    mime_type: str | None = None
    data: Any = None


class ToolCall(_Record, kw_only=True):
    """A tool (function) call made by the model, with its result when the trace has one.

    ``arguments`` is the parsed JSON value; when the source gave a string that is not valid
    JSON, ``arguments`` is ``None`` and ``arguments_raw`` keeps the string. ``result`` is the
    tool's answer as text (JSON values are encoded), ``error`` its error message.
    ``message_index`` is the index in ``Trace.messages`` of the assistant message that made
    the call; ``span_id`` the span that ran the tool.
    """

    id: str | None = None
    name: str = ""
    arguments: Any = None
    arguments_raw: str | None = None
    result: str | None = None
    error: str | None = None
    message_index: int | None = None
    span_id: str | None = None


class Message(_Record, kw_only=True):
    """One message of the transcript.

    ``role`` is normalised to ``system``, ``developer``, ``user``, ``assistant`` or ``tool``.
    ``content`` is text, or a list of parts when the message holds more than text, or
    ``None`` (an assistant message that only calls tools). ``tool_calls`` are the calls an
    assistant message makes, as made (``Trace.tool_calls`` holds them again with their
    results); ``tool_call_id`` links a tool message to the call it answers.
    """

    role: Role
    content: str | list[Part] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] = []


class Usage(_Record, kw_only=True):
    """Token counts summed over the model calls of the trace."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None


class Span(_Record, kw_only=True):
    """One step of the trace tree (a model call, a tool run, a retrieval, ...).

    ``parent_id`` is ``None`` for the root; ``kind`` is normalised from the source's span
    type; ``status`` is ``ok`` or ``error`` when the source says; ``attributes`` keeps the
    source's attributes (OTel attribute keys stay dotted).
    """

    id: str
    parent_id: str | None = None
    kind: SpanKind = "other"
    name: str = ""
    start_time: str | None = None
    end_time: str | None = None
    status: str | None = None
    attributes: dict[str, Any] = {}


class Annotation(_Record, kw_only=True):
    """A label or note about a trace, from a person (HUMAN), a judge (LLM) or code (CODE).

    ``name`` is the failure mode, score or label name (``"overall"`` for a whole-trace
    verdict); ``verdict`` is ``pass``/``fail`` when the label is binary; ``label`` the
    source's categorical value; ``score`` a decimal string; ``critique`` an explanation;
    ``note`` a free-form open-coding note; ``target`` is ``trace``, ``span:<id>`` or
    ``message:<index>``. The same shape is used by labels files, where ``trace_id`` says
    which trace the annotation is about.
    """

    name: str = "overall"
    kind: AnnotationKind = "HUMAN"
    verdict: Verdict | None = None
    label: str | None = None
    score: str | None = None
    critique: str | None = None
    note: str | None = None
    annotator: str | None = None
    created_at: str | None = None
    target: str | None = None
    trace_id: str | None = None


class Source(_Record, kw_only=True):
    """Where the trace came from: importer format, file and 1-based line, the source's ids.

    ``raw_ids`` holds the source system's identifiers (``trace_id``, ``run_id``, ...); ``url``
    a link back to the source system when it gives one. Converting to evalspec JSONL keeps
    the source, so a converted trace still points at the original file.
    """

    format: str
    file: str | None = None
    line: int | None = None
    raw_ids: dict[str, str] = {}
    url: str | None = None


class Trace(_Record, kw_only=True):
    """One normalised trace: an interaction of a user with the AI product.

    ``input`` is the first user message's text (else the source's own input); ``output`` the
    last assistant message with text (else the source's output). ``messages`` is the ordered
    transcript and ``tool_calls`` every call in order, flattened from the messages and joined
    with their results. ``latency_ms`` is integer milliseconds, ``cost`` a decimal string
    (USD unless the source says otherwise in ``metadata``), ``start_time``/``end_time``
    ISO-8601 UTC strings. ``annotations`` are labels the source already carries.
    """

    id: str
    input: str | None = None
    output: str | None = None
    messages: list[Message] = []
    tool_calls: list[ToolCall] = []
    metadata: dict[str, Any] = {}
    session_id: str | None = None
    user_id: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    latency_ms: int | None = None
    usage: Usage | None = None
    cost: str | None = None
    spans: list[Span] = []
    annotations: list[Annotation] = []
    source: Source | None = None


#: Field names of :class:`Trace`, used by format detection.
TRACE_FIELDS: frozenset[str] = frozenset(Trace.__struct_fields__)


def trace_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of :class:`Trace`, as committed in ``schemas/``."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "evalspec trace record, version 1",
    }
    schema.update(msgspec.json.schema(Trace))
    for definition in schema["$defs"].values():
        if "description" in definition:
            # Python 3.13 strips docstring indentation when compiling, older versions keep it:
            # clean it here so that every version generates the same schema
            definition["description"] = inspect.cleandoc(definition["description"])
    return schema


def schema_text() -> str:
    """Return the schema as the committed file holds it: indented JSON with sorted keys."""
    return json.dumps(trace_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the schema, or with ``--write`` rewrite the committed ``schemas/`` file."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        from evalspec._resources import schemas_dir

        path = schemas_dir() / "evalspec-trace.v1.schema.json"
        path.write_text(schema_text(), encoding="utf-8")
        sys.stdout.write(f"wrote {path}\n")
        return 0
    sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
