"""``--output-format sarif``: SARIF 2.1.0 for GitHub code scanning and other viewers.

``tool.driver.rules`` lists every lint rule (code as ``id``, kebab name, summary, rationale,
help link, default level) plus the ES0xx codes that occur; ``ruleId`` is the stable code.
Regions are 1-based with an exclusive end column, and columns count Unicode code points
(``columnKind``), as evalspec's spans do.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from evalspec._version import __version__
from evalspec.diagnostics import Diagnostic, Severity
from evalspec.lang import codes
from evalspec.lint.base import DOCS_URL, RULES
from evalspec.lint.engine import LintReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(report: LintReport) -> str:
    """The whole report as one SARIF log with one run."""
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "evalspec", "version": __version__, "informationUri": DOCS_URL,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": not any(r.fatal for r in report.results)}],
            "results": [_result(d, index) for d in report.diagnostics],
        }],
    }  # fmt: skip
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rules(report: LintReport) -> list[dict[str, Any]]:
    out = []
    for code in sorted(RULES):
        cls = RULES[code]
        out.append({
            "id": code, "name": cls.name,
            "shortDescription": {"text": cls.doc.summary},
            "fullDescription": {"text": cls.doc.explanation},
            "helpUri": cls.url(),
            "defaultConfiguration": {"level": _LEVELS[cls.severity]},
            "properties": {"tags": list(cls.groups)},
        })  # fmt: skip
    for code in sorted({d.code for d in report.diagnostics} - set(RULES)):
        known = codes.CODES.get(code)
        entry: dict[str, Any] = {"id": code, "defaultConfiguration": {"level": "error"}}
        if known is not None:
            entry |= {"name": known.name, "shortDescription": {"text": known.summary}}
        out.append(entry)
    return out


def _result(diag: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(diag.path)}}
    if diag.span is not None:
        span = diag.span
        location["region"] = {"startLine": span.line, "startColumn": span.column,
                              "endLine": span.end_line, "endColumn": span.end_column}  # fmt: skip
    text = diag.message + (f" ({diag.hint})" if diag.hint else "")
    return {
        "ruleId": diag.code, "ruleIndex": index[diag.code], "level": _LEVELS[diag.severity],
        "message": {"text": text}, "locations": [{"physicalLocation": location}],
    }  # fmt: skip


def _uri(path: str) -> str:
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix())
