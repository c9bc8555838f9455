"""Structure predicates: ``is json`` and ``conforms "schema.json"`` (JSON Schema 2020-12).

``is json`` is RFC 8259 as msgspec reads it: any JSON value (scalars too), surrounding whitespace
allowed, duplicate object keys accepted (the last wins). A Markdown code fence around the JSON
makes it not JSON. ``conforms`` parses text first (not JSON: the predicate is false) and
validates the value with ``jsonschema.Draft202012Validator``; ``format`` is not asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from evalspec import ir
from evalspec.checks.base import Check, CheckEnv, CheckError, Test, evaluator, failing
from evalspec.checks.describe import operand_text, quote
from evalspec.checks.operands import (
    compile_operand,
    fused,
    json_position,
    text_getter,
    text_source,
)
from evalspec.traces.record import Trace

if TYPE_CHECKING:  # jsonschema is imported when a check needs it: it is slow to import
    from jsonschema import Draft202012Validator

_SYNTAX = msgspec.json.Decoder(msgspec.Raw)  # checks the syntax without building the value
_MAX_MESSAGE = 200


def json_error(text: str) -> str | None:
    """Return why ``text`` is not JSON, with the line and column, or ``None`` if it is JSON."""
    try:
        _SYNTAX.decode(text)
    except msgspec.DecodeError as exc:
        return json_position(text, str(exc))
    return None


@evaluator(ir.IsJson)
def compile_is_json(expr: ir.IsJson, env: CheckEnv) -> Check:
    """Compile ``operand is json``."""
    get, name = text_getter(expr.operand, "is json")
    src = text_source(expr.operand)
    test: Test
    negated: Test | None = None
    if src is not None and src.function is None:
        test, negated = fused(src, "is_json(value)", is_json=_is_json)
    else:

        def test(trace: Trace) -> bool:
            return _is_json(get(trace))

    def explain(trace: Trace) -> str:
        return f"{name} is not JSON: {json_error(get(trace))}"

    return Check(expr, test, explain, negated=negated)


def _is_json(text: str) -> bool:
    try:
        _SYNTAX.decode(text)
    except msgspec.DecodeError:
        return False
    return True


def load_validator(env: CheckEnv, path: str) -> Draft202012Validator:
    """Return the validator of a project schema file, built once per run."""

    def load() -> Draft202012Validator:
        from jsonschema import Draft202012Validator, SchemaError

        file = env.project_file(path)
        try:
            schema = msgspec.json.decode(file.read_bytes())
            Draft202012Validator.check_schema(schema)
        except OSError as exc:
            raise CheckError(f"cannot read the schema {path}: {exc.strerror}") from None
        except msgspec.DecodeError as exc:
            raise CheckError(f"the schema {path} is not valid JSON: {exc}") from None
        except SchemaError as exc:
            raise CheckError(f"{path} is not a valid JSON Schema: {exc.message}") from None
        return Draft202012Validator(schema)

    return env.cached("schema", path, load)


@evaluator(ir.Conforms)
def compile_conforms(expr: ir.Conforms, env: CheckEnv) -> Check:
    """Compile ``operand conforms "schema.json"``."""
    try:
        validator = load_validator(env, expr.schema)
    except CheckError as exc:
        return failing(expr, exc.reason)
    get, name = compile_operand(expr.operand), operand_text(expr.operand)
    is_valid: Callable[[Any], bool] = validator.is_valid
    decode = msgspec.json.decode

    def instance(trace: Trace) -> Any:
        """Return the value to validate, or raise ``_NotJson`` for text that is not JSON."""
        value = get(trace)
        if not isinstance(value, str):
            return value  # already a JSON value (metadata, tool arguments)
        try:
            return decode(value)
        except msgspec.DecodeError:
            raise _NotJson from None

    def test(trace: Trace) -> bool:
        try:
            return is_valid(instance(trace))
        except _NotJson:
            return False

    def explain(trace: Trace) -> str:
        try:
            value = instance(trace)
        except _NotJson:
            return f"{name} is not JSON: {json_error(get(trace))}"
        error = next(validator.iter_errors(value))
        message = error.message
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "…"
        return f"{name} does not conform to {quote(expr.schema)}: at {error.json_path}: {message}"

    return Check(expr, test, explain)


class _NotJson(Exception):
    """Text that ``conforms`` was asked to validate is not JSON."""
