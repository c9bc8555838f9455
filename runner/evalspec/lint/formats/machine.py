"""``--output-format json``: a list of findings as objects, for scripts."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from evalspec.diagnostics import Diagnostic
from evalspec.lint.base import RULES
from evalspec.lint.engine import LintReport


def finding_dict(diag: Diagnostic) -> dict[str, Any]:
    """``{code, name, severity, message, path, span, hint, url}``; span keys are snake_case."""
    span = diag.span
    return {
        "code": diag.code,
        "name": diag.name,
        "severity": diag.severity.value,
        "message": diag.message,
        "path": diag.path,
        "span": None if span is None else msgspec.to_builtins(span),
        "hint": diag.hint,
        "url": RULES[diag.code].url() if diag.code in RULES else None,
    }  # fmt: skip


def json_format(report: LintReport) -> str:
    """Every finding, in file order, as an indented JSON array."""
    return (
        json.dumps([finding_dict(d) for d in report.diagnostics], indent=2, ensure_ascii=False)
        + "\n"
    )
