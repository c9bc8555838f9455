"""Produce the conformance suite's expected files with the reference implementation.

Used by ``tests/test_conformance.py`` (to compare) and ``tests/regen_goldens.py`` (to write).
The project root for every case is the folder that holds it; see spec/conformance/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from evalspec import ir
from evalspec.errors import EvalspecError
from evalspec.lang.load import compile_path

CONFORMANCE = Path(__file__).resolve().parent.parent / "spec" / "conformance"
PARSE_GOOD = CONFORMANCE / "parse" / "good"
PARSE_BAD = CONFORMANCE / "parse" / "bad"


def good_cases() -> list[Path]:
    """Every valid spec of the suite (CRLF twins included)."""
    return sorted(PARSE_GOOD.glob("*.eval"))


def bad_cases() -> list[Path]:
    """Every invalid spec of the suite, one fault per file."""
    return sorted(PARSE_BAD.glob("*.eval"))


def golden_ir_path(case: Path) -> Path:
    """The expected IR of a good case; a CRLF twin shares its LF original's IR."""
    name = case.name.replace(".crlf.eval", ".eval")
    return case.with_name(name + ".ir.json")


def compile_case(case: Path) -> dict[str, Any]:
    """Compile a case the way the suite prescribes: root = the case's folder."""
    doc = compile_path(case, root=case.parent, display=case.name)
    if ".crlf." in case.name:  # a twin must compile to its original, path included
        doc = msgspec.structs.replace(doc, path=case.name.replace(".crlf.eval", ".eval"))
    data: dict[str, Any] = json.loads(ir.encode(doc))
    return data


def case_errors(case: Path) -> list[dict[str, Any]]:
    """Return the diagnostics of a bad case as the suite's records (code, line, column, message)."""
    try:
        compile_path(case, root=case.parent, display=case.name)
    except EvalspecError as exc:
        return [_record(d) for d in exc.diagnostics]
    return []


def _record(diag: Any) -> dict[str, Any]:
    span = diag.span
    return {
        "code": diag.code,
        "line": span.line if span else 0,
        "column": span.column if span else 0,
        "message": diag.message,
    }


def errors_path(case: Path) -> Path:
    """The expected diagnostics of a bad case."""
    return case.with_name(case.name + ".errors.ndjson")


def write_goldens() -> None:
    """Rewrite every expected file from the current implementation."""
    for case in good_cases():
        if ".crlf." not in case.name:
            text = json.dumps(compile_case(case), indent=2, sort_keys=True, ensure_ascii=False)
            golden_ir_path(case).write_text(text + "\n", encoding="utf-8")
    for case in bad_cases():
        lines = [json.dumps(r, ensure_ascii=False) for r in case_errors(case)]
        errors_path(case).write_text("\n".join(lines) + "\n", encoding="utf-8")
