"""Every output format, exactly, on a small case; SARIF is validated against the official schema."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from evalspec.diagnostics import Diagnostic, Severity, Span
from evalspec.lint import LintReport, lint
from evalspec.lint.engine import FileResult
from evalspec.lint.formats import FORMATS, statistics
from evalspec.lint.formats.github import annotation, escape_property

FIXTURES = Path(__file__).parent / "fixtures"
SPEC = 'mode a {\n  why "Users scroll"\n}\nmode b { assert output matches /.*refund/ }\n'
RULE_101 = "ES101 [mode-without-guard] mode 'a' has no guard: check never sees it come back"
RULE_204 = (
    "ES204 [redundant-wildcard] '.*' at the start of a search is redundant: matches already "
    "looks anywhere in the text"
)


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintReport:
    (tmp_path / "evalspec.toml").write_text("")
    (tmp_path / "spec.eval").write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    return lint([Path("spec.eval")], select=["ES101", "ES204"], cache=False, jobs=1)


def test_full(report: LintReport) -> None:
    assert FORMATS["full"](report) == (
        "spec.eval:1:6: warning[ES101]: mode 'a' has no guard: check never sees it come back\n"
        " 1 | mode a {\n"
        "   |      ^ add an assert (code), or else a judge or a human guard\n"
        "\n"
        "spec.eval:4:33: warning[ES204]: '.*' at the start of a search is redundant: matches "
        "already looks anywhere in the text\n"
        " 4 | mode b { assert output matches /.*refund/ }\n"
        "   |                                 ^^ remove it; it only adds backtracking\n"
        "\n"
        "Found 2 problems in 1 of 1 file (2 warnings).\n"
    )


def test_concise(report: LintReport) -> None:
    assert FORMATS["concise"](report) == (
        f"spec.eval:1:6: {RULE_101}\nspec.eval:4:33: {RULE_204}\n"
        "Found 2 problems in 1 of 1 file (2 warnings).\n"
    )


def test_clean_summary(tmp_path: Path) -> None:
    (tmp_path / "evalspec.toml").write_text("")
    (tmp_path / "a.eval").write_text("mode a { assert output is json }\n")
    clean = lint([tmp_path / "a.eval"], select=["ES101"], cache=False)
    assert FORMATS["concise"](clean) == "No problems found in 1 file.\n"
    assert FORMATS["json"](clean) == "[]\n"


def test_json(report: LintReport) -> None:
    data = json.loads(FORMATS["json"](report))
    assert data[0] == {
        "code": "ES101",
        "name": "mode-without-guard",
        "severity": "warning",
        "message": "mode 'a' has no guard: check never sees it come back",
        "path": "spec.eval",
        "span": {"line": 1, "column": 6, "end_line": 1, "end_column": 7},
        "hint": "add an assert (code), or else a judge or a human guard",
        "url": "https://evalspec.dev/rules#es101-mode-without-guard",
    }
    assert [d["code"] for d in data] == ["ES101", "ES204"]


def test_github(report: LintReport) -> None:
    assert FORMATS["github"](report) == (
        "::warning file=spec.eval,line=1,endLine=1,col=6,endColumn=7,"
        "title=ES101 mode-without-guard::mode 'a' has no guard: check never sees it come back"
        "%0Aadd an assert (code), or else a judge or a human guard\n"
        "::warning file=spec.eval,line=4,endLine=4,col=33,endColumn=35,"
        "title=ES204 redundant-wildcard::'.*' at the start of a search is redundant: matches "
        "already looks anywhere in the text%0Aremove it; it only adds backtracking\n"
    )


def test_github_escaping_and_multiline_spans() -> None:
    diag = Diagnostic(code="ES0", severity=Severity.ERROR, message="50% done\r\nnext",
                      path="dir,with:odd/a.eval", span=Span(2, 3, 4, 1))  # fmt: skip
    assert annotation(diag) == (
        "::error file=dir%2Cwith%3Aodd/a.eval,line=2,endLine=4,title=ES0::50%25 done%0D%0Anext"
    )
    assert escape_property("a%b") == "a%25b"


def _report(count: int, severity: Severity) -> LintReport:
    diags = [Diagnostic(code="ES101", severity=severity, message=f"m{i}", path="a.eval",
                        span=Span(i + 1, 1, i + 1, 2), name="mode-without-guard")
             for i in range(count)]  # fmt: skip
    return LintReport([FileResult(path="a.eval", root=".", enabled=["ES101"], diagnostics=diags)])


def test_github_annotates_ten_per_level() -> None:
    lines = FORMATS["github"](_report(12, Severity.WARNING)).splitlines()
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[10] == "a.eval:11:1: ES101 [mode-without-guard] m10"
    assert lines[-1].startswith("::notice title=evalspec lint::2 more findings are not annotated")


def test_junit(report: LintReport) -> None:
    assert FORMATS["junit"](report) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="evalspec lint" tests="2" failures="2" errors="0" skipped="0">\n'
        '  <testsuite name="spec.eval" tests="2" failures="2" errors="0" skipped="0">\n'
        '    <testcase classname="spec.eval" name="ES101 mode-without-guard" file="spec.eval">\n'
        "      <failure message=\"spec.eval:1:6: mode 'a' has no guard: check never sees it come "
        f'back" type="ES101">spec.eval:1:6: {RULE_101}</failure>\n'
        "    </testcase>\n"
        '    <testcase classname="spec.eval" name="ES204 redundant-wildcard" file="spec.eval">\n'
        "      <failure message=\"spec.eval:4:33: '.*' at the start of a search is redundant: "
        'matches already looks anywhere in the text" type="ES204">spec.eval:4:33: '
        f"{RULE_204}</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_junit_errors_and_skips(tmp_path: Path) -> None:
    (tmp_path / "evalspec.toml").write_text("")
    (tmp_path / "bad.eval").write_text("mode a {\n")
    broken = lint([tmp_path / "bad.eval"], select=["ES101", "ES201"], cache=False)
    root = ET.fromstring(FORMATS["junit"](broken))
    assert root.attrib == {"name": "evalspec lint", "tests": "3", "failures": "0", "errors": "1",
                           "skipped": "2"}  # fmt: skip
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["ES012 missing-closing-brace"].find("error") is not None
    skipped = cases["ES201 guard-misses-example"].find("skipped")
    assert skipped is not None and skipped.get("message") == "the spec does not parse"


def test_statistics(report: LintReport) -> None:
    assert statistics(report) == (
        "1  ES101  mode-without-guard\n1  ES204  redundant-wildcard\n"
        "Found 2 problems in 1 of 1 file (2 warnings).\n"
    )


def _schema() -> dict[str, object]:
    schema: dict[str, object] = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    return schema


def _validate(document: Any) -> None:
    schema = _schema()
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(document)


def test_sarif_validates(report: LintReport) -> None:
    log = json.loads(FORMATS["sarif"](report))
    _validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    first, second = run["results"]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "ES101"
    assert rules[second["ruleIndex"]]["name"] == "redundant-wildcard"
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "spec.eval"},
        "region": {"startLine": 4, "startColumn": 33, "endLine": 4, "endColumn": 35},
    }
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_with_compile_errors_validates(tmp_path: Path) -> None:
    (tmp_path / "evalspec.toml").write_text("")
    (tmp_path / "a b.eval").write_text('mode a { assert output containz "x" }\n')
    log = json.loads(FORMATS["sarif"](lint([tmp_path / "a b.eval"], cache=False)))
    _validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "ES021" and result["level"] == "error"
    assert log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ES021"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "file:///"
    )
    assert "a%20b.eval" in result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_the_schema_rejects_a_broken_log(report: LintReport) -> None:
    log = json.loads(FORMATS["sarif"](report))
    del log["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(log)


def test_the_schema_is_the_official_one() -> None:
    data = (FIXTURES / "sarif-schema-2.1.0.json").read_bytes()
    digest = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
    assert hashlib.sha256(data).hexdigest() == digest
