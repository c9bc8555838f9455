"""JUnit XML for CI test reporters: one test case per mode (its gates) and per self-test.

A gate that failed is a ``<failure>``; a mode that could not be evaluated completely (judge
verdicts missing, checks that errored) is an ``<error>``: the two are never mixed up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO
from xml.etree import ElementTree as ET

from evalspec.report.common import failed_gates, interval, shown_rate
from evalspec.run.results import ModeResult, Results, Verdict

#: Characters XML 1.0 cannot carry at all, not even escaped (C0 controls but tab, CR, LF; lone
#: surrogates; U+FFFE, U+FFFF). ElementTree writes them as they are, which makes the whole
#: document unreadable to every CI parser: a trace id or a critique can contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    r"""Replace characters XML cannot carry with a visible ``\uXXXX`` escape."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _cleaned(element: ET.Element) -> None:
    for node in element.iter():
        node.attrib.update({k: _clean(v) for k, v in node.attrib.items()})
        if node.text:
            node.text = _clean(node.text)


def report(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write the JUnit document."""
    root = ET.Element("testsuites", name="evalspec")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for spec in results.specs:
        suite = ET.SubElement(root, "testsuite", name=spec)
        counts = {"tests": 0, "failures": 0, "errors": 0}
        for mode in (m for m in results.modes if m.spec == spec):
            for key, value in _mode_case(suite, mode).items():
                counts[key] += value
        suite.attrib.update({k: str(v) for k, v in counts.items()})
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({k: str(v) for k, v in totals.items()})
    _cleaned(root)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode") + "\n")


def _mode_case(suite: ET.Element, mode: ModeResult) -> dict[str, int]:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{mode.spec}.{mode.mode}",
        name="gates",
        file=mode.spec,
        line=str(mode.span.line),
    )
    failures = [g for g in failed_gates(mode) if g.gate != "self_test"]
    counts = {"tests": 1, "failures": 0, "errors": 0}
    if failures:
        failure = ET.SubElement(
            case,
            "failure",
            type="gate-failed",
            message="; ".join(f"{g.gate}: {g.message}" for g in failures),
        )
        failure.text = _details(mode)
        counts["failures"] = 1
    elif mode.errors:
        error = ET.SubElement(
            case,
            "error",
            type="not-evaluated",
            message=f"{mode.errors} trace(s) could not be evaluated",
        )
        error.text = "\n".join(
            f"{v.trace_id} {v.guard}: {v.detail or ''}"
            for v in mode.failing
            if v.outcome == "error"
        )
        counts["errors"] = 1
    ET.SubElement(case, "system-out").text = _details(mode)
    self_test = next((g for g in mode.gates if g.gate == "self_test"), None)
    if self_test is not None:
        test = ET.SubElement(
            suite,
            "testcase",
            classname=f"{mode.spec}.{mode.mode}",
            name="self_test",
            file=mode.spec,
            line=str(mode.span.line),
        )
        counts["tests"] += 1
        if not self_test.passed:
            ET.SubElement(test, "failure", type="self-test-failed", message=self_test.message)
            counts["failures"] += 1
    return counts


def _details(mode: ModeResult) -> str:
    lines = [f"rate {shown_rate(mode)} {interval(mode)}, {mode.fired}/{mode.evaluated} fired"]
    lines += [f"{g.gate}: {'ok' if g.passed else 'FAILED'}: {g.message}" for g in mode.gates]
    lines += [f"{v.trace_id} {v.guard} {v.outcome}: {v.detail or ''}" for v in mode.failing]
    return "\n".join(lines)
