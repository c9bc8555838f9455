"""A structural reading of portable-dialect regexes, for the rules about needless slowness.

The reference runner matches with Python's backtracking ``re``; other runners may use RE2. A
pattern that is slow under backtracking (nested unbounded quantifiers), or that makes every
engine do needless work (a leading ``.*`` in a search, ``(a|b|c)`` instead of ``[abc]``),
is worth rewriting everywhere. :func:`parse_regex` builds a small tree with pattern offsets;
it returns ``None`` for anything it does not understand, so the rules stay silent rather than
guess (patterns outside the dialect are compile errors, ES035/ES036, already).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_FLAGS = re.compile(r"\?[ims]*(?:-[ims]*)?([:)])")


@dataclass
class Node:
    """A part of the pattern between offsets ``start`` and ``end``."""

    start: int
    end: int


@dataclass
class Char(Node):
    r"""Something that matches one character: ``a``, ``\.``, ``\d``, ``[a-z]`` or ``.``."""

    text: str
    kind: str  # "literal", "escape", "class" or "any"


@dataclass
class Anchor(Node):
    r"""A zero-width item: ``^``, ``$``, ``\b``, ``\B`` or an inline ``(?i)`` flag group."""


@dataclass
class Group(Node):
    """``( ... | ... )``, ``(?: ...)`` or the whole pattern: alternatives of sequences."""

    alts: list[list[Node]]
    capturing: bool = False
    prefix: str = ""  # "(", "(?:" or "(?i:"; empty for the whole pattern


@dataclass
class Repeat(Node):
    """A quantified item: ``item*``, ``item{2,}``; ``max`` is ``None`` when unbounded."""

    item: Node
    min: int
    max: int | None
    lazy: bool = False


class _Unparsable(Exception):
    pass


@dataclass
class _Parser:
    pattern: str
    i: int = 0
    _stack: list[int] = field(default_factory=list)

    def peek(self) -> str:
        return self.pattern[self.i] if self.i < len(self.pattern) else ""

    def alternatives(self) -> list[list[Node]]:
        alts = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            alts.append(self.sequence())
        return alts

    def sequence(self) -> list[Node]:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return items

    def atom(self) -> Node:
        start, c = self.i, self.peek()
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        if c == "\\":
            return self.escape()
        if c in "*+?{":
            raise _Unparsable
        self.i += 1
        if c in "^$":
            return Anchor(start, self.i)
        return Char(start, self.i, c, "any" if c == "." else "literal")

    def group(self) -> Node:
        start = self.i
        self.i += 1
        capturing = self.peek() != "?"
        if not capturing:
            flags = _FLAGS.match(self.pattern, self.i)
            if flags is None:
                raise _Unparsable
            self.i = flags.end()
            if flags.group(1) == ")":
                return Anchor(start, self.i)
        prefix = self.pattern[start : self.i]
        alts = self.alternatives()
        if self.peek() != ")":
            raise _Unparsable
        self.i += 1
        return Group(start, self.i, alts, capturing, prefix)

    def char_class(self) -> Node:
        start = self.i
        self.i += 1
        if self.peek() == "^":
            self.i += 1
        if self.peek() == "]":
            self.i += 1
        while self.peek() != "]":
            if not self.peek():
                raise _Unparsable
            self.i += 2 if self.peek() == "\\" else 1
        self.i += 1
        return Char(start, self.i, self.pattern[start : self.i], "class")

    def escape(self) -> Node:
        start = self.i
        letter = self.pattern[self.i + 1 : self.i + 2]
        self.i += 4 if letter == "x" else 2
        if letter in ("b", "B"):
            return Anchor(start, self.i)
        kind = "class" if letter in "dDwWsS" and letter else "escape"
        return Char(start, self.i, self.pattern[start : self.i], kind)

    def quantified(self, item: Node) -> Node:
        c, start = self.peek(), item.start
        if c in ("*", "+", "?"):
            self.i += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{" and (m := _REPEAT.match(self.pattern, self.i)):
            self.i = m.end()
            low = int(m.group(1))
            high = low if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
        else:
            return item
        lazy = self.peek() == "?"
        self.i += lazy
        return self.quantified(Repeat(start, self.i, item, low, high, lazy))


def parse_regex(pattern: str) -> Group | None:
    """Parse a pattern into a top-level :class:`Group`, or ``None`` if it is not understood."""
    parser = _Parser(pattern)
    try:
        top = Group(0, len(pattern), parser.alternatives())
    except (_Unparsable, IndexError):
        return None
    return top if parser.i == len(pattern) else None


def nullable(node: Node) -> bool:
    """Whether ``node`` can match the empty string."""
    if isinstance(node, Anchor):
        return True
    if isinstance(node, Repeat):
        return node.min == 0 or nullable(node.item)
    if isinstance(node, Group):
        return any(all(nullable(n) for n in alt) for alt in node.alts)
    return False


def _unbounded_core(node: Node) -> Repeat | None:
    """An unbounded repeat inside ``node`` that can make up the whole match of ``node``."""
    if isinstance(node, Repeat):
        return node if node.max is None else _unbounded_core(node.item)
    if isinstance(node, Group):
        for alt in node.alts:
            for k, item in enumerate(alt):
                if all(nullable(other) for other in alt[:k] + alt[k + 1 :]):
                    inner = _unbounded_core(item)
                    if inner is not None:
                        return inner
    return None


def nested_quantifiers(node: Node) -> list[tuple[Repeat, Repeat]]:
    """Find ``(outer, inner)`` pairs like ``(a+)+``.

    The outer repeat is unbounded and its body can be matched by one unbounded inner repeat
    alone, so a run of input splits between the iterations in exponentially many ways.
    """
    if isinstance(node, Repeat) and node.max is None and isinstance(node.item, Group):
        inner = _unbounded_core(node.item)
        if inner is not None:
            return [(node, inner)]
    found: list[tuple[Repeat, Repeat]] = []
    for kid in _kids(node):
        found += nested_quantifiers(kid)
    return found


def char_alternations(node: Node) -> list[Group]:
    """Groups (or the whole pattern) whose every alternative is one character: ``(a|b|c)``."""
    found: list[Group] = []
    if isinstance(node, Group) and len(node.alts) > 1:
        if all(len(alt) == 1 and isinstance(alt[0], Char) for alt in node.alts):
            found.append(node)
    for kid in _kids(node):
        found += char_alternations(kid)
    return found


def as_class(group: Group) -> str | None:
    """The character class equivalent to a single-character alternation, when it is simple."""
    parts = []
    for alt in group.alts:
        char = alt[0]
        assert isinstance(char, Char)
        if char.kind == "literal":
            parts.append("\\" + char.text if char.text in "]\\^-" else char.text)
        elif char.kind in ("escape", "class") and char.text.startswith("\\"):
            parts.append(char.text)
        else:
            return None
    body = "[" + "".join(parts) + "]"
    # keep what the group did besides alternating: capture, or scope inline flags
    return f"{group.prefix}{body})" if group.capturing or len(group.prefix) > 3 else body


def redundant_wildcards(top: Group) -> list[tuple[Node, str]]:
    """A leading or trailing ``.*`` of a whole, unanchored search pattern (it changes nothing).

    Returns the nodes with ``"start"`` or ``"end"``; inline flag groups such as ``(?i)`` are
    not counted as the start.
    """
    if len(top.alts) != 1:
        return []
    items = [n for n in top.alts[0] if not (isinstance(n, Anchor) and n.end - n.start > 2)]
    if len(items) < 2:
        return []
    ends = [(items[0], "start"), (items[-1], "end")]
    return [(n, where) for n, where in ends if _is_dot_star(n)]


def _is_dot_star(node: Node) -> bool:
    return (isinstance(node, Repeat) and node.min == 0 and node.max is None
            and isinstance(node.item, Char) and node.item.kind == "any")  # fmt: skip


def _kids(node: Node) -> list[Node]:
    if isinstance(node, Group):
        return [n for alt in node.alts for n in alt]
    if isinstance(node, Repeat):
        return [node.item]
    return []


@dataclass(frozen=True)
class Analysis:
    """What the rules report about one pattern, as pattern offsets.

    ``nested``: ``(outer_start, outer_end, inner_start, inner_end)`` of nested quantifiers;
    ``alternations``: ``(start, end, equivalent class or None)``; ``wildcards``:
    ``(start, end, "start" or "end")`` of redundant ``.*`` in a search.
    """

    nested: tuple[tuple[int, int, int, int], ...]
    alternations: tuple[tuple[int, int, str | None], ...]
    wildcards: tuple[tuple[int, int, str], ...]


@lru_cache(maxsize=4096)
def analyse(pattern: str) -> Analysis | None:
    """Analyse a pattern once (specs repeat patterns); ``None`` if it is not understood."""
    tree = parse_regex(pattern)
    if tree is None:
        return None
    return Analysis(
        nested=tuple((o.start, o.end, i.start, i.end) for o, i in nested_quantifiers(tree)),
        alternations=tuple((g.start, g.end, as_class(g)) for g in char_alternations(tree)),
        wildcards=tuple((n.start, n.end, where) for n, where in redundant_wildcards(tree)),
    )
