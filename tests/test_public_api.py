"""The public façade is exactly what is documented."""

from __future__ import annotations

from pathlib import Path

import evalspec


def test_all_is_exact() -> None:
    assert sorted(evalspec.__all__) == ["__version__", "check", "compile", "fmt", "parse"]


def test_facade_round_trip(project: Path) -> None:
    spec = project / "a.eval"
    spec.write_text("mode  m {\n assert output is json }\n", encoding="utf-8")
    assert evalspec.fmt(spec.read_text()) == "mode m {\n  assert output is json\n}\n"
    assert evalspec.parse(spec.read_text()).items[0].name.value == "m"
    assert evalspec.compile(spec).modes[0].name == "m"


def test_facade_check_and_lint(project: Path) -> None:
    (project / "traces.jsonl").write_text(
        '{"id": "a", "output": "{}"}\n{"id": "b", "output": "not json"}\n', encoding="utf-8"
    )
    spec = project / "a.eval"
    spec.write_text(
        'suite s {\n  traces "traces.jsonl"\n}\n\nmode m {\n  max_rate 10%\n'
        "  assert output is json\n}\n",
        encoding="utf-8",
    )
    results = evalspec.check(spec)
    assert (results.modes[0].fired, results.modes[0].evaluated, results.exit_code) == (1, 2, 1)
    from evalspec.lint import lint

    report = lint([spec])
    assert "ES301" in {d.code for d in report.diagnostics}  # no example traces named
