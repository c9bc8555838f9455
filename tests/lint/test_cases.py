"""Rule cases as data: ``cases/ES101.toml`` holds specs that must and must not trigger ES101.

Each ``[[cases]]`` entry has a ``name`` and either ``fail_src`` (the rule must fire) or
``pass_src`` (it must not), and optionally:

* ``violations = [{code, line, column}]``: exactly these findings of the file's codes;
* ``files = {path = text}``: files of the project beside ``spec.eval``;
* ``select = [...]``: the rules to run (default: the file's code only);
* ``today = "YYYY-MM-DD"``: the date of the run (default: the documentation date);
* ``calibrated = [{judge = "mode/name", prompt = "...", labels = "path", calibrated = "..."}]``:
  write ``evalspec.lock`` entries whose hashes match that inline prompt and labels file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from evalspec.lint.base import RULES
from evalspec.lint.docstrings import DOC_TODAY

from .helpers import lint_project

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES = Path(__file__).parent / "cases"


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]:
            out.append((path.stem, case))
    return out


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = _load()
        metafunc.parametrize("code, case", cases, ids=[f"{c}-{k['name']}" for c, k in cases])


def _lock(entries: list[dict[str, str]], files: dict[str, str]) -> str:
    judges = {}
    for entry in entries:
        labels = files.get(entry.get("labels", ""), "")
        judges[entry["judge"]] = {
            "model": "gpt-4.1-mini",
            "prompt_sha256": hashlib.sha256(entry.get("prompt", "").encode()).hexdigest(),
            "labels_sha256": hashlib.sha256(labels.encode()).hexdigest(),
            "labels": 100,
            "split": [15, 40, 45],
            "seed": 42,
            "train": 15,
            "dev": 40,
            "test": 45,
            "dev_tpr": "0.9",
            "dev_tnr": "0.9",
            "tpr": "0.9",
            "tnr": "0.9",
            "tp": 20,
            "fn": 2,
            "tn": 21,
            "fp": 2,
            "calibrated": entry.get("calibrated", "2026-11-20"),
        }
    return tomli_w.dumps({"version": 1, "specs": {"spec.eval": {"judges": judges}}})


def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    assert ("fail_src" in case) != ("pass_src" in case), "a case has fail_src or pass_src"
    files = dict(case.get("files", {}))
    if "calibrated" in case:
        files["evalspec.lock"] = _lock(case["calibrated"], files)
    today = dt.date.fromisoformat(case["today"]) if "today" in case else DOC_TODAY
    select = case.get("select", [code])
    report = lint_project(
        tmp_path, case.get("fail_src", case.get("pass_src", "")), files, select=select, today=today
    )
    assert not [d for d in report.diagnostics if d.code.startswith("ES0")], report.diagnostics
    mine = [d for d in report.diagnostics if d.code == code]
    if "pass_src" in case:
        assert not mine, [d.message for d in mine]
        return
    assert mine, f"{code} did not fire"
    if "violations" in case:
        expected = sorted((v["code"], v["line"], v["column"]) for v in case["violations"])
        codes = {v["code"] for v in case["violations"]}
        got = sorted(
            (d.code, d.span.line, d.span.column)
            for d in report.diagnostics
            if d.code in codes and d.span is not None
        )
        assert got == expected, [d.message for d in report.diagnostics]
    for text in case.get("messages", []):
        assert any(text in d.message for d in mine), [d.message for d in mine]


def test_every_rule_has_cases() -> None:
    assert {path.stem for path in CASES.glob("*.toml")} == set(RULES)
