r"""Decoding string literals: escapes, and the indentation rule of long strings.

A short string ``"..."`` accepts the escapes ``\\" \\\\ \\/ \\n \\r \\t \\uXXXX \\u{X...}``. A long
string ``\"\"\"...\"\"\"`` keeps its line breaks; a line break right after the opening quotes and a
last line holding only whitespace are dropped, then the common indentation of the non-blank lines is
removed (Python's ``textwrap.dedent`` rule), then escapes are decoded.
"""

from __future__ import annotations

import re
import textwrap

_SIMPLE = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "/": "/"}
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|.)", re.DOTALL)


class EscapeError(ValueError):
    """An invalid escape at ``offset`` characters into the literal's source text."""

    def __init__(self, message: str, offset: int, length: int) -> None:
        super().__init__(message)
        self.offset = offset
        self.length = length


def decode(raw: str) -> str:
    r"""Return the value of a string literal given its source text, quotes included.

    Raises :class:`EscapeError` with the offset of the first invalid escape in ``raw``.

    >>> decode('"a\\\\tb"')
    'a\\tb'
    >>> decode('\"\"\"\\n    one\\n      two\\n    \"\"\"')
    'one\\n  two'
    """
    quotes = 3 if raw.startswith('"""') else 1
    inner = raw[quotes:-quotes]
    for match in _ESCAPE.finditer(inner):
        _one(match, quotes)
    body = long_body(inner) if quotes == 3 else inner
    return _ESCAPE.sub(lambda m: _one(m, 0), body) if "\\" in body else body


def long_body(inner: str) -> str:
    """Apply the long-string layout rule to the text between the triple quotes."""
    inner = inner.replace("\r\n", "\n")
    if inner.startswith("\n"):
        inner = inner[1:]
    last_break = inner.rfind("\n")
    if last_break >= 0 and not inner[last_break + 1 :].strip(" \t"):
        inner = inner[:last_break]
    return textwrap.dedent(inner)


def _one(match: re.Match[str], base: int) -> str:
    seq = match.group(1)
    if seq in _SIMPLE:
        return _SIMPLE[seq]
    if seq.startswith("u{") or (seq.startswith("u") and len(seq) == 5):
        code = int(seq.strip("u{}"), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise EscapeError(
                f"\\{seq} is not a Unicode scalar value", base + match.start(), len(seq) + 1
            )
        return chr(code)
    if seq in ("\n", "\r"):
        raise EscapeError("a backslash cannot end a line", base + match.start(), 1)
    raise EscapeError(f"invalid escape '\\{seq}'", base + match.start(), len(seq) + 1)


def quote(value: str) -> str:
    r"""Return a short-string literal whose value is ``value``.

    >>> quote('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'
