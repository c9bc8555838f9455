"""Every rule's documented examples run: it fires on the anti-pattern, not the best practice."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec.lint.base import RULES

from .helpers import found, lint_project

CODES = sorted(RULES)


@pytest.mark.parametrize("code", CODES)
def test_rule_fires_on_its_anti_pattern(code: str, tmp_path: Path) -> None:
    example = RULES[code].doc.bad
    report = lint_project(tmp_path, example.spec, {f.path: f.text for f in example.files})
    assert found(report, code), f"{code} is silent on its own anti-pattern"


@pytest.mark.parametrize("code", CODES)
def test_rule_is_silent_on_its_best_practice(code: str, tmp_path: Path) -> None:
    example = RULES[code].doc.good
    report = lint_project(tmp_path, example.spec, {f.path: f.text for f in example.files})
    assert not found(report, code), [d.message for d in found(report, code)]


@pytest.mark.parametrize("code", CODES)
def test_examples_are_valid_specs(code: str, tmp_path: Path) -> None:
    """Documentation examples parse and compile: a broken example would test nothing."""
    for name, example in (("bad", RULES[code].doc.bad), ("good", RULES[code].doc.good)):
        files = {f.path: f.text for f in example.files}
        report = lint_project(tmp_path / name, example.spec, files)
        assert not [d for d in report.diagnostics if d.code.startswith("ES0")], name


@pytest.mark.parametrize("code", CODES)
def test_docstring_shape(code: str) -> None:
    cls = RULES[code]
    assert cls.doc.summary.endswith(".")
    assert len(cls.doc.rationale) > 80, "the rationale says why the rule matters"
    assert cls.name == cls.name.lower() and " " not in cls.name
    assert cls.__doc__ is not None and "**Anti-pattern**" in cls.__doc__


def test_codes_are_grouped_by_hundreds() -> None:
    groups = {"1": "coverage", "2": "guards", "3": "traces", "4": "judges", "9": "suppression"}
    for code, cls in RULES.items():
        assert groups[code[2]] in cls.groups, code


def test_required_rules_exist() -> None:
    names = {cls.name for cls in RULES.values()}
    assert {
        "mode-without-guard",
        "mode-without-examples",
        "guard-misses-example",
        "guard-fires-on-counter",
        "high-rung-without-todo",
        "judge-not-calibrated",
        "judge-calibration-stale",
        "judge-too-few-labels",
        "judge-labels-one-class",
        "judge-score-scale",
        "frequent-mode-without-code-guard",
        "example-not-found",
        "review-overdue",
        "unmatched-file-pattern",
        "unused-suppression",
        "malformed-suppression",
        "nested-quantifier",
        "redundant-wildcard",
        "character-alternation",
    } <= names
