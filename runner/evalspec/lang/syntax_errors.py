"""Turn Lark's parse failures into coded diagnostics that name the construct and what was expected.

Lark reports terminal names (``RBRACE``, ``MAX_RATE``); users read ``'}'`` and ``max_rate``. The
rules below look at the failing token and the set of terminals the parser would have accepted, in
the order listed in :func:`classify`. Each rule is pinned by a case in
``spec/conformance/parse/bad``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from evalspec.diagnostics import Diagnostic, Span, error
from evalspec.lang import codes

#: Statement words the grammar never reads as names (its NAME terminal excludes them).
RESERVED_WORDS = frozenset(
    "suite mode why severity seen examples example counter max_rate tolerance when assert judge "
    "human todo traces guards corpus tools labels review alpha prompt".split()
)
#: Words that begin a statement in some block; a later line starting with one resynchronises.
STATEMENT_TERMINALS = frozenset(
    "TRACES EXAMPLES GUARDS CORPUS TOOLS LABELS REVIEW ALPHA TOLERANCE JUDGE WHY SEVERITY SEEN "
    "EXAMPLE "
    "COUNTER MAX_RATE WHEN ASSERT HUMAN TODO ID INPUT OUTPUT TOOL_CALL METADATA JSON PROMPT "
    "MODEL".split()
)
RESYNC_TERMINALS = STATEMENT_TERMINALS | {"SUITE", "MODE", "RBRACE"}
PREDICATE_TERMINALS = frozenset(
    "CONTAINS ICONTAINS STARTS ENDS MATCHES IS CONFORMS CONFORM HAS CMP_OP".split()
)
_PREDICATE_WORDS = {
    "CONTAINS": "contains",
    "ICONTAINS": "icontains",
    "STARTS": "starts with",
    "ENDS": "ends with",
    "MATCHES": "matches",
    "IS": "is json",
    "CONFORMS": "conforms",
    "CONFORM": "conform tools",
    "HAS": "has no pii",
}
#: Predicates of several words, by their first word's terminal.
_TWO_WORDS = {
    "IS": "is json",
    "STARTS": "starts with",
    "ENDS": "ends with",
    "HAS": "has no pii",
    "NO": "has no pii",
    "CONFORM": "conform tools",
}
_VALUE_TERMINALS = frozenset("STRING INT DECIMAL PERCENT DURATION DATE TRUE FALSE ENV LSQB".split())
_EXPR_TERMINALS = frozenset("NOT LPAR TOOL_CALLED CITATIONS RUN PYTHON".split())
_NAMED = {
    "NAME": "a name",
    "STRING": "a string",
    "REGEX": "a regex /.../",
    "DATE": "a date (YYYY-MM-DD)",
    "PERCENT": "a percentage such as 2%",
    "DURATION": "a duration such as 14d",
    "DECIMAL": "a decimal number",
    "INT": "a whole number",
    "CMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "$END": "the end of the file",
}
_CHAR_HINTS = {
    ";": "statements end at the end of a line; remove the ';'",
    "'": 'strings use double quotes: "..."',
    "=": "comparisons are written ==",
    "&": "write 'and'",
    "|": "write 'or'",
    "!": "write 'not' (or != for inequality)",
}


def classify(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    """Map a Lark parse failure to one diagnostic with a code, a span and, if possible, a hint."""
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(exc, text, path)
    assert isinstance(exc, UnexpectedToken)
    tok, expected = exc.token, set(exc.expected)
    if tok.type == "$END":
        return _end_of_file(exc, text, path)
    span = _token_span(tok)
    word = str(tok)
    if tok.type == "RBRACE" and {"SUITE", "MODE"} & expected:
        return error(codes.STRAY_BRACE, "'}' closes no open block", path, span)
    before = _last_token(exc)
    if before is not None and before.type in _TWO_WORDS:
        # `is yaml`, `starts wiht`: the predicate's first word is right, the rest is not
        hint: str | None = f"did you mean '{_TWO_WORDS[before.type]}'?"
        message = f"unknown predicate '{before} {word}'"
        return error(codes.UNKNOWN_PREDICATE, message, path, span, hint=hint)
    if expected & PREDICATE_TERMINALS and _is_word(word):
        hint = _did_you_mean(word, (_PREDICATE_WORDS[t] for t in expected if t in _PREDICATE_WORDS))
        return error(codes.UNKNOWN_PREDICATE, f"unknown predicate '{word}'", path, span, hint=hint)
    if expected & PREDICATE_TERMINALS and tok.type in RESYNC_TERMINALS:
        subject = f"'{before}'" if before is not None else "the selector"
        return error(
            codes.MISSING_PREDICATE,
            f"{subject} is not followed by a predicate",
            path,
            span,
            hint="add one: contains, matches, is json, ==, <=, ...",
        )
    if "NAME" in expected and expected <= {"NAME", "STRING"} and tok.type != "NAME":
        return error(codes.MISSING_NAME, f"expected a name, found {_show(tok)}", path, span)
    if tok.type == "SLASH" and "REGEX" in expected:
        return _bad_character_at(codes.UNTERMINATED_REGEX, tok, text, path)
    if "RPAR" in expected and tok.type in RESYNC_TERMINALS:
        opened = _innermost(exc, "LPAR")
        if opened is not None:
            return error(
                codes.UNCLOSED_PAREN,
                "'(' is never closed",
                path,
                _token_span(opened),
                hint=f"add ')' before {_show(tok)} at line {tok.line}",
            )
    keyword = _statement_word(exc)
    if _expects_value(expected) and tok.type in RESYNC_TERMINALS:
        before = keyword or _last_token(exc)
        if before is not None:
            return error(
                codes.MISSING_VALUE, f"'{before}' needs a value", path, _token_span(before)
            )
    if keyword is not None and expected & _EXPR_TERMINALS and tok.type in RESYNC_TERMINALS:
        message = f"'{keyword}' needs a condition"
        return error(codes.MISSING_EXPRESSION, message, path, _token_span(keyword))
    if expected & STATEMENT_TERMINALS and _is_word(word):
        options = [_display(t).strip("'") for t in expected if t in STATEMENT_TERMINALS]
        hint = _did_you_mean(word, options)
        return error(codes.UNKNOWN_STATEMENT, f"unknown statement '{word}'", path, span, hint=hint)
    message = f"unexpected {_show(tok)}; expected {_expected(expected)}"
    return error(codes.UNEXPECTED_TOKEN, message, path, span)


def _bad_character(exc: UnexpectedCharacters, text: str, path: str) -> Diagnostic:
    char = exc.char
    pos = exc.pos_in_stream or 0
    if char == '"' and text[max(pos - 2, 0) : pos + 1] == '"""':  # lexed as "" then a lone "
        span = Span(exc.line, exc.column - 2, exc.line, exc.column + 1)
        return error(
            codes.UNTERMINATED_STRING,
            'long string """ is never closed',
            path,
            span,
            hint='end it with """',
        )
    if char == '"':
        return _unclosed(codes.UNTERMINATED_STRING, exc.line, exc.column, pos, text, path)
    if char == "/":
        return _unclosed(codes.UNTERMINATED_REGEX, exc.line, exc.column, pos, text, path)
    span = Span.point(exc.line, exc.column)
    shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    return error(
        codes.UNEXPECTED_CHARACTER,
        f"unexpected character {shown}",
        path,
        span,
        hint=_CHAR_HINTS.get(char),
    )


_UNCLOSED = {
    codes.UNTERMINATED_STRING: (
        "string is not closed on this line",
        'close it with ", or use """...""" for text over several lines',
    ),
    codes.UNTERMINATED_REGEX: (
        "regex literal is not closed on this line",
        "end it with / (write \\/ for a slash inside)",
    ),
}


def _unclosed(code: str, line: int, column: int, pos: int, text: str, path: str) -> Diagnostic:
    line_end = text.find("\n", pos)
    width = (line_end if line_end >= 0 else len(text)) - pos
    message, hint = _UNCLOSED[code]
    return error(code, message, path, Span(line, column, line, column + max(width, 1)), hint=hint)


def _bad_character_at(code: str, tok: Token, text: str, path: str) -> Diagnostic:
    return _unclosed(code, tok.line or 1, tok.column or 1, tok.start_pos or 0, text, path)


def _end_of_file(exc: UnexpectedToken, text: str, path: str) -> Diagnostic:
    lines = text.split("\n")
    span = Span.point(len(lines), len(lines[-1]) + 1)
    expected = set(exc.expected)
    opened = _innermost(exc, "LBRACE")
    if "RBRACE" in expected and opened is not None:
        message = f"missing '}}' to close the block opened at line {opened.line}"
        return error(
            codes.MISSING_BRACE, message, path, span, hint="add '}' at the end of the block"
        )
    if "RPAR" in expected:
        opened = _innermost(exc, "LPAR")
        where = f" opened at line {opened.line}, column {opened.column}" if opened else ""
        return error(
            codes.UNCLOSED_PAREN, f"missing ')' to close the parenthesis{where}", path, span
        )
    message = f"the file ends inside a statement; expected {_expected(expected)}"
    return error(codes.UNEXPECTED_EOF, message, path, span)


_CLOSERS = {"LBRACE": "RBRACE", "LPAR": "RPAR"}


def _innermost(exc: UnexpectedToken, kind: str) -> Token | None:
    """Return the innermost opening token of ``kind`` on the parser stack that is not closed."""
    parser = exc.interactive_parser
    if parser is None:
        return None
    open_tokens: list[Token] = []
    for value in parser.parser_state.value_stack:
        if isinstance(value, Token) and value.type == kind:
            open_tokens.append(value)
        elif isinstance(value, Token) and value.type == _CLOSERS[kind] and open_tokens:
            open_tokens.pop()
    return open_tokens[-1] if open_tokens else None


def _statement_word(exc: UnexpectedToken) -> Token | None:
    """Return the keyword token of the statement being parsed, if it is still on the stack."""
    parser = exc.interactive_parser
    if parser is None:
        return None
    stack = parser.parser_state.value_stack
    last = stack[-1] if stack else None
    if isinstance(last, Token) and last.type in STATEMENT_TERMINALS | {"EVERY", "TIMEOUT"}:
        return last
    return None


def _last_token(exc: UnexpectedToken) -> Token | None:
    parser = exc.interactive_parser
    stack = parser.parser_state.value_stack if parser is not None else []
    return stack[-1] if stack and isinstance(stack[-1], Token) else None


def _expects_value(expected: set[str]) -> bool:
    return bool(expected & _VALUE_TERMINALS) and not expected & STATEMENT_TERMINALS


def _is_word(text: str) -> bool:
    return text.replace("_", "a").isalnum() and not text[0].isdigit()


def _did_you_mean(word: str, options: Iterable[str]) -> str | None:
    options = sorted(set(options))
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if match:
        return f"did you mean '{match[0]}'?"
    if options:
        return "expected one of: " + ", ".join(options)
    return None


def _token_span(tok: Token) -> Span:
    return Span(tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)


def _display(terminal: str) -> str:
    if terminal in _NAMED:
        return _NAMED[terminal]
    from evalspec.lang.parser import parser

    for term in parser().terminals:
        if term.name == terminal:
            return f"'{term.pattern.value}'"
    return terminal.lower()


def _show(tok: Token) -> str:
    if tok.type in ("NAME", "INT", "DECIMAL") or tok.type not in _NAMED:
        return f"'{tok}'"
    return _NAMED[tok.type]


def _expected(expected: set[str]) -> str:
    shown = sorted(_display(t) for t in expected)
    if len(shown) > 8:
        shown = shown[:8] + ["..."]
    return ", ".join(shown)
