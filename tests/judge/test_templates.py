from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest

from evalspec.errors import SpecError
from evalspec.judge.templates import (
    ANSWER_FORMAT,
    PLACEHOLDERS,
    SYSTEM_PROMPT,
    FewShot,
    ParsedVerdict,
    TemplateError,
    parse_answer,
    placeholders,
    render,
    transcript,
)

TRACE: dict[str, Any] = {
    "id": "tr_0012",
    "input": "Can I sue my landlord?",
    "output": "Yes. Start with a demand letter.",
    "messages": [
        {"role": "user", "content": "Can I sue my landlord?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"name": "search_kb", "arguments": {"q": "landlord", "k": 3}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "[kb:leases] Habitability."},
        {"role": "assistant", "content": [{"type": "text", "text": "Yes."}, {"type": "image"}]},
    ],
    "metadata": {"model": "gpt-x", "tags": ["b", "a"]},
}
TEMPLATE = "Mode: answers legal questions.\nQ: {{input}}\nA: {{ output }}"


# ------------------------------------------------------------------------ polarity and format


def test_system_prompt_fixes_polarity_and_json_format() -> None:
    assert 'Answer "FAIL" if the trace exhibits the failure mode.' in SYSTEM_PROMPT
    assert 'Answer "PASS" if it does not.' in SYSTEM_PROMPT
    # OpenAI's JSON mode requires the word JSON in the messages.
    assert "JSON" in SYSTEM_PROMPT and ANSWER_FORMAT in SYSTEM_PROMPT
    assert ANSWER_FORMAT.index('"critique"') < ANSWER_FORMAT.index('"result"')


# ------------------------------------------------------------------------ rendering


def test_render_substitutes_placeholders_after_the_system_prompt() -> None:
    messages = render(TEMPLATE, TRACE)
    assert messages == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": "Mode: answers legal questions.\n"
            "Q: Can I sue my landlord?\nA: Yes. Start with a demand letter.",
        },
    ]


def test_render_is_byte_identical_for_identical_inputs() -> None:
    shots = [FewShot(trace=TRACE, result="FAIL", critique="Gives legal advice.")]
    template = "{{trace}}\n{{messages}}\n{{input}}"
    first = json.dumps(render(template, TRACE, shots))
    reordered = dict(reversed(list(TRACE.items())))  # key order of the trace must not matter
    assert json.dumps(render(template, reordered, shots)) == first


def test_trace_text_is_never_scanned_for_placeholders() -> None:
    trace = {"input": "{{output}}", "output": "{{input}} {{nonsense}}"}
    assert render("{{input}} | {{output}}", trace)[-1]["content"] == (
        "{{output}} | {{input}} {{nonsense}}"
    )


def test_messages_placeholder_is_a_readable_transcript() -> None:
    text = render("{{messages}}", TRACE)[-1]["content"]
    assert text == (
        "[user]\nCan I sue my landlord?\n\n"
        '[assistant]\n-> tool call search_kb({"k": 3, "q": "landlord"})\n\n'
        "[tool call_1]\n[kb:leases] Habitability.\n\n"
        "[assistant]\nYes.\n[image]"
    )
    assert transcript(None) == ""


def test_trace_placeholder_is_pretty_sorted_json() -> None:
    text = render("{{trace}}", TRACE)[-1]["content"]
    assert json.loads(text) == TRACE
    assert text == json.dumps(TRACE, indent=2, sort_keys=True, ensure_ascii=False)


@dataclass
class _DataTrace:
    id: str
    input: str | None
    output: str | None
    messages: list[dict[str, str]]


class _StructTrace(msgspec.Struct):
    id: str
    input: str | None
    output: str | None
    messages: list[dict[str, str]]


@pytest.mark.parametrize(
    "trace",
    [
        SimpleNamespace(id="t1", input="héllo", output=None, messages=[]),
        _DataTrace("t1", "héllo", None, []),
        _StructTrace("t1", "héllo", None, []),
    ],
    ids=["object", "dataclass", "struct"],
)
def test_render_accepts_objects_with_attributes(trace: Any) -> None:
    content = render("{{input}}|{{output}}|{{trace}}", trace)[-1]["content"]
    head, tail = content.split("|", 2)[:2], content.split("|", 2)[2]
    assert head == ["héllo", ""]  # a missing output renders as empty text
    assert json.loads(tail) == {"id": "t1", "input": "héllo", "output": None, "messages": []}
    assert "héllo" in tail  # no ASCII escaping


def test_few_shot_examples_are_earlier_turns_with_json_answers() -> None:
    shots = [
        FewShot(trace={"input": "a", "output": "b"}, result="PASS", critique="Stays in scope."),
        FewShot(trace={"input": "c", "output": "d"}, result="FAIL", critique="Advises."),
    ]
    messages = render("{{input}}->{{output}}", {"input": "x", "output": "y"}, shots)
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[1]["content"] == "a->b"
    assert messages[2]["content"] == '{"critique": "Stays in scope.", "result": "PASS"}'
    assert parse_answer(messages[4]["content"]).result == "fail"
    assert messages[-1]["content"] == "x->y"


@pytest.mark.parametrize("split", ["dev", "test"])
def test_few_shot_from_dev_or_test_is_refused(split: str) -> None:
    shot = FewShot(trace=TRACE, result="FAIL", critique="", split=split)
    with pytest.raises(TemplateError, match=f"'{split}' split"):
        render(TEMPLATE, TRACE, [shot])


def test_unknown_placeholder_lists_known_ones_and_suggests() -> None:
    with pytest.raises(TemplateError) as info:
        render("Q: {{inptu}}", TRACE)
    message = str(info.value)
    assert "unknown placeholder '{{inptu}}'" in message
    assert "{{input}}, {{output}}, {{messages}}, {{trace}}" in message
    assert message.endswith("did you mean '{{input}}'?")
    assert (info.value.placeholder, info.value.suggestion) == ("inptu", "input")
    assert isinstance(info.value, SpecError) and info.value.exit_code == 2


def test_unknown_placeholder_without_a_close_match() -> None:
    with pytest.raises(TemplateError) as info:
        placeholders("{{output}} {{zzz}}")
    assert info.value.suggestion is None and "did you mean" not in str(info.value)


def test_template_must_show_the_trace() -> None:
    with pytest.raises(TemplateError, match="never shows the trace"):
        render("Is this polite?", TRACE)


def test_placeholders_in_order_of_first_use() -> None:
    assert placeholders("{{output}} {{ input }} {{output}} {{trace}}") == [
        "output",
        "input",
        "trace",
    ]
    assert set(PLACEHOLDERS) == {"input", "output", "messages", "trace"}


def test_literal_braces_that_are_not_placeholders_are_kept() -> None:
    template = 'Answer like {"a": {"b": 1}} about {{output}} and {{ 42 }}'
    assert render(template, {"output": "o"})[-1]["content"] == (
        'Answer like {"a": {"b": 1}} about o and {{ 42 }}'
    )


# ------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "result", "critique"),
    [
        ('{"critique": "Refuses politely.", "result": "PASS"}', "pass", "Refuses politely."),
        ('{"critique": "Gives advice.", "result": "fail"}', "fail", "Gives advice."),
        ('  {"result": " Fail ", "critique": "x"}  ', "fail", "x"),
        ('{"result": "PASS"}', "pass", ""),
        ('Here you go:\n```json\n{"critique": "ok", "result": "PASS"}\n```\n', "pass", "ok"),
        ('```\n{"critique": "bad", "result": "FAIL"}\n```', "fail", "bad"),
        ("The bot gave legal advice.\nRESULT: FAIL", "fail", "The bot gave legal advice."),
        ("Fine; would PASS review.\n\n**Result:** pass.", "pass", "Fine; would PASS review."),
        ("PASS", "pass", ""),
        ("fail\n", "fail", ""),
    ],
)
def test_parse_accepts(text: str, result: str, critique: str) -> None:
    assert parse_answer(text) == ParsedVerdict(result=result, critique=critique)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty answer"),
        (None, "empty answer"),
        ("   \n ", "empty answer"),
        ("Score: 4/5", "the answer is a score, not PASS or FAIL"),
        ('{"critique": "good", "result": 4}', "the answer is a score, not PASS or FAIL"),
        ('{"critique": "good", "result": "4/5"}', "the answer is a score, not PASS or FAIL"),
        ('{"critique": "good", "result": 0.9}', "the answer is a score, not PASS or FAIL"),
        ('{"result": true}', "got a boolean"),
        ('{"result": "maybe"}', '"result" must be "PASS" or "FAIL", got "maybe"'),
        ('{"result": "PASS (mostly)"}', '"result" must be "PASS" or "FAIL"'),
        ('{"critique": "x"}', 'has no "result"'),
        ('{"critique": 3, "result": "PASS"}', '"critique" is not a string'),
        ('{"critique": "x", "result": "PASS"', "malformed JSON answer"),
        ('{"result": "PASS"} RESULT: FAIL', "malformed JSON answer"),
        ('["PASS"]', "no JSON object"),
        ("It could PASS or FAIL depending on taste.", "both PASS and FAIL appear"),
        ("RESULT: PASS\nOn reflection...\nRESULT: FAIL", "conflicting RESULT lines"),
        ("Looks fine to me.", "no JSON object"),
        ("RESULT: PASS\nbecause it is polite", "no JSON object"),
        (
            '```json\n{"result": "PASS"}\n```\n```json\n{"result": "FAIL"}\n```',
            "more than one fenced block",
        ),
    ],
)
def test_parse_refuses_with_a_reason(text: str | None, reason: str) -> None:
    parsed = parse_answer(text)
    assert parsed.result == "error"
    assert reason in parsed.reason
    assert parsed.critique == ""
