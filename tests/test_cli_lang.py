"""The language commands: compile, fmt, schema, --version. Exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalspec.cli import cli


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("evalspec ")


def test_compile_writes_ir_json(project: Path) -> None:
    spec = project / "a.eval"
    spec.write_text("mode m {\n  assert output is json\n}\n", encoding="utf-8")
    code, out, _ = invoke("compile", str(spec))
    assert code == 0
    assert json.loads(out)["modes"][0]["guards"][0]["expr"]["kind"] == "is_json"


def test_compile_to_file(project: Path) -> None:
    spec = project / "a.eval"
    spec.write_text("mode m {\n  assert output is json\n}\n", encoding="utf-8")
    code, _, _ = invoke("compile", str(spec), "-o", str(project / "a.ir.json"))
    assert code == 0 and json.loads((project / "a.ir.json").read_text())["ir_version"] == 1


def test_compile_invalid_spec_exits_2_with_rendered_diagnostic(project: Path) -> None:
    spec = project / "a.eval"
    spec.write_text('mode m {\n  assert output containz "x"\n}\n', encoding="utf-8")
    code, out, err = invoke("compile", str(spec))
    assert code == 2 and out == ""
    assert f"{spec.as_posix()}:2:17: error[ES021]: unknown predicate 'containz'" in err
    assert "did you mean 'contains'?" in err


def test_compile_missing_file_is_a_usage_error(project: Path) -> None:
    code, _, err = invoke("compile", str(project / "nope.eval"))
    assert code == 2 and "no such file" in err


def test_fmt_check_and_diff(project: Path) -> None:
    spec = project / "a.eval"
    spec.write_text("mode   m {\n assert output is json }\n", encoding="utf-8")
    code, _, err = invoke("fmt", "--check", str(spec))
    assert code == 1 and "would reformat" in err
    code, out, _ = invoke("fmt", "--diff", str(spec))
    assert code == 1 and "+mode m {" in out
    code, _, _ = invoke("fmt", str(spec))
    assert code == 0
    assert spec.read_text() == "mode m {\n  assert output is json\n}\n"
    code, _, _ = invoke("fmt", "--check", str(project))
    assert code == 0


def test_fmt_reports_unparsable_files_with_exit_2(project: Path) -> None:
    (project / "bad.eval").write_text("mode m {\n", encoding="utf-8")
    code, _, err = invoke("fmt", "--check", str(project))
    assert code == 2 and "error[ES012]" in err


def test_fmt_stdin() -> None:
    code, out, _ = invoke("fmt", "-", input="mode m {assert output is json}")
    assert code == 0 and out == "mode m {\n  assert output is json\n}\n"


@pytest.mark.parametrize("name", ["ir", "trace", "results", "lock"])
def test_schema_command_prints_each_schema(name: str) -> None:
    code, out, _ = invoke("schema", name)
    if code == 0:
        assert json.loads(out)["$schema"].endswith("2020-12/schema")
    else:  # schemas of later stages appear with their modules
        pytest.skip(f"schema {name} not yet published")


def test_unknown_command_is_a_usage_error() -> None:
    code, _, err = invoke("chek")
    assert code == 2 and "No such command" in err


def test_version_from_the_console_script_imports_no_cli_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.argv = ['evalspec', '--version']\n"
        "from evalspec._entry import main\n"
        "assert main() == 0\n"
        "assert 'click' not in sys.modules and 'lark' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.startswith("evalspec ")
