"""JUnit XML: well-formed, one case per mode and per self-test, failure kept apart from error."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

from report_data import gate, mode, results, sample, verdict

from evalspec.report import junit


def parse(data: object) -> ET.Element:
    out = io.StringIO()
    junit.report(data, (), out)  # type: ignore[arg-type]
    text = out.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    return ET.fromstring(text)


def cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(c.get("classname", ""), c.get("name", "")): c for c in root.iter("testcase")}


def test_totals_and_suites() -> None:
    root = parse(sample())
    assert root.tag == "testsuites" and root.get("name") == "evalspec"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "2", "1")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "support.eval"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "2", "1")


def test_failed_gates_are_failures() -> None:
    case = cases(parse(sample()))[("support.eval.missing_refusal", "gates")]
    assert (case.get("file"), case.get("line")) == ("support.eval", "21")
    (failure,) = case.findall("failure")
    assert failure.get("type") == "gate-failed"
    assert failure.get("message") == (
        "max_rate: rate 12% is above max_rate 2%; baseline: rate 12% (6/50) vs baseline 0% "
        "(0/50), one-sided p = 0.0135, alpha 5%"
    )
    assert "tr_<script>alert(1)</script> assert-1 fail" in (failure.text or "")
    assert case.find("error") is None


def test_traces_that_could_not_be_evaluated_are_errors_not_failures() -> None:
    case = cases(parse(sample()))[("support.eval.wrong_tone", "gates")]
    assert case.find("failure") is None
    (error,) = case.findall("error")
    assert (error.get("type"), error.get("message")) == (
        "not-evaluated",
        "2 trace(s) could not be evaluated",
    )
    assert error.text == "tr_5 judge-tone: judge endpoint failed after 2 attempts: HTTP 500"


def test_a_failed_gate_wins_over_errors_in_the_same_mode() -> None:
    data = results(
        mode("m", 5, errors=3, fired=5, rate="0.5",
             gates=[gate("max_rate", False, "rate 50% is above max_rate 2%")]),
    )  # fmt: skip
    case = cases(parse(data))[("support.eval.m", "gates")]
    assert [child.tag for child in case] == ["failure", "system-out"]


def test_self_test_is_its_own_case() -> None:
    found = cases(parse(sample()))
    gates_case = found[("support.eval.invalid_card", "gates")]
    assert gates_case.find("failure") is None  # the self-test is reported once, below
    (failure,) = found[("support.eval.invalid_card", "self_test")].findall("failure")
    assert failure.get("type") == "self-test-failed"
    assert (failure.get("message") or "").startswith("1 of 2 self-test checks failed")


def test_passing_modes_have_only_their_output() -> None:
    case = cases(parse(sample()))[("support.eval.rambling", "gates")]
    assert [child.tag for child in case] == ["system-out"]
    assert (case.find("system-out").text or "").startswith(  # type: ignore[union-attr]
        "rate 1.5% [0.5%, 4.3%], 3/200 fired\nbaseline: ok: "
    )


def test_characters_xml_cannot_carry_do_not_break_the_document() -> None:
    # A trace id or a critique with control characters made the whole file unreadable.
    bad = "t\x01\x1b[31m\x00"
    data = results(
        mode("m", 5, errors=1, failing=[verdict(bad, "m", "judge-x", "error", "crit\x0bique")]),
    )
    case = cases(parse(data))[("support.eval.m", "gates")]
    assert (case.find("error").text or "") == (  # type: ignore[union-attr]
        "t\\u0001\\u001b[31m\\u0000 judge-x: crit\\u000bique"
    )
