"""Compile expressions, operands and literals from the AST into IR, checking their meaning.

Selectors are checked against the trace record (``schemas/evalspec-trace.v1.schema.json``):
the root must be a record field and a step must exist below it, except below ``metadata``, tool
call ``arguments``, span ``attributes`` and ``json(...)``, whose shape is the user's own.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from evalspec import ir
from evalspec import regex as dialect
from evalspec.diagnostics import Span
from evalspec.lang import ast, codes

if TYPE_CHECKING:
    from evalspec.lang.compiler import Context

#: Fields of list items and objects of the trace record, by selector root. ``None`` = free-form.
_MESSAGE = {"role": "text", "content": "text", "name": "text", "tool_call_id": "text"}
_TOOL_CALL = {
    "id": "text",
    "name": "text",
    "arguments": None,
    "arguments_raw": "text",
    "result": "text",
    "error": "text",
}
_SPAN = {
    "id": "text",
    "parent_id": "text",
    "kind": "text",
    "name": "text",
    "start_time": "text",
    "end_time": "text",
    "attributes": None,
}
_USAGE = {"input_tokens": "number", "output_tokens": "number", "total_tokens": "number"}
SELECTORS: dict[str, object] = {
    "id": "text", "input": "text", "output": "text", "session_id": "text", "user_id": "text",
    "start_time": "text", "end_time": "text", "latency_ms": "number", "cost": "number",
    "metadata": None, "usage": _USAGE, "messages": [_MESSAGE], "tool_calls": [_TOOL_CALL],
    "spans": [_SPAN],
}  # fmt: skip
FUNCTIONS = {"len": "number", "words": "number", "lower": "text", "json": None}
PII_KINDS = ("credit_card", "email", "iban", "ip_address", "phone", "us_ssn")
_DURATION_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_TEXT_PREDICATES = (ast.StartsWith, ast.EndsWith, ast.Matches, ast.IsJson, ast.HasNoPii)


def did_you_mean(word: str, options: object) -> str | None:
    """Return a "did you mean" hint for the closest option, if any is close."""
    match = difflib.get_close_matches(word, sorted(options), n=1)  # type: ignore[call-overload]
    return f"did you mean '{match[0]}'?" if match else None


def duration_ms(text: str) -> int:
    """Convert a duration literal (``14d``, ``500ms``) to integer milliseconds."""
    unit = text.lstrip("0123456789")
    return int(text[: len(text) - len(unit)]) * _DURATION_MS[unit]


def decimal_text(value: Decimal) -> str:
    """Return a decimal as plain text without exponent or trailing zeros (``"0.02"``)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class ExprCompiler:
    """Compile expressions for one spec; problems go to ``ctx``."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def expr(self, node: ast.Expr) -> ir.Expr | None:
        """Compile one expression; ``None`` when it has errors (already reported)."""
        return _DISPATCH[type(node)](self, node)

    # ------------------------------------------------------------- combinators

    def _args(self, nodes: list[ast.Expr]) -> list[ir.Expr] | None:
        args = [self.expr(n) for n in nodes]
        return [a for a in args if a is not None] if all(args) else None

    def _or(self, node: ast.Or) -> ir.Expr | None:
        args = self._args(node.args)
        return ir.Or(args=args, span=node.span) if args else None

    def _and(self, node: ast.And) -> ir.Expr | None:
        args = self._args(node.args)
        return ir.And(args=args, span=node.span) if args else None

    def _not(self, node: ast.Not) -> ir.Expr | None:
        arg = self.expr(node.arg)
        return ir.Not(arg=arg, span=node.span) if arg else None

    def _paren(self, node: ast.Paren) -> ir.Expr | None:
        return self.expr(node.expr)

    # ------------------------------------------------------------- predicates

    def _compare(self, node: ast.Compare) -> ir.Expr | None:
        operand, kind = self.operand(node.operand)
        value = self.literal(node.value)
        if operand is None or value is None:
            return None
        ordered = node.op in ("<", "<=", ">", ">=")
        if ordered and not isinstance(value, (ir.IntLit, ir.DecimalLit)):
            self.ctx.error(codes.WRONG_TYPE, f"'{node.op}' compares numbers", node.value.span)
            return None
        if ordered and kind not in ("number", None):
            what = "text" if kind == "text" else "a list or an object"
            self._misuse(
                node.operand, f"'{node.op}' needs a number, not {what}; use len(...) or words(...)"
            )
            return None
        op = cast(ir.CompareOp, node.op)  # the grammar's CMP_OP admits exactly these
        return ir.Compare(operand=operand, op=op, value=value, span=node.span)

    def _contains(self, node: ast.Contains) -> ir.Expr | None:
        operand, kind = self.operand(node.operand)
        if operand is not None and (kind == "number" or isinstance(kind, dict)):
            word = "icontains" if node.ignore_case else "contains"
            self._misuse(node.operand, f"'{word}' applies to text or a list")
            return None
        if node.quantifier is None:
            value = self.literal(node.value)
            if operand is None or value is None:
                return None
            return ir.Contains(
                operand=operand, value=value, ignore_case=node.ignore_case, span=node.span
            )
        values = self._list(node.value)
        if operand is None or values is None:
            return None
        cls = ir.ContainsAny if node.quantifier == "any" else ir.ContainsAll
        return cls(operand=operand, values=values, ignore_case=node.ignore_case, span=node.span)

    def _affix(self, node: ast.StartsWith | ast.EndsWith) -> ir.Expr | None:
        operand = self._text_operand(node)
        text = self.text(node.value)
        if operand is None or text is None:
            return None
        cls = ir.StartsWith if isinstance(node, ast.StartsWith) else ir.EndsWith
        return cls(operand=operand, value=text, span=node.span)

    def _matches(self, node: ast.Matches) -> ir.Expr | None:
        operand = self._text_operand(node)
        regex = self.regex(node.regex)
        if operand is None or regex is None:
            return None
        return ir.Matches(operand=operand, regex=regex, span=node.span)

    def _is_json(self, node: ast.IsJson) -> ir.Expr | None:
        operand = self._text_operand(node)
        return ir.IsJson(operand=operand, span=node.span) if operand else None

    def _conforms(self, node: ast.Conforms) -> ir.Expr | None:
        operand, _ = self.operand(node.operand)
        schema = self.ctx.file_ref(node.schema, must_exist=True, check_schema=True)
        if operand is None or schema is None:
            return None
        return ir.Conforms(operand=operand, schema=schema, span=node.span)

    def _conform_tools(self, node: ast.ConformTools) -> ir.Expr | None:
        operand, _ = self.operand(node.operand)
        if operand is None:
            return None
        if not (
            isinstance(operand, ir.PathOp) and operand.root == "tool_calls" and not operand.steps
        ):
            self._misuse(node.operand, "'conform tools' applies to tool_calls")
            return None
        if self.ctx.suite_tools is None:
            self.ctx.error(
                codes.MISSING_SETTING,
                "'conform tools' needs a tools file in the suite",
                node.span,
                hint='add  tools "tools.json"  to the suite',
            )
        return ir.ConformTools(operand=operand, tools=self.ctx.suite_tools, span=node.span)

    def _pii(self, node: ast.HasNoPii) -> ir.Expr | None:
        operand = self._text_operand(node)
        kinds = list(PII_KINDS) if node.kinds is None else []
        for name in node.kinds or []:
            if name.value not in PII_KINDS:
                self.ctx.error(
                    codes.UNKNOWN_PII,
                    f"unknown PII kind '{name.value}'",
                    name.span,
                    hint=did_you_mean(name.value, PII_KINDS),
                )
            elif name.value not in kinds:
                kinds.append(name.value)
        if operand is None or not kinds:
            return None
        return ir.HasNoPii(operand=operand, kinds=sorted(kinds), span=node.span)

    def _tool_called(self, node: ast.ToolCalled) -> ir.Expr:
        before = node.before.value if node.before else None
        return ir.ToolCalled(name=node.name.value, before=before, span=node.span)

    def _citations(self, node: ast.Citations) -> ir.Expr | None:
        regex = self.regex(node.regex)
        if not self.ctx.suite_corpus:
            self.ctx.error(
                codes.MISSING_SETTING,
                "'citations' needs a corpus in the suite",
                node.span,
                hint='add  corpus "docs/**/*.md"  to the suite',
            )
            return None
        return (
            ir.CitationsExist(regex=regex, corpus=self.ctx.suite_corpus, span=node.span)
            if regex
            else None
        )

    def _external(self, node: ast.Run | ast.Python) -> ir.Expr | None:
        timeout = (
            self.ctx.positive_duration(node.timeout, "the timeout") if node.timeout else 10_000
        )
        if timeout is None:
            return None
        if isinstance(node, ast.Run):
            return ir.Run(command=node.command.value, timeout_ms=timeout, span=node.span)
        if ":" not in node.target.value:
            self.ctx.error(
                codes.WRONG_TYPE, "python guards name 'module:function'", node.target.span
            )
            return None
        return ir.Python(target=node.target.value, timeout_ms=timeout, span=node.span)

    # ------------------------------------------------------------- operands

    def operand(self, node: ast.Operand) -> tuple[ir.Operand | None, object]:
        """Compile a selector or call; return it and what it yields ("text", "number", shapes)."""
        if isinstance(node, ast.Call):
            return self._call(node)
        root = node.root.value
        if root not in SELECTORS:
            self.ctx.error(
                codes.UNKNOWN_SELECTOR,
                f"unknown selector '{root}'",
                node.root.span,
                hint=did_you_mean(root, SELECTORS),
            )
            return None, None
        shape = self._walk(SELECTORS[root], node.steps, root)
        if shape is _BAD:
            return None, None
        return ir.PathOp(root=root, steps=_steps(node.steps), span=node.span), shape

    def _call(self, node: ast.Call) -> tuple[ir.Operand | None, object]:
        name = node.function.value
        if name not in FUNCTIONS:
            self.ctx.error(
                codes.UNKNOWN_FUNCTION,
                f"unknown function '{name}'",
                node.function.span,
                hint=did_you_mean(name, FUNCTIONS),
            )
            return None, None
        arg, arg_kind = self.operand(node.arg)
        if arg is not None and not _ACCEPTS[name](arg_kind):
            self._misuse(node.arg, f"{name}() {_ACCEPTS_TEXT[name]}")
            return None, None
        if node.steps and name != "json":
            self.ctx.error(
                codes.BAD_SELECTOR_USE, f"the result of {name}() has no fields", node.steps[0].span
            )
            return None, None
        if arg is None:
            return None, None
        call = ir.CallOp(function=name, arg=arg, steps=_steps(node.steps), span=node.span)
        return call, FUNCTIONS[name]

    def _walk(self, shape: object, steps: list[ast.Step], where: str) -> object:
        for step in steps:
            if isinstance(step, ast.Index) and abs(step.index) > ir.INT_MAX:
                self.ctx.error(codes.OUT_OF_RANGE, "the index does not fit in 64 bits", step.span)
                return _BAD
            if shape is None:
                return None
            if isinstance(shape, list) and isinstance(step, ast.Index):
                shape, where = shape[0], f"{where}[{step.index}]"
            elif isinstance(shape, dict) and isinstance(step, ast.Field) and step.name in shape:
                shape, where = shape[step.name], f"{where}.{step.name}"
            else:
                self._bad_step(shape, step, where)
                return _BAD
        return shape

    def _bad_step(self, shape: object, step: ast.Step, where: str) -> None:
        if isinstance(shape, list):
            message, hint = (
                f"'{where}' is a list; index it first",
                f"write {where}[0] or {where}[-1]",
            )
        elif isinstance(shape, dict) and isinstance(step, ast.Field):
            message = f"'{where}' has no field '{step.name}'"
            hint = did_you_mean(step.name, shape) or "fields: " + ", ".join(sorted(shape))
        else:
            message, hint = f"'{where}' has no fields or items", None
        self.ctx.error(codes.UNKNOWN_SELECTOR, message, step.span, hint=hint)

    def _text_operand(
        self, node: ast.StartsWith | ast.EndsWith | ast.Matches | ast.IsJson | ast.HasNoPii
    ) -> ir.Operand | None:
        operand, shape = self.operand(node.operand)
        if operand is not None and shape not in ("text", None):
            name = type(node).__name__
            self._misuse(node.operand, f"{_PREDICATE_NAMES.get(name, name)} applies to text")
            return None
        return operand

    def _misuse(self, node: ast.Operand, message: str) -> None:
        self.ctx.error(codes.BAD_SELECTOR_USE, message, node.span)

    # ------------------------------------------------------------- literals

    def literal(self, node: ast.Value) -> ir.Literal | None:
        """Compile a literal value used in a predicate."""
        if isinstance(node, ast.Str):
            return ir.StringLit(value=node.value)
        if isinstance(node, ast.Number):
            number = _number(node.text)
            if isinstance(number, ir.IntLit) and abs(number.value) > ir.INT_MAX:
                self.ctx.error(codes.OUT_OF_RANGE, "the number does not fit in 64 bits", node.span)
                return None
            return number
        if isinstance(node, ast.Percent):
            fraction = self.ctx.percent(node)
            return ir.DecimalLit(value=fraction) if fraction is not None else None
        if isinstance(node, ast.Duration):
            return ir.IntLit(value=duration_ms(node.text))
        if isinstance(node, ast.Bool):
            return ir.BoolLit(value=node.value)
        if isinstance(node, ast.Env):
            self.ctx.env_misplaced(node)
            return None
        self.ctx.error(codes.WRONG_TYPE, "expected a single value here", node.span)
        return None

    def _list(self, node: ast.Value) -> list[ir.Literal] | None:
        if not isinstance(node, ast.ListValue):
            self.ctx.error(
                codes.WRONG_TYPE, "'any' and 'all' take a list: [\"a\", \"b\"]", node.span
            )
            return None
        values = [self.literal(item) for item in node.items]
        return [v for v in values if v is not None] if all(values) else None

    def text(self, node: ast.Value) -> str | None:
        """Return the value of a string literal, reporting anything else."""
        if isinstance(node, ast.Str):
            return node.value
        if isinstance(node, ast.Env):
            self.ctx.env_misplaced(node)
        else:
            self.ctx.error(codes.WRONG_TYPE, "expected a string", node.span)
        return None

    def regex(self, node: ast.Regex) -> ir.Regex | None:
        """Check a regex literal against the portable dialect."""
        problem = dialect.check(node.pattern, node.flags)
        if problem is None:
            return ir.Regex(pattern=node.pattern, flags="".join(sorted(node.flags)))
        if problem.offset < 0:  # a flag after the closing slash
            column = node.span.column + 2 + len(node.pattern) + (-problem.offset - 1)
            span = Span(node.span.line, column, node.span.line, column + 1)
        else:
            column = node.span.column + 1 + problem.offset
            span = Span(node.span.line, column, node.span.line, column + problem.length)
        code = codes.UNPORTABLE_REGEX if problem.unportable else codes.INVALID_REGEX
        self.ctx.error(code, problem.message, span, hint=problem.hint)
        return None


_DISPATCH: dict[type, Callable[[ExprCompiler, Any], ir.Expr | None]] = {
    ast.Or: ExprCompiler._or, ast.And: ExprCompiler._and, ast.Not: ExprCompiler._not,
    ast.Paren: ExprCompiler._paren, ast.Compare: ExprCompiler._compare,
    ast.Contains: ExprCompiler._contains, ast.StartsWith: ExprCompiler._affix,
    ast.EndsWith: ExprCompiler._affix, ast.Matches: ExprCompiler._matches,
    ast.IsJson: ExprCompiler._is_json, ast.Conforms: ExprCompiler._conforms,
    ast.ConformTools: ExprCompiler._conform_tools, ast.HasNoPii: ExprCompiler._pii,
    ast.ToolCalled: ExprCompiler._tool_called, ast.Citations: ExprCompiler._citations,
    ast.Run: ExprCompiler._external, ast.Python: ExprCompiler._external,
}  # fmt: skip
_BAD = object()
#: Which operand kinds each function takes (None: unknown until run time, so accepted).
_ACCEPTS: dict[str, Callable[[object], bool]] = {
    "len": lambda kind: kind != "number",
    "words": lambda kind: kind in ("text", None),
    "lower": lambda kind: kind in ("text", None),
    "json": lambda kind: kind in ("text", None),
}
_ACCEPTS_TEXT = {
    "len": "counts the characters of text or the items of a list",
    "words": "counts the words of text",
    "lower": "applies to text",
    "json": "parses text",
}
_PREDICATE_NAMES = {
    "StartsWith": "'starts with'", "EndsWith": "'ends with'", "Matches": "'matches'",
    "IsJson": "'is json'", "HasNoPii": "'has no pii'",
}  # fmt: skip


def _steps(steps: list[ast.Step]) -> list[str | int]:
    return [s.name if isinstance(s, ast.Field) else s.index for s in steps]


def _number(text: str) -> ir.Literal:
    if "." not in text:
        return ir.IntLit(value=int(text))
    try:
        return ir.DecimalLit(value=decimal_text(Decimal(text)))
    except InvalidOperation:  # pragma: no cover - the grammar admits only valid decimals
        return ir.DecimalLit(value=text)
