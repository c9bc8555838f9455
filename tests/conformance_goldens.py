"""Produce the conformance suite's expected files with the reference implementation.

Used by ``tests/test_conformance.py`` (to compare) and ``tests/regen_goldens.py`` (to write).
The project root for every case is the folder that holds it; see spec/conformance/README.md.
"""

from __future__ import annotations

import json
import os
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
    write_run_goldens()
    for case in good_cases():
        if ".crlf." not in case.name:
            text = json.dumps(compile_case(case), indent=2, sort_keys=True, ensure_ascii=False)
            golden_ir_path(case).write_text(text + "\n", encoding="utf-8")
    for case in bad_cases():
        lines = [json.dumps(r, ensure_ascii=False) for r in case_errors(case)]
        errors_path(case).write_text("\n".join(lines) + "\n", encoding="utf-8")


RUN = CONFORMANCE / "run"
#: Fields of each record that the suite pins; ``detail`` and other text are informative.
NORMATIVE = {
    "verdict": ("trace_id", "mode", "guard", "outcome"),
    "mode": ("mode", "traces", "skipped", "evaluated", "fired", "errors", "pending", "gates"),
    "summary": ("outcome", "exit_code", "traces"),
}


def run_cases() -> list[Path]:
    """Every run case: a folder with spec.eval, traces/ and expected.results.ndjson."""
    return sorted(p.parent for p in RUN.glob("*/spec.eval"))


def run_case(case: Path) -> tuple[int, list[dict[str, Any]]]:
    """Check a case as the suite prescribes; return the exit code and the result records."""
    from click.testing import CliRunner

    from evalspec.cli import cli

    args_file = case / "args.txt"
    extra = args_file.read_text(encoding="utf-8").split() if args_file.exists() else []
    argv = ["check", "spec.eval", "--root", ".", "--format", "ndjson", "--no-baseline"]
    argv += ["--judge-cache", ".cache.sqlite", *extra]
    here = Path.cwd()
    os.chdir(case)  # paths in the records are then relative to the case, as the suite says
    try:
        result = CliRunner().invoke(cli, argv)
    finally:
        os.chdir(here)
    (case / ".cache.sqlite").unlink(missing_ok=True)
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, records


def normative(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep only the fields the suite pins."""
    return [{k: r.get(k) for k in ("kind", *NORMATIVE[r["kind"]])} for r in records]


def expected_path(case: Path) -> Path:
    """The expected records of a run case."""
    return case / "expected.results.ndjson"


def write_run_goldens() -> None:
    """Rewrite the expected records of every run case."""
    for case in run_cases():
        _, records = run_case(case)
        lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records]
        expected_path(case).write_text("\n".join(lines) + "\n", encoding="utf-8")
