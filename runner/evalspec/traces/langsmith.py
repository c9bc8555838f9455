"""LangSmith run export: runs (JSON Lines or a JSON array) grouped into traces by ``trace_id``.

One file's runs are held in memory to group them. The tree comes from ``parent_run_id`` and
the order from ``dotted_order``. Per trace:

- ``input``/``output``: the root run's ``inputs``/``outputs`` (their telling text field),
  else the messages';
- ``messages``: the last ``llm`` run's input messages (OpenAI shape from ``wrap_openai``, or
  LangChain serialisations, whose ``[[...]]`` batch of one is opened silently) and its reply
  (``choices``, ``generations`` or ``output``);
- ``tool_calls``: from those messages, joined with ``tool`` runs by name and order;
- ``usage`` sums the llm runs' token counts; ``session_id`` comes from the thread metadata
  (``thread_id``, ``session_id``, ``conversation_id``); ``feedback`` lists, when an export
  includes them, become annotations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evalspec.traces.base import (
    Fields,
    Importer,
    Item,
    add_usage,
    from_messages,
    source,
    verdict_of,
)
from evalspec.traces.codes import BROKEN_TREE, INVALID_RECORD
from evalspec.traces.messages import messages
from evalspec.traces.problems import ProblemLog, RecordContext
from evalspec.traces.reader import TraceFile, json_records
from evalspec.traces.record import Annotation, Message, Span, SpanKind, ToolCall, Trace, Usage
from evalspec.traces.values import as_dict, decimal_text, json_text, text_of

_KINDS: dict[str, SpanKind] = {
    "llm": "llm",
    "chain": "chain",
    "tool": "tool",
    "retriever": "retriever",
    "embedding": "embedding",
    "prompt": "prompt",
    "parser": "parser",
}
_FEEDBACK_KINDS = {"model": "LLM", "app": "HUMAN", "api": "CODE", "human": "HUMAN"}


class LangSmithImporter(Importer):
    """LangSmith runs."""

    name = "langsmith"
    title = "LangSmith run export"
    streams = False

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Yield one trace per ``trace_id``, in the order traces first appear."""
        groups: dict[str, list[tuple[int | None, dict[str, Any]]]] = {}
        for line, run in json_records(file, log):
            if not isinstance(run, dict) or not run.get("id"):
                RecordContext(log, file.display, line).report(
                    INVALID_RECORD, "not a LangSmith run; skipped"
                )
                continue
            key = str(run.get("trace_id") or run["id"])
            groups.setdefault(key, []).append((line, run))
        for trace_id, runs in groups.items():
            line = runs[0][0]
            ctx = RecordContext(log, file.display, line)
            try:
                trace = build_trace(trace_id, [run for _, run in runs], file, ctx)
            except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
                ctx.report(INVALID_RECORD, f"cannot read trace {trace_id!r}: {exc!r}; skipped")
                continue
            yield line, trace


def build_trace(
    trace_id: str, runs: list[dict[str, Any]], file: TraceFile, ctx: RecordContext
) -> Trace:
    """Turn one trace's runs into a :class:`Trace`."""
    runs = sorted(runs, key=lambda r: str(r.get("dotted_order") or r.get("start_time") or ""))
    root = _root(trace_id, runs, ctx)
    llm = [r for r in runs if r.get("run_type") == "llm"]
    msgs = _llm_messages(llm[-1], ctx) if llm else []
    trace = from_messages(
        trace_id,
        msgs,
        input=text_of(root.get("inputs"), want="input"),
        output=text_of(root.get("outputs"), want="output"),
        source=source("langsmith", file, ctx.line, trace_id=trace_id, run_id=root.get("id")),
    )
    fields = Fields(ctx)
    _join_tools(trace.tool_calls, [r for r in runs if r.get("run_type") == "tool"])
    trace.start_time = fields.time(root.get("start_time"), "start_time")
    trace.end_time = fields.time(root.get("end_time"), "end_time")
    trace.latency_ms = fields.latency(trace.start_time, trace.end_time)
    trace.usage = _usage(llm, fields)
    trace.cost = fields.decimal(root.get("total_cost"), "total_cost")
    meta = _metadata(root)
    trace.session_id = _opt(
        next(
            (meta.get(k) for k in ("thread_id", "session_id", "conversation_id") if meta.get(k)),
            None,
        )
    )
    trace.metadata = meta
    trace.spans = [_span(r, fields) for r in runs]
    trace.annotations = [a for r in runs for a in _feedback(r, root)]
    return trace


def _root(trace_id: str, runs: list[dict[str, Any]], ctx: RecordContext) -> dict[str, Any]:
    ids = {str(r["id"]) for r in runs}
    orphans = [r for r in runs if r.get("parent_run_id") and str(r["parent_run_id"]) not in ids]
    if orphans:
        ctx.report(
            BROKEN_TREE,
            f"{len(orphans)} run(s) of trace {trace_id!r} name a parent run "
            "that is not in the file",
        )
    for run in runs:
        if str(run["id"]) == trace_id or not run.get("parent_run_id"):
            return run
    return runs[0]


def _llm_messages(run: dict[str, Any], ctx: RecordContext) -> list[Message]:
    inputs = as_dict(run.get("inputs"))
    given = inputs.get("messages")
    if isinstance(given, list) and len(given) == 1 and isinstance(given[0], list):
        given = given[0]  # LangChain passes a batch of one conversation
    out = messages(given, ctx) if given is not None else []
    reply = _reply(run.get("outputs"))
    if reply is not None:
        out.extend(messages([reply], ctx))
    return out


def _reply(outputs: Any) -> Any:
    if not isinstance(outputs, dict):
        return None
    choices = outputs.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return {"role": "assistant", **(choices[0].get("message") or {})}
    generations = outputs.get("generations")
    if isinstance(generations, list) and generations:
        first = generations[0][0] if isinstance(generations[0], list) else generations[0]
        if isinstance(first, dict):
            message = first.get("message")
            return (
                message
                if isinstance(message, dict)
                else {"role": "assistant", "content": first.get("text")}
            )
    for key in ("message", "output"):
        if isinstance(outputs.get(key), dict):
            return (
                {"role": "assistant", **outputs[key]} if "lc" not in outputs[key] else outputs[key]
            )
    return None


def _join_tools(calls: list[ToolCall], tools: list[dict[str, Any]]) -> None:
    for run in tools:
        name = str(run.get("name") or "")
        call = next((c for c in calls if c.span_id is None and c.name == name), None)
        if call is None:
            raw = (run.get("inputs") or {}).get("input", run.get("inputs"))
            call = ToolCall(
                name=name,
                arguments=raw if not isinstance(raw, str) else None,
                arguments_raw=raw if isinstance(raw, str) else None,
            )
            calls.append(call)
        call.span_id = str(run["id"])
        outputs = run.get("outputs")
        if call.result is None and outputs is not None:
            out = outputs.get("output", outputs) if isinstance(outputs, dict) else outputs
            if isinstance(out, dict) and isinstance(out.get("kwargs"), dict):
                out = out["kwargs"].get("content", out)  # a serialised ToolMessage
            call.result = json_text(out)
        if run.get("error"):
            call.error = str(run["error"])


def _usage(llm: list[dict[str, Any]], fields: Fields) -> Usage | None:
    total: Usage | None = None
    for run in llm:
        found = fields.usage(run) if run.get("prompt_tokens") is not None else None
        if found is None and isinstance(run.get("outputs"), dict):
            outputs = run["outputs"]
            found = fields.usage(
                outputs.get("usage_metadata")
                or outputs.get("usage")
                or (outputs.get("llm_output") or {}).get("token_usage")
            )
        total = add_usage(total, found)
    return total


def _metadata(root: dict[str, Any]) -> dict[str, Any]:
    extra = as_dict(root.get("extra"))
    meta = dict(extra.get("metadata") or {})
    if root.get("tags"):
        meta["tags"] = root["tags"]
    if root.get("name"):
        meta["name"] = root["name"]
    if root.get("session_id"):
        meta["project_id"] = str(root["session_id"])
    return meta


def _span(run: dict[str, Any], fields: Fields) -> Span:
    attrs = {k: run[k] for k in ("tags", "error", "status") if run.get(k)}
    return Span(
        id=str(run["id"]),
        parent_id=_opt(run.get("parent_run_id")),
        kind=_KINDS.get(str(run.get("run_type")), "other"),
        name=str(run.get("name") or ""),
        start_time=fields.time(run.get("start_time"), "start_time"),
        end_time=fields.time(run.get("end_time"), "end_time"),
        status="error" if run.get("error") else ("ok" if run.get("status") == "success" else None),
        attributes=attrs,
    )


def _feedback(run: dict[str, Any], root: dict[str, Any]) -> list[Annotation]:
    out: list[Annotation] = []
    for item in run.get("feedback") or []:
        if not isinstance(item, dict) or not item.get("key"):
            continue
        kind = _FEEDBACK_KINDS.get(str((item.get("feedback_source") or {}).get("type")), "HUMAN")
        score, value = item.get("score"), item.get("value")
        out.append(
            Annotation(
                name=str(item["key"]),
                kind=kind,  # type: ignore[arg-type]
                verdict=verdict_of(score if score is not None else value),
                label=None if value is None else json_text(value),
                score=_score(score),
                critique=item.get("comment") or None,
                target=None if run is root else f"span:{run['id']}",
            )
        )
    return out


def _score(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return decimal_text(value)
    except ValueError:
        return None


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
