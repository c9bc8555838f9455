"""The public façade is exactly what is documented."""

from __future__ import annotations

from pathlib import Path

import evalspec


def test_all_is_exact() -> None:
    assert sorted(evalspec.__all__) == ["__version__", "compile", "fmt", "parse"]


def test_facade_round_trip(project: Path) -> None:
    spec = project / "a.eval"
    spec.write_text("mode  m {\n assert output is json }\n", encoding="utf-8")
    assert evalspec.fmt(spec.read_text()) == "mode m {\n  assert output is json\n}\n"
    assert evalspec.parse(spec.read_text()).items[0].name.value == "m"
    assert evalspec.compile(spec).modes[0].name == "m"
