"""Every IR expression kind has an evaluator and a rendering; the package stays in its layer."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest
from checks_helpers import guard_expr

import evalspec.checks
from evalspec import ir
from evalspec.checks import EVALUATORS, CheckEnv, compile_expr, describe
from evalspec.checks.describe import _RENDER


def test_every_expression_kind_has_an_evaluator() -> None:
    assert set(EVALUATORS) == {ir.And, ir.Or, ir.Not, *typing.get_args(ir.Predicate)}


def test_every_expression_kind_has_a_rendering() -> None:
    assert set(_RENDER) == set(EVALUATORS)


def test_compiled_checks_are_predicates(tmp_path: Path) -> None:
    pred = compile_expr(guard_expr('output contains "x"', tmp_path), CheckEnv(root=tmp_path))
    assert callable(pred.test) and callable(pred.explain)
    assert repr(pred) == '<Check output contains "x">'


def test_unknown_node_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="no evaluator for IR node StringLit"):
        compile_expr(ir.StringLit(value="x"), CheckEnv(root=tmp_path))  # type: ignore[arg-type]


def test_checks_never_import_the_language_or_httpx() -> None:
    package = Path(evalspec.checks.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("evalspec.lang", "httpx")), f"{path.name}: {name}"


def test_public_api() -> None:
    assert set(evalspec.checks.__all__) == {
        "EVALUATORS", "PII_DETECTOR_VERSION", "Check", "CheckEnv", "CheckError", "Outcome",
        "Predicate", "SelfTestResult", "compile_expr", "compile_operand", "describe", "evaluate",
        "inline_trace", "needs_exec", "self_test",
    }  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        'output contains "x" and (len(output) <= 3 or not output is json)',
        'not (output is json and metadata."a b"[0] == true)',
        "json(output).items[-1].price > 0.5",
        'tool_calls icontains all ["a", 1]',
        'output starts with "a" or output ends with "b"',
        "output matches /(?i)x/m",
        'output conforms "s.json"',
        "output has no pii [email, phone]",
        'tool_called "a" before "b"',
        "citations /\\[(\\w+)\\]/ exist in corpus",
        'run "./x.sh" or python "m:f"',
    ],
)
def test_describe_renders_source(tmp_path: Path, text: str) -> None:
    (tmp_path / "s.json").write_text("{}", encoding="utf-8")
    suite = 'suite s { corpus "kb/*.md" }'
    assert describe(guard_expr(text, tmp_path, suite)) == text
