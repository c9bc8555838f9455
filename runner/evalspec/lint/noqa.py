"""Suppressions: ``# evalspec: noqa[ES101]`` comments, where they apply and whether they were used.

* Trailing a line, ``# evalspec: noqa[ES101]`` (or ``[ES101, ES301]``) suppresses those codes on
  that line; a bare ``# evalspec: noqa`` suppresses every code there.
* Trailing the opening line of a block (``suite``, ``mode``, ``judge``, ``example``/``counter``,
  the suite's ``judge { }``), it covers the whole block, up to its closing brace.
* On a line of its own before the first block, it covers the whole file.

Syntax and compile errors (ES0xx) cannot be suppressed. Suppression findings themselves (ES901
unused, ES902 malformed) are only silenced file-wide or by configuration. A suppression that
names an enabled code and silenced nothing is unused (ES901); a comment that tries to be one but
is not well-formed is malformed (ES902), and so is an own-line one below the first block.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from evalspec.diagnostics import Diagnostic, Span
from evalspec.lang import ast

#: Codes that only file-wide suppressions and configuration silence.
META = frozenset({"ES901", "ES902"})
_MARKER = re.compile(r"#\s*evalspec\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_]*")
_CODE = re.compile(r"^ES\d{3}$")
_BLOCKS = (ast.Suite, ast.Mode, ast.JudgeConfig, ast.JudgeGuard, ast.TraceBlock)
Resolve = Callable[[str], "str | None"]


@dataclass
class Suppression:
    """One well-formed suppression comment.

    ``codes`` maps each canonical code to the code as written (``None``: every code);
    ``first``..``last`` are the lines it covers (``file_wide`` covers all); ``used`` collects the
    codes it silenced (``"*"`` for a bare suppression).
    """

    span: Span
    codes: dict[str, str] | None
    first: int
    last: int
    file_wide: bool = False
    used: set[str] = field(default_factory=set)

    def covers(self, diag: Diagnostic) -> bool:
        """Whether this suppression silences ``diag`` (and records that it did)."""
        if not self.file_wide and (
            diag.code in META or diag.span is None or not self.first <= diag.span.line <= self.last
        ):
            return False
        if self.codes is not None and diag.code not in self.codes:
            return False
        self.used.add(diag.code if self.codes is not None else "*")
        return True


@dataclass(frozen=True)
class Malformed:
    """A comment that tries to be a suppression and is not well-formed."""

    span: Span
    message: str
    hint: str | None = None


@dataclass
class Suppressions:
    """The suppressions of a file and the malformed attempts."""

    items: list[Suppression]
    malformed: list[Malformed]

    def filter(self, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
        """Return the diagnostics no suppression covers; ES0xx always stay."""
        return [d for d in diags if d.code.startswith("ES0") or not self._covered(d)]

    def _covered(self, diag: Diagnostic) -> bool:
        hits = [s.covers(diag) for s in self.items]  # ask all: overlapping ones all count as used
        return any(hits)

    def unused(self, enabled: frozenset[str]) -> Iterable[tuple[Suppression, list[str]]]:
        """Yield suppressions that silenced nothing, with the unused codes as written."""
        for item in self.items:
            if item.codes is None:
                if not item.used:
                    yield item, []
                continue
            idle = [w for c, w in item.codes.items() if c not in item.used and c in enabled
                    and c not in META]  # fmt: skip
            if idle:
                yield item, idle


def parse(tree: ast.File, text: str, resolve: Resolve) -> Suppressions:
    """Find the suppression comments of a file; ``resolve`` maps a code or alias to a rule code."""
    found = Suppressions([], [])
    comments = [(c, m) for c in tree.comments if (m := _MARKER.search(c.text)) is not None]
    if comments:
        reader = _Reader(text.split("\n"), tree, resolve, found)
        for comment, marker in comments:
            reader.read(comment, marker.start(), marker.end())
    return found


class _Reader:
    """Reads the suppression comments of one file into ``found``."""

    def __init__(self, lines: list[str], tree: ast.File, resolve: Resolve, found: Suppressions):
        self.lines = lines
        self.first_block = tree.items[0].span.line if tree.items else len(lines) + 1
        self.blocks = _block_ends(tree)
        self.resolve = resolve
        self.found = found

    def read(self, comment: ast.Comment, start: int, end: int) -> None:
        """Read the directive at ``comment.text[start:]``; its words begin at ``end``."""
        line, column = comment.line, comment.column + start
        rest = comment.text[end:]
        word = _WORD.match(rest)
        name = word.group() if word else ""
        if name.lower() != "noqa":
            if difflib.get_close_matches(name.lower(), ["noqa"], cutoff=0.6) or "[" in rest[:20]:
                span = Span(line, column, line, comment.column + len(comment.text))
                what = f"unknown directive '{name or rest.strip()}'"
                self.found.malformed.append(Malformed(span, what, "write  # evalspec: noqa[ES101]"))
            return
        body, words_end = rest[len(name) :], comment.column + end + len(name)
        span = Span(line, column, line, words_end)
        ok, codes = self.codes(body, span)
        if not ok:
            return
        if codes is not None:
            span = Span(line, column, line, words_end + body.find("]") + 1)
        self.place(comment, span, codes)

    def place(self, comment: ast.Comment, span: Span, codes: dict[str, str] | None) -> None:
        """File-wide above the first block, for a line or a block when trailing."""
        own_line = not self.lines[comment.line - 1][: comment.column - 1].strip()
        if own_line and comment.line < self.first_block:
            self.found.items.append(Suppression(span, codes, 1, 0, file_wide=True))
        elif own_line:
            why = "a suppression on its own line only counts at the top of the file"
            hint = "put it at the end of the line it is about"
            self.found.malformed.append(Malformed(span, why, hint))
        else:
            last = self.blocks.get(comment.line, comment.line)
            self.found.items.append(Suppression(span, codes, comment.line, last))

    def codes(self, body: str, span: Span) -> tuple[bool, dict[str, str] | None]:
        """Parse ``[CODE, ...]`` after ``noqa``: well-formed or not; the codes (``None``: all)."""

        def bad(message: str, hint: str | None, length: int) -> tuple[bool, None]:
            wider = Span(span.line, span.column, span.line, span.end_column + length)
            self.found.malformed.append(Malformed(wider, message, hint))
            return False, None

        stripped = body.strip()
        if not body.startswith("["):
            if (
                body
                and not body[0].isspace()
                or stripped[:1] in (":", "=")
                or (stripped[:2].upper() == "ES")
            ):
                return bad("write the codes in brackets", "# evalspec: noqa[ES101]", len(body))
            return True, None
        close = body.find("]")
        if close < 0:
            return bad("the code list is not closed with ']'", None, len(body))
        if body[close + 1 : close + 2].strip():
            return bad(
                "unexpected text after the code list", "leave a space before a note", close + 2
            )
        codes: dict[str, str] = {}
        for written in (part.strip() for part in body[1:close].split(",")):
            code = self.resolve(written.upper()) if _CODE.match(written.upper()) else None
            if code is None:
                why = f"'{written}' is not a rule code" if written else "an empty code in the list"
                hint = "ES0xx errors cannot be suppressed" if written.upper()[:3] == "ES0" else None
                return bad(why, hint, close + 1)
            codes[code] = written
        return True, codes


def _block_ends(tree: ast.File) -> dict[int, int]:
    """Map each line that opens a block to the last line of the outermost block opened there."""
    ends: dict[int, int] = {}

    def visit(node: ast.Node) -> None:
        if isinstance(node, _BLOCKS):
            ends[node.span.line] = max(ends.get(node.span.line, 0), node.span.end_line)
        for kid in _children(node):
            visit(kid)

    for item in tree.items:
        visit(item)
    return ends


def _children(node: ast.Node) -> list[ast.Node]:
    if isinstance(node, (ast.Suite, ast.Mode)):
        return list(node.body)
    if isinstance(node, (ast.TraceBlock, ast.JudgeGuard)):
        return list(node.fields)
    return []
