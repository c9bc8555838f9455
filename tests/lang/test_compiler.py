"""Compile-time checks beyond the conformance suite: hints, collection, paths, values."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec import ir
from evalspec.errors import CompileError
from evalspec.lang.load import compile_path, compile_text


def compile_errors(source: str, root: Path) -> list[tuple[str, int, int, str | None]]:
    with pytest.raises(CompileError) as info:
        compile_text(source, "t.eval", root=root)
    return [(d.code, d.span.line, d.span.column, d.hint) for d in info.value.diagnostics if d.span]


def test_three_independent_compile_errors_are_all_reported(project: Path) -> None:
    source = 'mode a {\n  assert outptu contains "x"\n  max_rate 150%\n  seen 12 of 10\n}\n'
    found = compile_errors(source, project)
    assert [f[:3] for f in found] == [("ES033", 2, 10), ("ES037", 3, 12), ("ES038", 4, 8)]
    assert found[0][3] == "did you mean 'output'?"


@pytest.mark.parametrize(
    ("snippet", "hint"),
    [
        ("assert lenght(output) < 3", "did you mean 'len'?"),
        ("assert output has no pii [emial]", "did you mean 'email'?"),
        ("severity hihg", "did you mean 'high'?"),
        ('assert tool_calls[0].nmae == "x"', "did you mean 'name'?"),
        ("assert messages.role == 1", "write messages[0] or messages[-1]"),
    ],
)
def test_misspellings_get_a_suggestion(snippet: str, hint: str, project: Path) -> None:
    assert compile_errors(f"mode m {{\n  {snippet}\n}}\n", project)[0][3] == hint


def test_unportable_regex_points_into_the_pattern(project: Path) -> None:
    found = compile_errors("mode m {\n  assert output matches /ab(?=c)/\n}\n", project)
    assert found[0][:3] == ("ES035", 2, 28)  # the "(" that opens the lookahead


def test_percentages_and_durations_compile_to_exact_values(project: Path) -> None:
    doc = compile_text(
        "suite s {\n  alpha 1%\n  review every 2w\n}\nmode m {\n  max_rate 0.5%\n"
        "  assert latency_ms < 1500ms\n}\n",
        root=project,
    )
    assert doc.suite is not None
    assert (doc.suite.alpha, doc.suite.review_every_ms) == ("0.01", 1_209_600_000)
    mode = doc.modes[0]
    assert mode.max_rate == "0.005"
    guard = mode.guards[0]
    assert isinstance(guard, ir.AssertGuard) and isinstance(guard.expr, ir.Compare)
    assert guard.expr.value == ir.IntLit(value=1500)


def test_references_are_stored_relative_to_the_project_root(project: Path) -> None:
    (project / "specs").mkdir()
    (project / "schemas").mkdir()
    (project / "schemas" / "card.json").write_text('{"type": "object"}', encoding="utf-8")
    spec = project / "specs" / "card.eval"
    spec.write_text('mode m {\n  assert output conforms "../schemas/card.json"\n}\n', "utf-8")
    doc = compile_path(spec)
    guard = doc.modes[0].guards[0]
    assert isinstance(guard, ir.AssertGuard) and isinstance(guard.expr, ir.Conforms)
    assert (doc.path, guard.expr.schema) == ("specs/card.eval", "schemas/card.json")


def test_a_symlink_out_of_the_project_is_refused(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.json"
    outside.write_text("{}", encoding="utf-8")
    (project / "link.json").symlink_to(outside)
    found = compile_errors('mode m {\n  assert output conforms "link.json"\n}\n', project)
    assert found[0][:3] == ("ES042", 2, 26)


def test_api_key_must_come_from_env_without_default(project: Path) -> None:
    found = compile_errors(
        'suite s {\n  judge {\n    api_key env("KEY", "sk-123")\n  }\n}\n', project
    )
    assert found[0][:3] == ("ES047", 3, 24)


def test_inline_trace_fields_compile(project: Path) -> None:
    doc = compile_text(
        'mode m {\n  example {\n    input "hi"\n    tool_call "refund" "{\\"a\\": 1}"\n'
        '    metadata "tier" "gold"\n  }\n  assert output is json\n}\n',
        root=project,
    )
    example = doc.modes[0].examples[0]
    assert isinstance(example, ir.InlineRef)
    assert example.trace.id == "m/example-1"
    assert example.trace.tool_calls == [ir.ToolCallSpec(name="refund", arguments='{"a": 1}')]
    assert example.trace.metadata == {"tier": ir.StringLit(value="gold")}


def test_guard_ids_are_stable_and_per_kind(project: Path) -> None:
    doc = compile_text(
        'mode m {\n  assert output is json\n  human "look"\n  judge tone {\n'
        '    prompt "{{output}}"\n  }\n  assert len(output) < 3\n}\n',
        root=project,
    )
    assert [g.id for g in doc.modes[0].guards] == ["assert-1", "human-1", "judge-tone", "assert-2"]


def test_no_floats_anywhere_in_the_ir(project: Path) -> None:
    doc = compile_text(
        "suite s {\n  judge {\n    temperature 0.2\n  }\n}\nmode m {\n  assert cost <= 0.05\n}\n",
        root=project,
    )
    text = ir.encode(doc).decode()
    assert '"temperature":"0.2"' in text and '"value":"0.05"' in text


def test_ir_json_loads_like_a_spec(project: Path) -> None:
    doc = compile_text('mode m {\n  assert output contains "x"\n}\n', root=project)
    path = project / "m.ir.json"
    path.write_bytes(ir.encode(doc))
    assert compile_path(path) == doc


def test_invalid_ir_is_reported_with_the_schema_path(project: Path) -> None:
    path = project / "bad.json"
    path.write_text('{"ir_version": 1, "path": "x", "suite": null, "modes": [{"name": 3}]}')
    with pytest.raises(Exception) as info:
        compile_path(path)
    diag = info.value.diagnostics[0]  # type: ignore[attr-defined]
    assert diag.code == "ES060" and "$.modes[0]" in diag.message


def test_newer_ir_version_is_refused(project: Path) -> None:
    path = project / "new.json"
    path.write_text('{"ir_version": 2, "path": "x", "suite": null, "modes": [], "extra": 1}')
    with pytest.raises(Exception) as info:
        compile_path(path)
    assert info.value.diagnostics[0].code == "ES061"  # type: ignore[attr-defined]


def test_ir_with_an_unportable_regex_is_refused(project: Path) -> None:
    doc = compile_text("mode m {\n  assert output matches /a/\n}\n", root=project)
    text = ir.encode(doc).decode().replace('"pattern":"a"', '"pattern":"(?=a)"')
    path = project / "m.ir.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as info:
        compile_path(path)
    diag = info.value.diagnostics[0]  # type: ignore[attr-defined]
    assert diag.code == "ES060" and "lookahead" in diag.message
