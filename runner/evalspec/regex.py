r"""The portable regex dialect: what every evalspec implementation must run identically.

The dialect is the part of RE2 syntax that RE2, ECMAScript and Python's ``re`` agree on, so it runs
in linear time under RE2 and the same way everywhere. Rejected: backreferences, lookaround, atomic
groups, possessive quantifiers, conditionals, named groups (their syntax differs between engines),
``\\A \\Z \\z \\G \\p \\u \\Q``, POSIX classes, inline flags other than ``i m s``, repetition
counts above 1000.

Semantics pinned where engines differ (the conformance suite has a case for each):

* ``\\d \\w \\s \\b`` are ASCII (``[0-9]``, ``[0-9A-Za-z_]``, ``[\\t\\n\\f\\r ]``), as in RE2;
* ``$`` without the ``m`` flag matches only at the very end of the text (Python's ``$`` also
  matches before a final newline; RE2 and ECMAScript do not);
* ``matches`` searches: the regex may match anywhere unless anchored.

:func:`compile` translates a checked pattern into an equivalent Python pattern.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

FLAGS = "ims"
MAX_REPEAT = 1000

_WORD = "0-9A-Za-z_"
_CLASS_ESCAPES = {"d": "0-9", "w": _WORD, "s": "\\t\\n\\f\\r "}
_ESCAPES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": "[\\t\\n\\f\\r ]",
    "S": "[^\\t\\n\\f\\r ]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}
_PLAIN_ESCAPES = set("tnrfv")
_REJECTED_ESCAPES = {
    "A": "use ^ for the start of the text",
    "Z": "use $ for the end of the text",
    "z": "use $ for the end of the text",
    "G": "\\G is not portable",
    "p": "Unicode property classes are not portable; list the characters",
    "P": "Unicode property classes are not portable; list the characters",
    "u": "write the character itself instead of a \\u escape",
    "U": "write the character itself",
    "x": "write \\xHH with exactly two hex digits, or the character itself",
    "N": "write the character itself",
    "Q": "escape each special character with a backslash instead",
    "E": "escape each special character with a backslash instead",
    "k": "backreferences are not portable",
    "K": "\\K is not portable",
    "C": "\\C is not portable",
}
_GROUP_REJECTS = [
    ("?=", "lookahead is not portable (RE2 runs in linear time and has none)"),
    ("?!", "negative lookahead is not portable"),
    ("?<=", "lookbehind is not portable"),
    ("?<!", "negative lookbehind is not portable"),
    ("?>", "atomic groups are not portable"),
    ("?P=", "backreferences are not portable"),
    ("?P<", "named groups are not portable (engines spell them differently); use ( )"),
    ("?<", "named groups are not portable (engines spell them differently); use ( )"),
    ("?(", "conditionals are not portable"),
    ("?#", "inline comments are not portable"),
]
_FLAG_GROUP = re.compile(r"\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")


class RegexProblem(NamedTuple):
    """Why a pattern is outside the dialect: a message, a hint and the offset in the pattern."""

    message: str
    hint: str | None
    offset: int
    length: int
    unportable: bool


@lru_cache(maxsize=4096)
def check(pattern: str, flags: str = "") -> RegexProblem | None:
    """Return why ``pattern`` with ``flags`` is not in the portable dialect, or ``None``."""
    for i, flag in enumerate(flags):
        if flag not in FLAGS or flag in flags[:i]:
            # a negative offset points at flag number -offset - 1, after the closing slash
            return RegexProblem(
                f"unknown regex flag '{flag}'", "flags are i, m and s", -1 - i, 1, True
            )
    try:
        _translate(pattern, flags)
    except _Problem as exc:
        return exc.problem
    try:
        re.compile(_translate(pattern, flags))
    except re.error as exc:
        offset = exc.pos if exc.pos is not None and exc.pos < len(pattern) else 0
        return RegexProblem(f"invalid regex: {exc.msg}", None, offset, 1, False)
    return None


@lru_cache(maxsize=4096)
def compile(pattern: str, flags: str = "") -> re.Pattern[str]:  # noqa: A001 - mirrors re.compile
    """Compile a checked portable pattern into a Python pattern with the dialect's semantics."""
    value = 0
    for flag in flags:
        value |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}[flag]
    return re.compile(_translate(pattern, flags), value)


class _Problem(Exception):
    def __init__(self, problem: RegexProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(message: str, offset: int, length: int = 1, hint: str | None = None) -> _Problem:
    return _Problem(RegexProblem(message, hint, offset, length, True))


def _translate(pattern: str, flags: str) -> str:
    """Check the pattern and rewrite it for Python; raises ``_Problem`` outside the dialect."""
    multiline = "m" in flags or bool(re.match(r"\(\?[a-z]*m", pattern))
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            text, i = _escape(pattern, i, in_class=False)
        elif char == "[":
            text, i = _char_class(pattern, i)
        elif char == "(":
            text, i = _group(pattern, i)
        elif char == "{":
            text, i = _repeat(pattern, i)
        elif char in "*+?}":
            text, i = _quantifier(pattern, i)
        elif char == "$" and not multiline:
            text, i = "\\Z", i + 1
        else:
            text, i = char, i + 1
        out.append(text)
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    if i + 1 >= len(pattern):
        raise _fail("the pattern ends with a lone backslash", i)
    char = pattern[i + 1]
    if char.isdigit():
        hint = "backreferences are not portable" if char != "0" else "write the character itself"
        raise _fail(f"'\\{char}' is not portable", i, 2, hint)
    if char == "x":
        return _hex_escape(pattern, i)
    if char in _REJECTED_ESCAPES:
        raise _fail(f"'\\{char}' is not portable", i, 2, _REJECTED_ESCAPES[char])
    if in_class:
        return _class_escape(pattern, i, char)
    if char in _ESCAPES:
        return _ESCAPES[char], i + 2
    if char in _PLAIN_ESCAPES or _punctuation(char):
        return pattern[i : i + 2], i + 2
    raise _fail(f"unknown escape '\\{char}'", i, 2, _escape_hint(char))


def _punctuation(char: str) -> bool:
    """Only ASCII punctuation may be escaped: RE2 rejects an escaped non-ASCII character."""
    return char.isascii() and not char.isalnum()


def _escape_hint(char: str) -> str | None:
    return None if char.isascii() else "write the character itself, without a backslash"


def _hex_escape(pattern: str, i: int) -> tuple[str, int]:
    digits = pattern[i + 2 : i + 4]
    if len(digits) == 2 and all(c in "0123456789abcdefABCDEF" for c in digits):
        return pattern[i : i + 4], i + 4
    raise _fail("'\\x' needs exactly two hex digits", i, 2, _REJECTED_ESCAPES["x"])


def _class_escape(pattern: str, i: int, char: str) -> tuple[str, int]:
    if char in _CLASS_ESCAPES:
        return _CLASS_ESCAPES[char], i + 2
    if char in "DWSbB":
        raise _fail(f"'\\{char}' is not portable inside [...]", i, 2, "list the characters")
    if char in _PLAIN_ESCAPES or _punctuation(char):
        return pattern[i : i + 2], i + 2
    raise _fail(f"unknown escape '\\{char}'", i, 2, _escape_hint(char))


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    out = ["["]
    i = start + 1
    if pattern[i : i + 1] == "^":
        out.append("^")
        i += 1
    if pattern[i : i + 1] == "]":
        out.append("\\]")
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        if pattern[i] == "\\":
            text, i = _escape(pattern, i, in_class=True)
            out.append(text)
            continue
        if pattern[i] == "[":
            hint = "POSIX classes are not portable" if pattern[i + 1 : i + 2] == ":" else None
            raise _fail("write '[' inside a class as '\\['", i, 1, hint)
        pair = pattern[i : i + 2]
        if pair in ("--", "&&", "~~", "||"):
            raise _fail(f"'{pair}' inside [...] is not portable", i, 2, "escape the characters")
        out.append(pattern[i])
        i += 1
    if i >= len(pattern):
        raise _Problem(RegexProblem("'[' is never closed", None, start, 1, False))
    return "".join(out) + "]", i + 1


def _group(pattern: str, i: int) -> tuple[str, int]:
    if pattern[i + 1 : i + 2] != "?":
        return "(", i + 1
    rest = pattern[i + 1 :]
    if rest.startswith("?:"):
        return "(?:", i + 3
    for prefix, message in _GROUP_REJECTS:
        if rest.startswith(prefix):
            raise _fail(message, i, len(prefix) + 1)
    match = _FLAG_GROUP.match(rest)
    if match is None:
        raise _fail("unknown group syntax", i, 2)
    letters = (match.group(1) or "") + (match.group(2) or "")
    bad = [c for c in letters if c not in FLAGS]
    if bad:
        raise _fail(
            f"inline flag '{bad[0]}' is not portable",
            i,
            len(match.group(0)) + 1,
            "flags are i, m and s",
        )
    if "m" in letters and (match.group(3) == ":" or match.group(2) is not None):
        raise _fail(
            "the m flag applies to the whole pattern only",
            i,
            len(match.group(0)) + 1,
            "write /pattern/m, or (?m) at the start",
        )
    if match.group(3) == ")" and match.group(2) is not None:
        raise _fail(
            "a leading flag group can only turn flags on",
            i,
            len(match.group(0)) + 1,
            "turn a flag off for part of the pattern with (?-s:...)",
        )
    if match.group(3) == ")" and i != 0:
        raise _fail(
            "inline flags must open the pattern",
            i,
            len(match.group(0)) + 1,
            "move them to the start, or write /pattern/flags",
        )
    return "(" + match.group(0), i + 1 + len(match.group(0))


def _repeat(pattern: str, i: int) -> tuple[str, int]:
    match = _REPEAT.match(pattern, i)
    if match is None:
        return "\\{", i + 1  # a literal brace, as in RE2 and Python
    low = int(match.group(1))
    high = match.group(3)
    if low > MAX_REPEAT or (high and int(high) > MAX_REPEAT):
        raise _fail(
            f"repetition counts above {MAX_REPEAT} are not portable", i, len(match.group(0))
        )
    end = match.end()
    return _possessive(pattern, match.group(0), end)


def _quantifier(pattern: str, i: int) -> tuple[str, int]:
    if pattern[i] == "}":
        return "\\}", i + 1
    return _possessive(pattern, pattern[i], i + 1)


def _possessive(pattern: str, text: str, end: int) -> tuple[str, int]:
    if pattern[end : end + 1] == "+":
        raise _fail("possessive quantifiers are not portable", end - len(text), len(text) + 1)
    if pattern[end : end + 1] == "?":
        return text + "?", end + 1
    return text, end
