"""Diagnostic codes of the language: reading (ES00x), syntax (ES01x-ES02x), meaning (ES03x-ES06x).

Codes are normative (the conformance suite pins them with line and column); names are stable
kebab-case aliases; summaries are informative. Codes are never reused. Lint rules (ES1xx and up)
live in ``evalspec.lint``; trace problems (ES7xx) in ``evalspec.traces``.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """A code, its kebab-case name and a one-line summary."""

    code: str
    name: str
    summary: str


CODES: dict[str, Code] = {}


def _code(code: str, name: str, summary: str) -> str:
    assert code not in CODES, code
    CODES[code] = Code(code, name, summary)
    return code


# reading the file
EMPTY_FILE = _code("ES001", "empty-file", "the file holds no suite and no mode")
NOT_UTF8 = _code("ES002", "not-utf8", "the file is not valid UTF-8")
BINARY_FILE = _code("ES003", "binary-file", "the file is binary, not a text spec")
INSPECT_LOG = _code("ES004", "inspect-log", "the file is a zip archive, such as an Inspect AI log")
FILE_TOO_LARGE = _code("ES005", "file-too-large", "the file exceeds the spec size limit")
TOO_DEEP = _code("ES006", "nesting-too-deep", "expressions nest deeper than the limit")
UNREADABLE = _code("ES009", "unreadable-file", "the file cannot be read")

# syntax
UNEXPECTED_TOKEN = _code("ES010", "unexpected-token", "a token that cannot appear here")
UNEXPECTED_CHARACTER = _code("ES011", "unexpected-character", "a character that starts no token")
MISSING_BRACE = _code("ES012", "missing-closing-brace", "a block is not closed before the end")
UNEXPECTED_EOF = _code("ES013", "unexpected-end-of-file", "the file ends inside a statement")
UNTERMINATED_STRING = _code("ES014", "unterminated-string", "a string has no closing quote")
INVALID_ESCAPE = _code("ES015", "invalid-escape", "a string holds an unknown escape")
UNTERMINATED_REGEX = _code("ES016", "unterminated-regex", "a regex literal has no closing slash")
MISSING_VALUE = _code("ES017", "missing-value", "a statement lacks its value")
UNCLOSED_PAREN = _code("ES018", "missing-closing-paren", "a parenthesis is not closed")
UNKNOWN_STATEMENT = _code("ES020", "unknown-statement", "a word that is no statement of this block")
UNKNOWN_PREDICATE = _code("ES021", "unknown-predicate", "a word that is no predicate")
STRAY_BRACE = _code("ES022", "unexpected-closing-brace", "a closing brace with no open block")
MISSING_NAME = _code("ES023", "missing-name", "a suite, mode or judge lacks its name")
MISSING_EXPRESSION = _code("ES024", "missing-expression", "when or assert lacks its condition")
MISSING_PREDICATE = _code("ES025", "missing-predicate", "a selector is not followed by a predicate")

# meaning
DUPLICATE_MODE = _code("ES030", "duplicate-mode", "two modes share a name")
DUPLICATE_SUITE = _code("ES031", "duplicate-suite", "a file holds more than one suite")
DUPLICATE_STATEMENT = _code(
    "ES032", "duplicate-statement", "a statement that may appear once is repeated"
)
UNKNOWN_SELECTOR = _code("ES033", "unknown-selector", "a selector that the trace record lacks")
UNKNOWN_FUNCTION = _code("ES034", "unknown-function", "a function the language does not define")
UNPORTABLE_REGEX = _code("ES035", "unportable-regex", "a regex outside the portable dialect")
INVALID_REGEX = _code("ES036", "invalid-regex", "a regex that does not compile")
PERCENT_RANGE = _code("ES037", "percent-out-of-range", "a percentage above 100%")
SEEN_RANGE = _code("ES038", "seen-out-of-range", "seen counts more failures than traces")
FILE_NOT_FOUND = _code("ES039", "file-not-found", "a referenced file does not exist")
ENV_MISPLACED = _code("ES040", "env-not-allowed", "env() where a value must be written in the spec")
SPLIT_SUM = _code("ES041", "split-not-100", "a judge split does not add up to 100")
PATH_ESCAPES = _code("ES042", "path-outside-project", "a file reference leaves the project")
WRONG_TYPE = _code("ES043", "wrong-value-type", "a value of the wrong type for its place")
INVALID_DATE = _code("ES044", "invalid-date", "a date that does not exist")
UNKNOWN_PII = _code("ES045", "unknown-pii-kind", "a PII kind the detector does not know")
UNKNOWN_SETTING = _code("ES046", "unknown-setting", "a judge setting the language does not define")
LITERAL_SECRET = _code("ES047", "literal-secret", "an API key written into the spec")
UNKNOWN_SEVERITY = _code(
    "ES048", "unknown-severity", "a severity other than low, medium, high, critical"
)
BAD_SELECTOR_USE = _code(
    "ES049", "invalid-selector-use", "a selector used where its type does not fit"
)
INVALID_JSON = _code("ES050", "invalid-json", "an inline JSON value does not parse")
MISSING_SETTING = _code("ES051", "missing-setting", "a required setting is absent")
DUPLICATE_GUARD = _code("ES052", "duplicate-guard", "two judges of a mode share a name")
INVALID_TRACE_FIELD = _code("ES053", "invalid-trace-field", "an inline trace field is invalid")
INVALID_SCHEMA = _code("ES054", "invalid-schema", "a referenced JSON Schema is not valid")
INVALID_PROMPT = _code(
    "ES055", "invalid-judge-prompt", "a judge prompt uses no or unknown placeholders"
)
OUT_OF_RANGE = _code("ES056", "value-out-of-range", "a number outside the range its setting allows")

# portable form
INVALID_IR = _code("ES060", "invalid-ir", "an IR document does not match the IR schema")
IR_VERSION = _code("ES061", "unsupported-ir-version", "an IR document of another major version")
