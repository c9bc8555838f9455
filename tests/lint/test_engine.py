"""The pipeline: broken and half-broken specs, shared trace sources, the tree cache, workers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from evalspec.lang.parser import parse
from evalspec.lint import lint, plan
from evalspec.lint.base import RULES
from evalspec.lint.cache import CACHE_DIR, AstCache, prune
from evalspec.lint.engine import LintOptions, default_processes, lint_file, lint_files
from evalspec.lint.sources import Project

from .helpers import lint_project, write_project


def test_missing_files_keep_ir_rules_running(tmp_path: Path) -> None:
    spec = """\
mode tone {
  judge tone {
    prompt file "judges/missing.md"
  }
}
"""
    report = lint_project(tmp_path, spec, select=["ES401", "ES201"])
    assert [d.code for d in report.diagnostics] == ["ES401", "ES039"]
    assert report.results[0].skipped == {"ES201": "the spec has compile errors"}


def test_compile_errors_skip_ir_rules(tmp_path: Path) -> None:
    report = lint_project(tmp_path, 'mode a { why "x"  assert outptu is json }', select=["ALL"])
    codes = [d.code for d in report.diagnostics]
    assert codes == ["ES301", "ES033"]  # AST rules still run; ES101 sees the assert
    skipped = report.results[0].skipped
    assert skipped["ES302"] == "the spec does not compile" and "ES101" not in skipped


def test_syntax_errors_skip_every_rule(tmp_path: Path) -> None:
    report = lint_project(tmp_path, "mode a {\n", select=["ES1"])
    assert [d.code for d in report.diagnostics] == ["ES012"]
    assert set(report.results[0].skipped) == {c for c in RULES if c.startswith("ES1")}
    assert report.exit_code() == 1


def test_empty_and_binary_files(tmp_path: Path) -> None:
    assert [d.code for d in lint_project(tmp_path / "a", "").diagnostics] == ["ES001"]
    path = write_project(tmp_path / "b", "")
    path.write_bytes(b"\x00\x01binary")
    report = lint([path], cache=False)
    assert [d.code for d in report.diagnostics] == ["ES003"]
    assert report.exit_code() == 1


def test_a_directory_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "evalspec.toml").write_text("")
    folder = tmp_path / "x.eval"
    folder.mkdir()
    (job,) = plan([folder])
    result = lint_file(job, LintOptions(cache=False))
    assert result.fatal and result.diagnostics[0].code == "ES009"


def test_trace_sources_are_read_once_per_project(tmp_path: Path) -> None:
    files = {"reviewed/a.jsonl": '{"id": "t1", "output": "long answer"}\n'}
    spec = (
        'suite s { examples "reviewed/*.jsonl" }\nmode a { example "t1" assert len(output) <= 3 }\n'
    )
    write_project(tmp_path, spec, files)
    (tmp_path / "b.eval").write_text(spec.replace("t1", "t2"))
    report = lint([tmp_path / "spec.eval", tmp_path / "b.eval"], select=["ES302"], cache=False)
    assert [(Path(d.path).name, d.code) for d in report.diagnostics] == [("b.eval", "ES302")]
    project = Project()
    doc_suite = None  # no suite: nothing to look up
    assert project.traces(tmp_path, doc_suite, {"t1"}).found == {}


def test_workers_give_the_same_report(tmp_path: Path) -> None:
    write_project(tmp_path, 'mode a { why "x" }\n')
    paths = []
    for number in range(9):
        path = tmp_path / f"s{number}.eval"
        # sizes grow with the number, so that workers take the files in another order
        path.write_text("".join(f'mode m{i} {{ why "x" }}\n' for i in range(number + 1)))
        paths.append(path)
    jobs = plan(paths)
    options = LintOptions(today=dt.date(2026, 11, 27), cache=False)
    one, two = lint_files(jobs, options, 1), lint_files(jobs, options, 2)
    assert msgspec.to_builtins(one.results) == msgspec.to_builtins(two.results)
    assert [Path(r.path).name for r in two.results] == [p.name for p in paths]


def test_default_processes() -> None:
    assert default_processes(3) == 1
    assert default_processes(100) >= 1


def test_tree_cache(tmp_path: Path) -> None:
    text = "mode a {  # note\n  assert output is json\n}\n"
    cache = AstCache.for_root(tmp_path)
    assert cache.get(text) is None
    tree = parse(text)
    cache.put(text, tree)
    assert cache.get(text) == tree
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text().endswith("*\n")
    assert AstCache.for_root(tmp_path, enabled=False).get(text) is None
    entry = next((tmp_path / CACHE_DIR).glob("*/*.msgpack"))
    entry.write_bytes(b"not msgpack")
    assert cache.get(text) is None  # a broken entry is a miss


def test_lint_fills_and_uses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_project(tmp_path, 'mode a { why "x" }\n')
    first = lint([path])
    assert list((tmp_path / CACHE_DIR).glob("*/*.msgpack"))

    def no_parsing(text: str, path: str = "") -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr("evalspec.lint.engine.parse", no_parsing)
    second = lint([path])
    assert first.diagnostics == second.diagnostics and first.results[0].stored
    assert not second.results[0].stored


def test_prune(tmp_path: Path) -> None:
    for number in range(5):
        entry = tmp_path / "ab" / f"{number}.msgpack"
        entry.parent.mkdir(exist_ok=True)
        entry.write_bytes(b"x")
    assert prune(tmp_path, keep=3) == 2
    assert len(list(tmp_path.glob("*/*.msgpack"))) == 3
