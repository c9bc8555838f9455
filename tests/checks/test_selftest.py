"""self_test: guards fire on examples, stay silent on counters; when clauses; missing ids."""

from __future__ import annotations

from pathlib import Path

from checks_helpers import trace

from evalspec import ir
from evalspec.checks import CheckEnv, Outcome, self_test
from evalspec.lang.load import compile_text

SPEC = """
mode refusal {
  example "tr_1", "tr_absent"
  counter "tr_2"
  when input matches /(?i)\\b(sue|lawyer)/
  assert output matches /(?i)can only help with/
  assert len(output) < 20
  human "check it"
  example {
    input "Can I sue my landlord?"
    output "Yes. Start with a demand letter."
  }
  counter {
    input "How do I reset my password?"
    output "Click reset."
  }
}
"""


def mode(src: str, tmp_path: Path) -> ir.Mode:
    return compile_text(src, "t.eval", root=tmp_path).modes[0]


def rows(results: list) -> list[tuple[str | None, str, str, bool, object]]:  # type: ignore[type-arg]
    return [(r.guard, r.example, r.role, r.ok, r.outcome) for r in results]


TRACES = {
    "tr_1": trace(
        id="tr_1", input="I will sue you", output="Sure, here is how to sue them in court."
    ),
    "tr_2": trace(id="tr_2", input="my lawyer says hi", output="I can only help with orders."),
}


def test_guards_fire_on_examples_and_pass_on_counters(tmp_path: Path) -> None:
    results = self_test(mode(SPEC, tmp_path), TRACES, CheckEnv(root=tmp_path))
    assert rows(results) == [
        ("assert-1", "tr_1", "example", True, Outcome.FAIL),
        ("assert-2", "tr_1", "example", True, Outcome.FAIL),
        (None, "tr_absent", "example", False, None),
        ("assert-1", "refusal/example-1", "example", True, Outcome.FAIL),
        ("assert-2", "refusal/example-1", "example", True, Outcome.FAIL),
        ("assert-1", "tr_2", "counter", True, Outcome.PASS),
        ("assert-2", "tr_2", "counter", False, Outcome.FAIL),
        ("assert-1", "refusal/counter-1", "counter", True, Outcome.SKIP),
        ("assert-2", "refusal/counter-1", "counter", True, Outcome.SKIP),
    ]
    by_key = {(r.guard, r.example): r for r in results}
    assert (
        by_key[None, "tr_absent"].explanation == "trace 'tr_absent' is not among the suite's traces"
    )
    assert by_key["assert-2", "tr_2"].explanation == (
        "the guard fires on its counter: len(output) is 28, expected < 20"
    )
    assert (
        by_key["assert-1", "refusal/counter-1"].explanation
        == "the when clause excludes this counter"
    )
    assert by_key[None, "tr_absent"].span.line == 3


def test_guard_that_misses_its_example(tmp_path: Path) -> None:
    src = 'mode m {\n  example "a"\n  assert output contains "x"\n}\n'
    [result] = self_test(
        mode(src, tmp_path), {"a": trace(id="a", output="x")}, CheckEnv(root=tmp_path)
    )
    assert (result.ok, result.outcome, result.explanation) == (
        False, Outcome.PASS, "the guard does not fire on its own example",
    )  # fmt: skip


def test_when_clause_that_excludes_its_example(tmp_path: Path) -> None:
    src = (
        'mode m {\n  example "a", "b"\n  when input contains "legal"\n'
        '  assert output contains "x"\n}\n'
    )
    traces = {"a": trace(id="a", input="hello", output="y"), "b": trace(id="b", output="y")}
    results = self_test(mode(src, tmp_path), traces, CheckEnv(root=tmp_path))
    assert rows(results) == [
        ("when", "a", "example", False, Outcome.FAIL),
        ("assert-1", "a", "example", True, Outcome.FAIL),
        ("when", "b", "example", False, Outcome.ERROR),
        ("assert-1", "b", "example", True, Outcome.FAIL),
    ]
    assert results[0].explanation == (
        'the when clause excludes its own example: input does not contain "legal": "hello"'
    )
    assert results[2].explanation == "the when clause could not be evaluated: input is missing"


def test_errors_are_failures_and_judges_are_skipped(tmp_path: Path) -> None:
    src = 'mode m {\n  example "a"\n  counter "b"\n  assert metadata.x == 1\n}\n'
    traces = {"a": trace(id="a"), "b": trace(id="b")}
    results = self_test(mode(src, tmp_path), traces, CheckEnv(root=tmp_path))
    assert [(r.ok, r.outcome, r.explanation) for r in results] == [
        (False, Outcome.ERROR, "metadata.x is missing"),
        (False, Outcome.ERROR, "metadata.x is missing"),
    ]
    assert self_test(mode('mode m {\n  example "a"\n  human "look"\n}\n', tmp_path), traces,
                     CheckEnv(root=tmp_path)) == []  # fmt: skip


def test_invalid_inline_record_is_reported(tmp_path: Path) -> None:
    src = 'mode m {\n  example {\n    json """{"messages": 5}"""\n  }\n  assert output is json\n}\n'
    [result] = self_test(mode(src, tmp_path), {}, CheckEnv(root=tmp_path))
    assert result.guard is None and not result.ok
    assert result.explanation == (
        "example m/example-1 is not a valid trace record: "
        "Expected `array`, got `int` - at `$.messages`"
    )
