"""Trace problem codes (ES7xx): what went wrong while reading traces, and how bad it is.

Codes are stable and never reused; docs/traces.md explains each one with an example. A
*warning* means the record was normalised and kept; an *error* means a record (or a file)
was skipped. Reading never stops at a bad record; ``--strict`` turns every reported problem
into a failure after reading. Codes ES710-ES714 are about the command or the files as a whole
and are raised at once (exit code 2).
"""

from __future__ import annotations

from typing import NamedTuple

from evalspec.diagnostics import Severity


class Code(NamedTuple):
    """A code, its kebab-case name, its default severity and a one-line summary."""

    code: str
    name: str
    severity: Severity
    summary: str


CODES: dict[str, Code] = {}

_E, _W = Severity.ERROR, Severity.WARNING


def _code(code: str, name: str, severity: Severity, summary: str) -> str:
    assert code not in CODES, code
    CODES[code] = Code(code, name, severity, summary)
    return code


# one record
MALFORMED_JSON = _code("ES701", "malformed-json", _E, "a line is not valid JSON; skipped")
TRUNCATED_LINE = _code("ES702", "truncated-last-line", _E, "the last line is cut off; skipped")
DUPLICATE_ID = _code("ES703", "duplicate-id", _W, "a trace id seen before; renamed 'id#2'")
INVALID_UTF8 = _code("ES704", "invalid-utf8", _W, "bytes that are not UTF-8; replaced with U+FFFD")
MISSING_OUTPUT = _code("ES705", "missing-output", _W, "a trace with no output")
UNKNOWN_ROLE = _code("ES706", "unknown-role", _W, "a message role that is not standard; normalised")
NESTED_MESSAGES = _code("ES707", "nested-message-list", _W, "a list where a message belongs")
INVALID_RECORD = _code("ES708", "invalid-record", _E, "a record that is not a trace of its format")
INVALID_VALUE = _code("ES709", "invalid-value", _W, "a field value that cannot be read; dropped")

# the command and the files
UNKNOWN_FORMAT = _code("ES710", "unknown-format", _E, "a format name evalspec does not know")
UNDETECTED_FORMAT = _code("ES711", "undetected-format", _E, "the format of a file is not clear")
UNREADABLE_FILE = _code("ES712", "unreadable-file", _E, "a file cannot be opened or read")
PATH_OUTSIDE = _code("ES713", "path-outside-base", _E, "a trace path leaves the project folder")
NO_FILES = _code("ES714", "no-trace-files", _E, "a path or pattern matches no file")

# structure inside a record
BROKEN_TREE = _code("ES715", "broken-span-tree", _W, "spans whose parent is missing")
MISSING_COLUMN = _code("ES716", "missing-column", _E, "a mapped column is absent; file skipped")
