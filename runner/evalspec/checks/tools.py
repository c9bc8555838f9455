"""Agent predicates: ``tool_called "x" [before "y"]`` and ``tool_calls conform tools``.

Both read ``tool_calls``, the calls the model made in order. The tools file holds OpenAI tools
JSON: a list of ``{"type": "function", "function": {"name", "description", "parameters"}}``,
the same list under a ``"tools"`` key, or bare function objects ``{"name", "parameters"}``.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import msgspec

from evalspec import ir
from evalspec.checks.base import Check, CheckEnv, CheckError, evaluator, failing
from evalspec.checks.describe import quote
from evalspec.checks.operands import ITEM_FIELDS, ROOT_FIELDS, compile_operand, excerpt
from evalspec.traces.record import Trace

if TYPE_CHECKING:  # jsonschema is imported when a check needs it: it is slow to import
    from jsonschema import Draft202012Validator

_calls = operator.attrgetter(ROOT_FIELDS["tool_calls"])
_name = operator.attrgetter(ITEM_FIELDS["name"])
_arguments = operator.attrgetter(ITEM_FIELDS["arguments"])
_arguments_raw = operator.attrgetter(ITEM_FIELDS["arguments_raw"])
_ANY_OBJECT: dict[str, Any] = {"type": "object"}


def first_call(trace: Trace, name: str) -> int | None:
    """Return the index of the first call of tool ``name``, or ``None``."""
    for index, call in enumerate(_calls(trace)):
        if _name(call) == name:
            return index
    return None


@evaluator(ir.ToolCalled)
def compile_tool_called(expr: ir.ToolCalled, env: CheckEnv) -> Check:
    """Compile ``tool_called "x"`` and ``tool_called "x" before "y"``."""
    name, other = expr.name, expr.before

    def test(trace: Trace) -> bool:
        if other is None:
            return any(_name(call) == name for call in _calls(trace))
        first = first_call(trace, name)
        then = first_call(trace, other)
        return first is not None and then is not None and first < then

    def explain(trace: Trace) -> str:
        first = first_call(trace, name)
        if first is None or other is None:
            names = ", ".join(quote(_name(call)) for call in _calls(trace)) or "none"
            return f"tool {quote(name)} is not called (calls: {names})"
        then = first_call(trace, other)
        if then is None:
            return f"tool {quote(other)} is not called"
        return (
            f"{quote(name)} is first called at tool_calls[{first}], after {quote(other)} "
            f"at tool_calls[{then}]"
        )

    def affirm(trace: Trace) -> str:
        text = f"{quote(name)} is called at tool_calls[{first_call(trace, name)}]"
        if other is None:
            return text
        return f"{text}, before {quote(other)} at tool_calls[{first_call(trace, other)}]"

    return Check(expr, test, explain, affirm)


def tool_registry(data: Any) -> dict[str, Draft202012Validator]:
    """Build ``{tool name: validator of its parameters}`` from OpenAI tools JSON."""
    from jsonschema import Draft202012Validator, SchemaError

    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if not isinstance(data, list):
        raise CheckError('the tools file must hold a list of tools (or {"tools": [...]})')
    registry: dict[str, Draft202012Validator] = {}
    for index, item in enumerate(data):
        function = item.get("function") if isinstance(item, dict) else None
        if isinstance(item, dict) and function is None and "name" in item:
            function = item  # a bare function object
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise CheckError(f"tool {index} is not a function with a name")
        name, parameters = function["name"], function.get("parameters", _ANY_OBJECT)
        if name in registry:
            raise CheckError(f"tool {quote(name)} is defined twice")
        try:
            Draft202012Validator.check_schema(parameters)
        except SchemaError as exc:
            raise CheckError(f"the parameters of {quote(name)}: {exc.message}") from None
        registry[name] = Draft202012Validator(parameters)
    return registry


def load_tools(env: CheckEnv, path: str) -> dict[str, Draft202012Validator]:
    """Return the registry of a project tools file, loaded once per run."""

    def load() -> dict[str, Draft202012Validator]:
        try:
            data = msgspec.json.decode(env.project_file(path).read_bytes())
        except OSError as exc:
            raise CheckError(f"cannot read the tools file {path}: {exc.strerror}") from None
        except msgspec.DecodeError as exc:
            raise CheckError(f"the tools file {path} is not valid JSON: {exc}") from None
        try:
            return tool_registry(data)
        except CheckError as exc:
            raise CheckError(f"{path}: {exc.reason}") from None

    return env.cached("tools", path, load)


def _arguments_of(call: Any) -> Any:
    """Return the call's arguments; ``_INVALID`` when they were not JSON; ``{}`` when absent."""
    arguments = _arguments(call)
    if arguments is None:
        return _INVALID if _arguments_raw(call) is not None else {}
    return arguments


_INVALID: Any = object()


@evaluator(ir.ConformTools)
def compile_conform_tools(expr: ir.ConformTools, env: CheckEnv) -> Check:
    """Compile ``tool_calls conform tools``."""
    if expr.tools is None:
        return failing(expr, "the suite declares no tools file")
    try:
        registry = load_tools(env, expr.tools)
    except CheckError as exc:
        return failing(expr, exc.reason)
    get = compile_operand(expr.operand)

    def conforms(call: Any) -> bool:
        validator = registry.get(_name(call))
        arguments = _arguments_of(call)
        return validator is not None and arguments is not _INVALID and validator.is_valid(arguments)

    def test(trace: Trace) -> bool:
        return all(conforms(call) for call in get(trace))

    def explain(trace: Trace) -> str:
        for index, call in enumerate(get(trace)):
            if not conforms(call):
                return f"tool_calls[{index}] ({quote(_name(call))}): {_why(registry, call)}"
        return "every tool call conforms"  # pragma: no cover - test() said one does not

    return Check(expr, test, explain)


def _why(registry: dict[str, Draft202012Validator], call: Any) -> str:
    validator = registry.get(_name(call))
    if validator is None:
        known = ", ".join(sorted(registry)) or "none"
        return f"not a registered tool (tools: {known})"
    arguments = _arguments_of(call)
    if arguments is _INVALID:
        return f"the arguments are not valid JSON: {excerpt(_arguments_raw(call))}"
    error = next(validator.iter_errors(arguments))
    return f"the arguments do not conform: at {error.json_path}: {error.message}"
