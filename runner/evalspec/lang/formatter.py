"""AST + comments -> canonical text: the one layout ``evalspec fmt`` writes.

The layout: two-space indentation; one statement per line; a single space between words; blocks
open with ``{`` on the statement's line and close with ``}`` on a line of their own; one blank
line between top-level blocks; blank lines between statements kept (at most one) where the
author put them; trailing comments two spaces after the code; long strings with their content
and closing quotes indented one level deeper than the statement. Parentheses are kept as written.

Formatting is idempotent and preserves meaning: ``fmt(fmt(x)) == fmt(x)`` and the IR of the
formatted text equals the IR of the original (tests check both on every spec in the repository).
"""

from __future__ import annotations

from evalspec.lang import ast
from evalspec.lang.comments import Attached, Slots, attach, children, is_block, slots
from evalspec.lang.strings import long_body, quote
from evalspec.lang.syntax_errors import RESERVED_WORDS

INDENT = "  "
_PRECEDENCE = {ast.Or: 1, ast.And: 2, ast.Not: 3}


def format_tree(tree: ast.File, text: str) -> str:
    """Return the canonical text of a parsed file (``text`` is its source, for blank lines)."""
    return _Printer(tree, text).print()


class _Printer:
    def __init__(self, tree: ast.File, text: str) -> None:
        self.tree = tree
        self.source = text.split("\n")
        self.attached: Attached = attach(tree)
        self.out: list[str] = []

    def print(self) -> str:
        prev_end = 0
        for index, item in enumerate(self.tree.items):
            self._leading(item, 0, prev_end, first=index == 0, force_gap=index > 0)
            self._node(item, 0)
            prev_end = item.span.end_line
        dangling = slots(self.attached, self.tree).dangling
        if dangling:
            self._comments(dangling, 0, prev_end, force_gap=False)
        return "\n".join(self.out).rstrip("\n") + "\n"

    # ------------------------------------------------------------- layout helpers

    def _blank_before(self, line: int, prev_end: int) -> bool:
        return line - 1 > prev_end and not self.source[line - 2].strip()

    def _gap(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def _comments(
        self, comments: list[ast.Comment], depth: int, prev_end: int, force_gap: bool
    ) -> int:
        for i, comment in enumerate(comments):
            if (force_gap and i == 0) or self._blank_before(comment.line, prev_end):
                self._gap()
            self.out.append(INDENT * depth + comment.text.rstrip())
            prev_end = comment.line
        return prev_end

    def _leading(
        self, node: ast.Node, depth: int, prev_end: int, first: bool, force_gap: bool
    ) -> None:
        leading = slots(self.attached, node).leading
        prev_end = self._comments(leading, depth, prev_end, force_gap and not first)
        blank = self._blank_before(node.span.line, prev_end) and (bool(leading) or not first)
        if blank or (force_gap and not first and not leading):
            self._gap()

    def _emit(self, lines: list[str], depth: int, node_slots: Slots) -> None:
        """Emit a statement's lines, its trailing comments after the last one."""
        trailing = "  ".join(c.text.rstrip() for c in node_slots.trailing)
        for i, line in enumerate(lines):
            text = INDENT * depth + line if line else ""
            if i == len(lines) - 1 and trailing:
                text += "  " + trailing
            self.out.append(text)

    # ------------------------------------------------------------- nodes

    def _node(self, node: ast.Node, depth: int) -> None:
        if is_block(node):
            self._block(node, depth)
        else:
            self._emit(statement_lines(node), depth, slots(self.attached, node))

    def _block(self, node: ast.Node, depth: int) -> None:
        own = slots(self.attached, node)
        head = block_head(node) + " {"
        if own.opener:
            head += "  " + "  ".join(c.text.rstrip() for c in own.opener)
        kids = children(node)
        if not (kids or own.opener or own.dangling or own.closer):
            self.out.append(INDENT * depth + block_head(node) + " {}")
            return
        self.out.append(INDENT * depth + head)
        prev_end = node.span.line
        for index, kid in enumerate(kids):
            self._leading(kid, depth + 1, prev_end, first=index == 0, force_gap=False)
            self._node(kid, depth + 1)
            prev_end = kid.span.end_line
        self._comments(own.dangling, depth + 1, prev_end, force_gap=False)
        closer = "  ".join(c.text.rstrip() for c in own.closer)
        self.out.append(INDENT * depth + "}" + ("  " + closer if closer else ""))


def block_head(node: ast.Node) -> str:
    """Return the text before a block's ``{``."""
    if isinstance(node, (ast.Suite, ast.Mode)):
        keyword = "suite" if isinstance(node, ast.Suite) else "mode"
        title = f" {node.title.raw}" if node.title else ""
        return f"{keyword} {node.name.value}{title}"
    if isinstance(node, ast.JudgeGuard):
        return f"judge {node.name.value}"
    if isinstance(node, ast.TraceBlock):
        return node.keyword
    return "judge"


def statement_lines(node: ast.Node) -> list[str]:
    """Return the lines of a statement (several when it holds a long string)."""
    return _join_values(_statement_parts(node))


def _statement_parts(node: ast.Node) -> list[str | ast.Str]:
    if isinstance(node, ast.Setting):
        words: list[str | ast.Str] = ["review every" if node.keyword == "review" else node.keyword]
        return words + [_value(node.value)]
    if isinstance(node, ast.StringList):
        items: list[str | ast.Str] = [node.keyword]
        for i, item in enumerate(node.items):
            items += [item, ","] if i < len(node.items) - 1 else [item]
        return items + (["format", node.format] if node.format else [])
    if isinstance(node, ast.Seen):
        on = ["on", node.on.text] if node.on else []
        return ["seen", node.count.text, "of", node.total.text, *on]
    if isinstance(node, ast.Condition):
        return [node.keyword, expr_text(node.expr)]
    if isinstance(node, ast.ConfigEntry):
        return [node.key.value, _value(node.value)]
    if isinstance(node, ast.TraceField):
        return [node.keyword, *(_value(a) for a in node.args)]
    assert isinstance(node, ast.JudgeField)
    return _judge_field(node)


def _judge_field(node: ast.JudgeField) -> list[str | ast.Str]:
    keyword = "prompt file" if node.keyword == "prompt_file" else node.keyword
    parts: list[str | ast.Str] = [keyword, _value(node.value)]
    if node.split:
        parts += ["split", "/".join(n.text for n in node.split)]
    if node.seed:
        parts += ["seed", node.seed.text]
    return parts


def _join_values(parts: list[str | ast.Str]) -> list[str]:
    """Join words; a multi-line long string continues on indented lines."""
    lines = [""]
    for part in parts:
        if part == ",":
            lines[-1] += ","
            continue
        text = part if isinstance(part, str) else part.raw
        if isinstance(part, ast.Str) and part.long and "\n" in part.raw:
            body = long_body(part.raw[3:-3]).split("\n")
            lines[-1] += (" " if lines[-1] else "") + '"""'
            lines += [(INDENT + line) if line.strip() else "" for line in body]
            lines.append(INDENT + '"""')
            continue
        lines[-1] += (" " if lines[-1] else "") + text
    return lines


def _value(node: ast.Value | ast.Name) -> str | ast.Str:
    if isinstance(node, ast.Str):
        return node
    return value_text(node)


def value_text(node: ast.Value | ast.Name) -> str:
    """Return the canonical text of a value written on one line."""
    if isinstance(node, (ast.Str, ast.Regex)):
        return node.raw
    if isinstance(node, ast.Name):
        return node.value
    if isinstance(node, ast.Percent):
        return node.text + "%"
    if isinstance(node, (ast.Number, ast.Duration, ast.Date)):
        return node.text
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.Env):
        default = f", {node.default.raw}" if node.default else ""
        return f"env({node.name.raw}{default})"
    return "[" + ", ".join(value_text(item) for item in node.items) + "]"


def expr_text(node: ast.Expr) -> str:
    """Return the canonical one-line text of an expression."""
    if isinstance(node, (ast.Or, ast.And)):
        word = " or " if isinstance(node, ast.Or) else " and "
        return word.join(_operand_of(node, arg) for arg in node.args)
    if isinstance(node, ast.Not):
        return "not " + _operand_of(node, node.arg)
    if isinstance(node, ast.Paren):
        return "(" + expr_text(node.expr) + ")"
    return predicate_text(node)


def _operand_of(parent: ast.Expr, child: ast.Expr) -> str:
    """Parenthesise a child that binds looser than its parent (only for ASTs built in code)."""
    text = expr_text(child)
    if _PRECEDENCE.get(type(child), 4) < _PRECEDENCE[type(parent)]:
        return f"({text})"
    return text


def predicate_text(node: ast.Predicate) -> str:
    """Return the text of one predicate."""
    if isinstance(node, ast.ToolCalled):
        before = f" before {node.before.raw}" if node.before else ""
        return f"tool_called {node.name.raw}{before}"
    if isinstance(node, ast.Citations):
        return f"citations {node.regex.raw} exist in corpus"
    if isinstance(node, (ast.Run, ast.Python)):
        word, arg = ("run", node.command) if isinstance(node, ast.Run) else ("python", node.target)
        timeout = f" timeout {value_text(node.timeout)}" if node.timeout else ""
        return f"{word} {arg.raw}{timeout}"
    return f"{operand_text(node.operand)} {_predicate_tail(node)}"


def _predicate_tail(node: ast.Predicate) -> str:
    if isinstance(node, ast.Compare):
        return f"{node.op} {value_text(node.value)}"
    if isinstance(node, ast.Contains):
        word = "icontains" if node.ignore_case else "contains"
        quantifier = f" {node.quantifier}" if node.quantifier else ""
        return f"{word}{quantifier} {value_text(node.value)}"
    if isinstance(node, ast.StartsWith):
        return f"starts with {value_text(node.value)}"
    if isinstance(node, ast.EndsWith):
        return f"ends with {value_text(node.value)}"
    if isinstance(node, ast.Matches):
        return f"matches {node.regex.raw}"
    if isinstance(node, ast.IsJson):
        return "is json"
    if isinstance(node, ast.Conforms):
        return f"conforms {value_text(node.schema)}"
    if isinstance(node, ast.ConformTools):
        return "conform tools"
    assert isinstance(node, ast.HasNoPii)
    kinds = " [" + ", ".join(k.value for k in node.kinds) + "]" if node.kinds else ""
    return f"has no pii{kinds}"


def operand_text(node: ast.Operand) -> str:
    """Return the text of a selector or a function call."""
    if isinstance(node, ast.Call):
        head = f"{node.function.value}({operand_text(node.arg)})"
    else:
        head = node.root.value
    return head + "".join(_step_text(step) for step in node.steps)


def _step_text(step: ast.Step) -> str:
    if isinstance(step, ast.Index):
        return f"[{step.index}]"
    if step.name.isidentifier() and step.name not in RESERVED_WORDS:
        return f".{step.name}"
    return "." + quote(step.name)
