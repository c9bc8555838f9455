"""Run spec/conformance with the reference implementation (cases collected as data)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conformance_goldens import (
    CONFORMANCE,
    bad_cases,
    case_errors,
    compile_case,
    errors_path,
    expected_path,
    golden_ir_path,
    good_cases,
    normative,
    run_case,
    run_cases,
)
from evalspec import ir


def _id(case: Path) -> str:
    return case.relative_to(CONFORMANCE).as_posix()


@pytest.mark.parametrize("case", good_cases(), ids=_id)
def test_good_case_compiles_to_its_golden_ir(case: Path) -> None:
    expected = json.loads(golden_ir_path(case).read_text(encoding="utf-8"))
    assert compile_case(case) == expected


@pytest.mark.parametrize("case", bad_cases(), ids=_id)
def test_bad_case_reports_its_first_error_where_expected(case: Path) -> None:
    lines = errors_path(case).read_text(encoding="utf-8").splitlines()
    expected = [json.loads(line) for line in lines if line.strip()]
    actual = case_errors(case)
    assert actual, "the case must not compile"
    first = {k: actual[0][k] for k in ("code", "line", "column")}
    assert first == {k: expected[0][k] for k in ("code", "line", "column")}
    assert actual == expected  # the reference implementation also matches the informative rest


def test_suite_is_big_enough_and_one_fault_per_bad_file() -> None:
    assert len([c for c in good_cases() if ".crlf." not in c.name]) >= 40
    assert len(bad_cases()) >= 40
    for case in bad_cases():
        codes = {json.loads(line)["code"] for line in errors_path(case).read_text().splitlines()}
        assert len(codes) == 1, f"{case.name} has more than one fault: {codes}"


def test_expectation_files_validate_against_the_suite_schema() -> None:
    schema = json.loads((CONFORMANCE / "suite.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator({**schema, "$ref": "#/$defs/error"})
    for case in bad_cases():
        for line in errors_path(case).read_text(encoding="utf-8").splitlines():
            validator.validate(json.loads(line))


def test_golden_ir_validates_against_the_published_schema() -> None:
    validator = jsonschema.Draft202012Validator(ir.json_schema())
    for case in good_cases():
        validator.validate(json.loads(golden_ir_path(case).read_text(encoding="utf-8")))


def test_crlf_twins_are_really_crlf() -> None:
    twins = [c for c in good_cases() if ".crlf." in c.name]
    assert twins
    for twin in twins:
        assert b"\r\n" in twin.read_bytes()


@pytest.mark.parametrize("case", run_cases(), ids=lambda c: c.relative_to(CONFORMANCE).as_posix())
def test_run_case_gives_its_expected_verdicts_and_counts(case: Path) -> None:
    lines = expected_path(case).read_text(encoding="utf-8").splitlines()
    expected = [json.loads(line) for line in lines if line.strip()]
    exit_code, actual = run_case(case)
    assert normative(actual) == normative(expected)
    assert exit_code == expected[-1]["exit_code"]


def test_there_are_at_least_twenty_run_cases() -> None:
    assert len(run_cases()) >= 20
