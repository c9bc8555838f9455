"""Formatting entry points: text in, canonical text out."""

from __future__ import annotations

from evalspec.lang.formatter import format_tree
from evalspec.lang.parser import parse


def format_text(text: str, path: str = "<string>") -> str:
    """Return the canonical form of spec text; raises ``EvalSyntaxError`` if it does not parse."""
    return format_tree(parse(text, path), text)
