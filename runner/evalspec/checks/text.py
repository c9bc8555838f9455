"""Text predicates: ``[i]contains [any|all]``, ``starts with``, ``ends with``, ``matches``.

``contains`` is a substring test on text and a membership test on a list; ``icontains`` compares
``str.casefold()`` of both sides. No trimming and no Unicode normalisation anywhere. When the
operand is a text field of the record (``output``), each predicate compiles to one closure that
reads the field, checks it is present and tests it: the shape of the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evalspec import ir
from evalspec import regex as dialect
from evalspec.checks.base import Check, CheckEnv, CheckError, evaluator
from evalspec.checks.compare import equality, literal_value
from evalspec.checks.describe import literal_text, operand_text, quote, regex_text
from evalspec.checks.operands import (
    compile_operand,
    excerpt,
    fused,
    kind_of,
    text_getter,
    text_source,
    window,
)
from evalspec.traces.record import Trace

Has = Callable[[Any], bool]


def membership(lit: ir.Literal, ignore_case: bool, name: str) -> Has:
    """Return ``value contains lit``: substring of text, element of a list, else an error."""
    expected = literal_value(lit)
    equal = equality(lit)
    needle = expected.casefold() if ignore_case and isinstance(expected, str) else expected

    def element(item: Any) -> bool:
        if ignore_case and isinstance(item, str) and isinstance(needle, str):
            return item.casefold() == needle
        return equal(item)

    def has(value: Any) -> bool:
        if isinstance(value, str):
            if not isinstance(needle, str):
                raise CheckError(f"{name} is text; contains needs a string, not {lit.value!r}")
            return needle in (value.casefold() if ignore_case else value)
        if isinstance(value, list):
            return any(element(item) for item in value)
        raise CheckError(f"contains needs text or a list; {name} is {kind_of(value)}")

    return has


@evaluator(ir.Contains)
def compile_contains(expr: ir.Contains, env: CheckEnv) -> Check:
    """Compile ``operand [i]contains value``."""
    name = operand_text(expr.operand)
    src = text_source(expr.operand)
    if src is not None and src.function is None and isinstance(expr.value, ir.StringLit):
        if expr.ignore_case:
            test, negated = fused(
                src, "needle in value.casefold()", needle=expr.value.value.casefold()
            )
        else:
            test, negated = fused(src, "needle in value", needle=expr.value.value)
    else:
        get, has = compile_operand(expr.operand), membership(expr.value, expr.ignore_case, name)
        test, negated = (lambda trace: has(get(trace))), None
    return Check(expr, test, _explain_contains(expr), _affirm_contains(expr), negated)


def _find(value: Any, lit: ir.Literal, ignore_case: bool) -> str:
    """Say where ``lit`` is in ``value`` (for ``affirm``)."""
    if isinstance(value, str) and isinstance(lit, ir.StringLit):
        haystack = value.casefold() if ignore_case else value
        needle = lit.value.casefold() if ignore_case else lit.value
        at = haystack.find(needle)
        if at >= 0 and len(haystack) == len(value):  # positions hold unless casefold grew
            return f"at {at}: {window(value, at, at + len(lit.value))}"
    return excerpt(value)


def _explain_contains(expr: ir.Contains) -> Callable[[Trace], str]:
    get, name = compile_operand(expr.operand), operand_text(expr.operand)
    verb = "icontain" if expr.ignore_case else "contain"
    wanted = literal_text(expr.value)

    def explain(trace: Trace) -> str:
        value = get(trace)
        what = "has no element" if isinstance(value, list) else f"does not {verb}"
        return f"{name} {what} {wanted}: {excerpt(value)}"

    return explain


def _affirm_contains(expr: ir.Contains) -> Callable[[Trace], str]:
    get, name = compile_operand(expr.operand), operand_text(expr.operand)
    verb = "icontains" if expr.ignore_case else "contains"
    wanted = literal_text(expr.value)
    return lambda trace: f"{name} {verb} {wanted} {_find(get(trace), expr.value, expr.ignore_case)}"


@evaluator(ir.ContainsAny, ir.ContainsAll)
def compile_contains_many(expr: ir.ContainsAny | ir.ContainsAll, env: CheckEnv) -> Check:
    """Compile ``contains any [...]`` (empty list: false) and ``contains all [...]`` (true)."""
    get, name = compile_operand(expr.operand), operand_text(expr.operand)
    tests = [membership(lit, expr.ignore_case, name) for lit in expr.values]
    texts = [literal_text(lit) for lit in expr.values]
    every = isinstance(expr, ir.ContainsAll)
    quantifier: Callable[[Any], bool] = all if every else any

    def test(trace: Trace) -> bool:
        value = get(trace)
        return quantifier(has(value) for has in tests)

    def found(trace: Trace, wanted: bool) -> str:
        value = get(trace)
        chosen = [text for has, text in zip(tests, texts, strict=True) if has(value) is wanted]
        return f"[{', '.join(chosen)}]: {excerpt(value)}"

    def explain(trace: Trace) -> str:
        if every:
            return f"{name} lacks {found(trace, False)}"
        return f"{name} contains none of [{', '.join(texts)}]: {excerpt(get(trace))}"

    def affirm(trace: Trace) -> str:
        if every:
            return f"{name} contains all of [{', '.join(texts)}]: {excerpt(get(trace))}"
        return f"{name} contains {found(trace, True)}"

    return Check(expr, test, explain, affirm)


@evaluator(ir.StartsWith, ir.EndsWith)
def compile_affix(expr: ir.StartsWith | ir.EndsWith, env: CheckEnv) -> Check:
    """Compile ``starts with`` / ``ends with``: exact, case-sensitive, no trimming."""
    starts = isinstance(expr, ir.StartsWith)
    get, name = text_getter(expr.operand, "starts with" if starts else "ends with")
    affix = expr.value
    has_affix = str.startswith if starts else str.endswith
    verb = "start" if starts else "end"

    def test(trace: Trace) -> bool:
        return has_affix(get(trace), affix)

    def explain(trace: Trace) -> str:
        value = get(trace)
        size = len(affix) + 10
        shown = value[:size] if starts else value[-size:]
        return f"{name} does not {verb} with {quote(affix)}: it {verb}s with {excerpt(shown)}"

    return Check(expr, test, explain)


@evaluator(ir.Matches)
def compile_matches(expr: ir.Matches, env: CheckEnv) -> Check:
    """Compile ``operand matches /re/flags``: a search in the portable dialect."""
    search = dialect.compile(expr.regex.pattern, expr.regex.flags).search
    shown = regex_text(expr.regex)
    get, name = text_getter(expr.operand, "matches")
    src = text_source(expr.operand)
    if src is not None and src.function is None:
        test, negated = fused(src, "search(value) is not None", search=search)
    else:
        test, negated = (lambda trace: search(get(trace)) is not None), None

    def explain(trace: Trace) -> str:
        return f"{name} does not match {shown}: {excerpt(get(trace))}"

    def affirm(trace: Trace) -> str:
        value = get(trace)
        found = search(value)
        if found is None:  # pragma: no cover - only called when the search succeeded
            return f"{name} matches {shown}"
        return f"{name} matches {shown} at {found.start()}: {window(value, *found.span())}"

    return Check(expr, test, explain, affirm, negated)
