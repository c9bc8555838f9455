"""AST -> IR: give each statement its meaning, check it, and collect every problem.

Compilation never stops at the first problem: each statement is compiled on its own and its
diagnostics are collected, so a spec with three independent mistakes reports all three. The IR is
only returned when there are no errors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from evalspec import ir
from evalspec.diagnostics import Diagnostic, Span, error
from evalspec.errors import CompileError
from evalspec.lang import ast, codes
from evalspec.lang.expressions import ExprCompiler, decimal_text, did_you_mean, duration_ms
from evalspec.lang.inline import inline_trace, judge_guard
from evalspec.lang.resolve import PathRefused, Resolver

SEVERITIES = ("low", "medium", "high", "critical")
JUDGE_SETTINGS = ("model", "base_url", "api_key", "temperature", "timeout", "concurrency",
                  "max_retries", "max_calls", "cache")  # fmt: skip
DEFAULT_ALPHA = "0.05"
_MINIMUM = {"concurrency": 1, "max_retries": 0, "max_calls": 0}
_ONCE = ("why", "severity", "seen", "max_rate", "tolerance", "when")


class Context:
    """What compiling one file needs: the path for diagnostics, the resolver, suite settings."""

    def __init__(self, path: str, resolver: Resolver, check_files: bool = True) -> None:
        self.path = path
        self.resolver = resolver
        self.check_files = check_files
        self.diagnostics: list[Diagnostic] = []
        self.suite_tools: str | None = None
        self.suite_corpus: list[str] = []
        self._schemas_checked: set[Path] = set()

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        """Record an error at ``span``."""
        self.diagnostics.append(error(code, message, self.path, span, hint=hint))

    def env_misplaced(self, node: ast.Env) -> None:
        """Report ``env()`` outside the judge settings."""
        self.error(
            codes.ENV_MISPLACED,
            "env() is only allowed in the suite's judge settings",
            node.span,
            hint="write the value itself; env() is for endpoints and secrets",
        )

    def percent(self, node: ast.Value) -> str | None:
        """Return a percentage as a decimal fraction string, reporting misuse and > 100%."""
        if not isinstance(node, ast.Percent):
            self.error(codes.WRONG_TYPE, "expected a percentage such as 2%", node.span)
            return None
        value = Decimal(node.text)
        if value > 100:
            self.error(codes.PERCENT_RANGE, f"{node.text}% is more than 100%", node.span)
            return None
        return decimal_text(value / 100)

    def duration(self, node: ast.Value) -> int | None:
        """Return a duration in milliseconds, reporting anything that is not a duration."""
        if isinstance(node, ast.Duration):
            ms = duration_ms(node.text)
            if ms > ir.INT_MAX:
                self.error(codes.OUT_OF_RANGE, "the duration does not fit in 64 bits", node.span)
                return None
            return ms
        self.error(codes.WRONG_TYPE, "expected a duration such as 30s or 14d", node.span)
        return None

    def positive_duration(self, node: ast.Value, what: str) -> int | None:
        """A duration that must be above zero (a timeout)."""
        ms = self.duration(node)
        if ms is not None and ms <= 0:
            self.error(codes.OUT_OF_RANGE, f"{what} must be positive", node.span)
            return None
        return ms

    def count(self, node: ast.Number) -> int | None:
        """A whole number written without a sign, within 64 bits (counts, seeds, indices)."""
        value = int(node.text)
        if not 0 <= value <= ir.INT_MAX:
            what = "negative" if value < 0 else "too large for 64 bits"
            self.error(codes.OUT_OF_RANGE, f"the number is {what}", node.span)
            return None
        return value

    def integer(self, node: ast.Value) -> int | None:
        """Return a whole number, reporting anything else."""
        if isinstance(node, ast.Number) and "." not in node.text and not node.text.startswith("-"):
            if int(node.text) > ir.INT_MAX:
                self.error(codes.OUT_OF_RANGE, "the number does not fit in 64 bits", node.span)
                return None
            return int(node.text)
        self.error(codes.WRONG_TYPE, "expected a whole number", node.span)
        return None

    def file_ref(
        self, node: ast.Value, *, must_exist: bool, check_schema: bool = False
    ) -> str | None:
        """Return a project-relative path for a string reference; check it stays inside."""
        if not isinstance(node, ast.Str):
            if isinstance(node, ast.Env):
                self.env_misplaced(node)
            else:
                self.error(codes.WRONG_TYPE, "expected a file path in quotes", node.span)
            return None
        try:
            project_path = self.resolver.project_path(node.value)
            must_exist = must_exist and self.check_files
            found = self.resolver.existing_file(project_path) if must_exist else None
        except PathRefused as exc:
            self.error(codes.PATH_ESCAPES, str(exc), node.span)
            return None
        if must_exist and found is None:
            self.error(
                codes.FILE_NOT_FOUND,
                f"file not found: {node.value}",
                node.span,
                hint=f"looked for {project_path} in the project",
            )
            return None
        if check_schema and found is not None and found not in self._schemas_checked:
            self._schemas_checked.add(found)
            self._check_schema(found, node.span)
        return project_path

    def glob_refs(self, items: list[ast.Str]) -> list[str]:
        """Return project-relative globs (they may match nothing yet)."""
        out = []
        for item in items:
            try:
                out.append(self.resolver.project_path(item.value))
            except PathRefused as exc:
                self.error(codes.PATH_ESCAPES, str(exc), item.span)
        return out

    def _check_schema(self, path: Path, span: Span) -> None:
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            self.error(codes.INVALID_SCHEMA, f"the schema is not valid JSON: {exc}", span)
            return
        from jsonschema import Draft202012Validator, SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            self.error(codes.INVALID_SCHEMA, f"not a valid JSON Schema: {exc.message}", span)


def compile_file(
    tree: ast.File, path: str, root: Path, spec_dir: Path, *, check_files: bool = True
) -> ir.EvalFile:
    """Compile an AST into IR, or raise :class:`CompileError` with every problem found.

    ``check_files=False`` skips checking that referenced files exist (paths are still confined
    to the project), for tools that only need the structure.
    """
    ctx = Context(path, Resolver(root, spec_dir), check_files)
    suites = [item for item in tree.items if isinstance(item, ast.Suite)]
    for extra in suites[1:]:
        ctx.error(
            codes.DUPLICATE_SUITE,
            "a file holds at most one suite",
            extra.name.span,
            hint=f"the suite '{suites[0].name.value}' is at line {suites[0].span.line}",
        )
    suite = SuiteCompiler(ctx).compile(suites[0]) if suites else None
    modes = _modes(ctx, [item for item in tree.items if isinstance(item, ast.Mode)])
    if ctx.diagnostics:
        raise CompileError(ctx.diagnostics[0].message, ctx.diagnostics)
    return ir.EvalFile(
        ir_version=ir.IR_VERSION, path=_relative(path, root), suite=suite, modes=modes
    )


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def _modes(ctx: Context, nodes: list[ast.Mode]) -> list[ir.Mode]:
    seen: dict[str, ast.Mode] = {}
    modes = []
    for node in nodes:
        first = seen.setdefault(node.name.value, node)
        if first is not node:
            ctx.error(
                codes.DUPLICATE_MODE,
                f"mode '{node.name.value}' is already defined",
                node.name.span,
                hint=f"the first definition is at line {first.span.line}",
            )
        compiled = ModeCompiler(ctx).compile(node)
        if compiled is not None:
            modes.append(compiled)
    return modes


_STATEMENT_NAMES: dict[type, str] = {ast.JudgeConfig: "judge", ast.Seen: "seen"}


def _duplicates(ctx: Context, body: list[ast.Statement], once: tuple[str, ...]) -> None:
    first: dict[str, ast.Statement] = {}
    for stmt in body:
        keyword = getattr(stmt, "keyword", None) or _STATEMENT_NAMES.get(type(stmt), "")
        if keyword in once and first.setdefault(keyword, stmt) is not stmt:
            ctx.error(
                codes.DUPLICATE_STATEMENT,
                f"'{keyword}' appears more than once",
                stmt.span,
                hint=f"the first is at line {first[keyword].span.line}",
            )


class SuiteCompiler:
    """Compile a ``suite`` block."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def compile(self, node: ast.Suite) -> ir.Suite:
        """Compile the suite and publish the settings that modes depend on."""
        fields: dict[str, Any] = {
            "traces": [],
            "trace_format": None,
            "examples": [],
            "guards": [],
            "corpus": [],
            "tools": None,
            "labels": None,
            "review_every_ms": None,
            "alpha": DEFAULT_ALPHA,
            "tolerance": None,
            "judge": None,
        }
        _duplicates(
            self.ctx,
            node.body,
            (
                "traces",
                "examples",
                "guards",
                "corpus",
                "tools",
                "labels",
                "review",
                "alpha",
                "tolerance",
                "judge",
            ),
        )
        for stmt in node.body:
            fields.update(self._statement(stmt))
        self.ctx.suite_tools = fields["tools"] or _declared(node, "tools")
        self.ctx.suite_corpus = fields["corpus"]
        title = node.title.value if node.title else None
        return ir.Suite(name=node.name.value, title=title, span=node.span, **fields)

    def _statement(self, stmt: ast.Statement) -> dict[str, Any]:
        ctx = self.ctx
        if isinstance(stmt, ast.StringList):
            globs = ctx.glob_refs(stmt.items)
            fmt = {"trace_format": stmt.format.value} if stmt.format else {}
            return {stmt.keyword: globs, **fmt}
        if isinstance(stmt, ast.JudgeConfig):
            return {"judge": self._judge(stmt)}
        assert isinstance(stmt, ast.Setting) and not isinstance(stmt.value, ast.Name)
        value, key = stmt.value, stmt.keyword
        handlers: dict[str, Callable[[], Any]] = {
            "tools": lambda: ctx.file_ref(value, must_exist=True),
            "labels": lambda: ctx.file_ref(value, must_exist=True),
            "review": lambda: ctx.duration(value),
            "alpha": lambda: ctx.percent(value),
            "tolerance": lambda: ctx.percent(value),
        }
        result = handlers[key]()
        return {{"review": "review_every_ms"}.get(key, key): result} if result is not None else {}

    def _judge(self, node: ast.JudgeConfig) -> ir.JudgeConfig:
        values: dict[str, Any] = {
            "model": None,
            "base_url": None,
            "api_key": None,
            "temperature": "0",
            "timeout_ms": 60_000,
            "concurrency": 8,
            "max_retries": 4,
            "max_calls": None,
            "cache": None,
        }
        seen: set[str] = set()
        for entry in node.entries:
            key = entry.key.value
            if key not in JUDGE_SETTINGS:
                self.ctx.error(
                    codes.UNKNOWN_SETTING,
                    f"unknown judge setting '{key}'",
                    entry.key.span,
                    hint=did_you_mean(key, JUDGE_SETTINGS),
                )
                continue
            if key in seen:
                self.ctx.error(
                    codes.DUPLICATE_STATEMENT, f"'{key}' appears more than once", entry.span
                )
            seen.add(key)
            values.update(self._judge_setting(key, entry.value))
        return ir.JudgeConfig(span=node.span, **values)

    def _judge_setting(self, key: str, value: ast.Value) -> dict[str, Any]:
        ctx = self.ctx
        if key in ("model", "base_url", "api_key"):
            setting = _setting(ctx, key, value)
            return {key: setting} if setting is not None else {}
        if key == "cache":
            path = ctx.file_ref(value, must_exist=False)
            return {"cache": path} if path is not None else {}
        if key == "timeout":
            ms = ctx.positive_duration(value, "the judge timeout")
            return {"timeout_ms": ms} if ms is not None else {}
        if key == "temperature":
            if isinstance(value, ast.Number) and 0 <= Decimal(value.text) <= 2:
                return {"temperature": decimal_text(Decimal(value.text))}
            if isinstance(value, ast.Number):
                ctx.error(codes.OUT_OF_RANGE, "temperature is between 0 and 2", value.span)
                return {}
            ctx.error(codes.WRONG_TYPE, "expected a number such as 0 or 0.2", value.span)
            return {}
        number = ctx.integer(value)
        if number is not None and number < _MINIMUM.get(key, 0):
            ctx.error(codes.OUT_OF_RANGE, f"{key} must be at least {_MINIMUM[key]}", value.span)
            return {}
        return {key: number} if number is not None else {}


def _declared(node: ast.Suite, keyword: str) -> str | None:
    """Return the written value of a suite setting even when it failed to resolve."""
    for stmt in node.body:
        if isinstance(stmt, ast.Setting) and stmt.keyword == keyword:
            return stmt.value.value if isinstance(stmt.value, ast.Str) else "?"
    return None


def _setting(ctx: Context, key: str, value: ast.Value) -> ir.Setting | None:
    if isinstance(value, ast.Env):
        default = value.default.value if value.default else None
        if key == "api_key" and default:
            ctx.error(
                codes.LITERAL_SECRET,
                "an API key must not have a default in the spec",
                value.default.span if value.default else value.span,
            )
            return None
        return ir.EnvValue(name=value.name.value, default=default)
    if not isinstance(value, ast.Str):
        ctx.error(codes.WRONG_TYPE, "expected a string or env(...)", value.span)
        return None
    if key == "api_key":
        ctx.error(
            codes.LITERAL_SECRET,
            "an API key must come from the environment",
            value.span,
            hint='write  api_key env("OPENAI_API_KEY")',
        )
        return None
    return ir.StrValue(value=value.value)


class ModeCompiler:
    """Compile a ``mode`` block."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.exprs = ExprCompiler(ctx)
        self.fields: dict[str, Any] = {
            "title": None, "why": None, "severity": None, "seen": None, "examples": [],
            "counters": [], "max_rate": None, "tolerance": None, "when": None, "guards": [],
            "todo": [],
        }  # fmt: skip
        self._counts = {"assert": 0, "human": 0, "example": 0, "counter": 0}
        self._judges: set[str] = set()

    def compile(self, node: ast.Mode) -> ir.Mode | None:
        """Compile the mode; statements with errors are reported and left out."""
        self.name = node.name.value
        self.fields["title"] = node.title.value if node.title else None
        _duplicates(self.ctx, node.body, _ONCE)
        for stmt in node.body:
            self._statement(stmt)
        return ir.Mode(name=self.name, span=node.span, **self.fields)

    def _statement(self, stmt: ast.Statement) -> None:
        if isinstance(stmt, ast.Setting):
            self._setting(stmt)
        elif isinstance(stmt, ast.StringList):
            key = "examples" if stmt.keyword == "example" else "counters"
            self.fields[key] += [ir.TraceRef(id=s.value, span=s.span) for s in stmt.items]
        elif isinstance(stmt, ast.Seen):
            self.fields["seen"] = self._seen(stmt)
        elif isinstance(stmt, ast.Condition):
            self._condition(stmt)
        elif isinstance(stmt, ast.TraceBlock):
            self._inline_trace(stmt)
        elif isinstance(stmt, ast.JudgeGuard):
            self._judge(stmt)

    def _setting(self, stmt: ast.Setting) -> None:
        key, value = stmt.keyword, stmt.value
        if key == "severity":
            assert isinstance(value, ast.Name)
            if value.value not in SEVERITIES:
                self.ctx.error(
                    codes.UNKNOWN_SEVERITY,
                    f"unknown severity '{value.value}'",
                    value.span,
                    hint=did_you_mean(value.value, SEVERITIES)
                    or "use low, medium, high or critical",
                )
            self.fields["severity"] = value.value
            return
        assert not isinstance(value, ast.Name)
        if key in ("max_rate", "tolerance"):
            self.fields[key] = self.ctx.percent(value)
            return
        text = self.exprs.text(value)
        if text is None:
            return
        if key == "human":
            self._counts["human"] += 1
            guard_id = f"human-{self._counts['human']}"
            self.fields["guards"].append(
                ir.HumanGuard(id=guard_id, instructions=text, span=stmt.span)
            )
        elif key == "todo":
            self.fields["todo"].append(text)
        else:
            self.fields[key] = text

    def _seen(self, stmt: ast.Seen) -> ir.Seen | None:
        count, total = self.ctx.count(stmt.count), self.ctx.count(stmt.total)
        if count is None or total is None:
            return None
        ok = True
        if count > total or total <= 0:
            why = (
                "at least one trace must have been reviewed"
                if total <= 0
                else "the count cannot exceed the number of traces reviewed"
            )
            span = stmt.total.span if total <= 0 else stmt.count.span
            self.ctx.error(codes.SEEN_RANGE, f"seen {count} of {total}: {why}", span)
            ok = False
        on = stmt.on.text if stmt.on else None
        if on is not None and not _valid_date(on):
            self.ctx.error(
                codes.INVALID_DATE,
                f"{on} is not a valid date",
                stmt.on.span if stmt.on else stmt.span,
            )
            ok = False
        return ir.Seen(count=count, total=total, on=on) if ok else None

    def _condition(self, stmt: ast.Condition) -> None:
        expr = self.exprs.expr(stmt.expr)
        if expr is None:
            return
        if stmt.keyword == "when":
            self.fields["when"] = expr
            return
        self._counts["assert"] += 1
        guard = ir.AssertGuard(id=f"assert-{self._counts['assert']}", expr=expr, span=stmt.span)
        self.fields["guards"].append(guard)

    def _inline_trace(self, stmt: ast.TraceBlock) -> None:
        self._counts[stmt.keyword] += 1
        default_id = f"{self.name}/{stmt.keyword}-{self._counts[stmt.keyword]}"
        trace = inline_trace(self.ctx, stmt, default_id)
        if trace is not None:
            key = "examples" if stmt.keyword == "example" else "counters"
            self.fields[key].append(ir.InlineRef(trace=trace, span=stmt.span))

    def _judge(self, stmt: ast.JudgeGuard) -> None:
        name = stmt.name.value
        if name in self._judges:
            self.ctx.error(
                codes.DUPLICATE_GUARD,
                f"judge '{name}' is already defined in this mode",
                stmt.name.span,
            )
            return
        self._judges.add(name)
        guard = judge_guard(self.ctx, stmt)
        if guard is not None:
            self.fields["guards"].append(guard)


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
