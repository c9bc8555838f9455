"""Attach comments to the nodes they describe, so the formatter can put each one back.

Comments are collected by the lexer with their positions; this module assigns each one, by line,
to a slot of the innermost enclosing node:

* ``opener``: on the line that opens a block, after the ``{`` (``mode a {  # note``);
* ``closer``: on the line of a block's closing ``}``;
* ``trailing``: on a line of a one-line or multi-line statement (``max_rate 2%  # note``);
* ``leading``: on lines of their own before a statement or block;
* ``dangling``: on lines of their own after a block's last statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evalspec.lang import ast


@dataclass
class Slots:
    """The comments attached to one node, by slot."""

    leading: list[ast.Comment] = field(default_factory=list)
    trailing: list[ast.Comment] = field(default_factory=list)
    opener: list[ast.Comment] = field(default_factory=list)
    closer: list[ast.Comment] = field(default_factory=list)
    dangling: list[ast.Comment] = field(default_factory=list)


Attached = dict[int, Slots]  # keyed by id(node): AST nodes hold lists, so they are not hashable


def children(node: object) -> Sequence[ast.Node]:
    """Return the statements or fields nested in a block-like node (empty for leaves)."""
    if isinstance(node, ast.File):
        return node.items
    if isinstance(node, (ast.Suite, ast.Mode)):
        return node.body
    if isinstance(node, ast.JudgeConfig):
        return node.entries
    if isinstance(node, (ast.TraceBlock, ast.JudgeGuard)):
        return node.fields
    return ()


def is_block(node: object) -> bool:
    """Whether the node prints with braces around its children."""
    return isinstance(node, (ast.Suite, ast.Mode, ast.JudgeConfig, ast.TraceBlock, ast.JudgeGuard))


def attach(tree: ast.File) -> Attached:
    """Assign every comment of ``tree`` to a slot of some node."""
    attached: Attached = {}
    _attach(tree, sorted(tree.comments, key=lambda c: (c.line, c.column)), attached)
    return attached


def slots(attached: Attached, node: object) -> Slots:
    """Return the slots of ``node`` (empty when it has no comments)."""
    return attached.get(id(node)) or Slots()


def _attach(node: ast.Node, comments: list[ast.Comment], attached: Attached) -> None:
    own = attached.setdefault(id(node), Slots())
    kids = list(children(node))
    pending: dict[int, list[ast.Comment]] = {}
    for comment in comments:
        if is_block(node) and comment.line == node.span.line and not _inside_kid(kids, comment):
            own.opener.append(comment)
        elif is_block(node) and comment.line == node.span.end_line:
            own.closer.append(comment)
        else:
            _place(comment, kids, own, pending, attached)
    for index, group in pending.items():
        _attach(kids[index], group, attached)


def _place(
    comment: ast.Comment,
    kids: list[ast.Node],
    own: Slots,
    pending: dict[int, list[ast.Comment]],
    attached: Attached,
) -> None:
    for index, kid in enumerate(kids):
        if kid.span.line <= comment.line <= kid.span.end_line:
            if is_block(kid):
                pending.setdefault(index, []).append(comment)
            else:
                attached.setdefault(id(kid), Slots()).trailing.append(comment)
            return
        if comment.line < kid.span.line:
            attached.setdefault(id(kid), Slots()).leading.append(comment)
            return
    own.dangling.append(comment)


def _inside_kid(kids: list[ast.Node], comment: ast.Comment) -> bool:
    return any(k.span.line == comment.line and k.span.column < comment.column for k in kids)
