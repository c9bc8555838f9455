"""``--output-format junit``: JUnit XML with a test case per file and rule.

Each file is a ``testsuite``; each rule enabled for it is a ``testcase`` that passes, fails
(its findings, one per line, in a ``failure``) or is ``skipped`` (the rule could not run,
e.g. the spec does not parse). Syntax and compile errors (ES0xx) are ``error`` test cases:
the spec is invalid, so the rules could not judge it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from evalspec.diagnostics import Diagnostic
from evalspec.lint.base import RULES
from evalspec.lint.engine import FileResult, LintReport
from evalspec.lint.formats.text import concise_line


def junit(report: LintReport) -> str:
    """The report as a ``testsuites`` document."""
    root = ET.Element("testsuites", name="evalspec lint")
    for result in report.results:
        root.append(_suite(result))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(result: FileResult) -> ET.Element:
    suite = ET.Element("testsuite", name=result.path)
    by_code: dict[str, list[Diagnostic]] = defaultdict(list)
    for diag in result.diagnostics:
        by_code[diag.code].append(diag)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for code in sorted(set(result.enabled) | set(by_code)):
        case = ET.SubElement(suite, "testcase", classname=result.path, name=_name(code, by_code),
                             file=result.path)  # fmt: skip
        counts["tests"] += 1
        found = by_code.get(code, [])
        if found:
            kind = "error" if code.startswith("ES0") else "failure"
            counts[f"{kind}s"] += 1
            detail = ET.SubElement(case, kind, message=_message(found), type=code)
            detail.text = "\n".join(concise_line(d) for d in found)
        elif code in result.skipped:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=result.skipped[code])
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _name(code: str, by_code: dict[str, list[Diagnostic]]) -> str:
    if code in RULES:
        return f"{code} {RULES[code].name}"
    found = by_code.get(code)
    return f"{code} {found[0].name}" if found and found[0].name else code


def _message(found: list[Diagnostic]) -> str:
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"{first.location()}: {first.message}{more}"
