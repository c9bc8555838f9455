"""``evalspec lint`` and ``evalspec rule`` through click's CliRunner: exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from evalspec.cli import cli
from evalspec.diagnostics import error
from evalspec.errors import EvalSyntaxError
from evalspec.lang import codes

GOOD = 'mode a {\n  assert len(output) <= 5\n  example {\n    output "a long answer"\n  }\n}\n'
FINDING = 'mode a { why "x" }\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "evalspec.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["lint", "--no-cache", *args])


def test_clean_exits_0(project: Path) -> None:
    (project / "a.eval").write_text(GOOD)
    result = invoke("a.eval")
    assert result.exit_code == 0, result.output
    assert result.output == "No problems found in 1 file.\n"


def test_findings_exit_1_and_exit_zero(project: Path) -> None:
    (project / "a.eval").write_text(FINDING)
    result = invoke("--output-format", "concise", ".")
    assert result.exit_code == 1
    assert "a.eval:1:6: ES101 [mode-without-guard]" in result.output
    assert invoke("--exit-zero", ".").exit_code == 0


def test_parse_errors_are_findings(project: Path) -> None:
    (project / "a.eval").write_text('mode a {\n  assert output containz "x"\n}\n')
    result = invoke("--output-format", "json", "a.eval")
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)
    assert (finding["code"], finding["name"]) == ("ES021", "unknown-predicate")


def test_missing_path_and_bad_options_exit_2(project: Path) -> None:
    assert invoke("nope.eval").exit_code == 2
    assert invoke("--output-format", "yaml", ".").exit_code == 2
    (project / "a.eval").write_text(GOOD)
    result = invoke("--select", "ES1O1", "a.eval")
    assert result.exit_code == 2
    assert "did you mean 'ES101'?" in result.output


def test_broken_config_and_lock_exit_2(project: Path) -> None:
    (project / "a.eval").write_text(GOOD)
    (project / "evalspec.toml").write_text("[lint]\nselect = [1]\n")
    assert invoke("a.eval").exit_code == 2
    (project / "evalspec.toml").write_text("")
    (project / "evalspec.lock").write_text("version = 99\n")
    assert invoke("a.eval").exit_code == 2


def test_unreadable_file_exits_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "a.eval").write_text(GOOD)

    def unreadable(path: Path, shown: str) -> str:
        diag = error(codes.UNREADABLE, "cannot read: Permission denied", shown)
        raise EvalSyntaxError(diag.message, [diag])

    monkeypatch.setattr("evalspec.lint.engine.read_source", unreadable)
    result = invoke("--output-format", "concise", "a.eval")
    assert result.exit_code == 2
    assert result.output.startswith("a.eval: ES009 [unreadable-file] cannot read")


def test_exit_zero_does_not_hide_unreadable_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "a.eval").write_text(GOOD)

    def unreadable(path: Path, shown: str) -> str:
        raise EvalSyntaxError("x", [error(codes.UNREADABLE, "cannot read", shown)])

    monkeypatch.setattr("evalspec.lint.engine.read_source", unreadable)
    assert invoke("--exit-zero", "a.eval").exit_code == 2


def test_select_ignore_and_statistics(project: Path) -> None:
    (project / "a.eval").write_text(FINDING)
    result = invoke("--select", "ES1,ES3", "--ignore", "mode-without-guard", "--statistics", ".")
    assert (
        result.output
        == "1  ES301  mode-without-examples\nFound 1 problem in 1 of 1 file (1 warning).\n"
    )
    assert (
        invoke("--select", "ES101", "--extend-select", "ES301", "--statistics", ".").output.count(
            "ES"
        )
        == 2
    )


def test_output_file_and_today(project: Path) -> None:
    (project / "a.eval").write_text(
        "suite s { review every 14d }\n"
        "mode a { seen 1 of 9 on 2026-01-01  assert output is json }\n"
    )
    assert invoke("--select", "ES104", "--today", "2026-01-10", "a.eval").exit_code == 0
    result = invoke("--select", "ES104", "--today", "2026-02-10", "-o", "out.txt", "a.eval")
    assert result.exit_code == 1 and result.output == ""
    assert "ES104" in (project / "out.txt").read_text()


def test_jobs(project: Path) -> None:
    for number in range(3):
        (project / f"s{number}.eval").write_text(FINDING)
    one = invoke("-j", "1", "--output-format", "json", ".")
    two = invoke("-j", "2", "--output-format", "json", ".")
    assert one.output == two.output and len(json.loads(one.output)) == 6


def test_rule_command() -> None:
    runner = CliRunner()
    listing = runner.invoke(cli, ["rule"])
    assert listing.exit_code == 0
    assert listing.output.splitlines()[0].startswith("ES101  mode-without-guard")
    page = runner.invoke(cli, ["rule", "mode-without-guard"])
    assert page.output.startswith("# ES101 mode-without-guard\n")
    assert "**Anti-pattern**" in page.output and "```eval" in page.output
    data = json.loads(runner.invoke(cli, ["rule", "es403", "--output-format", "json"]).output)
    assert data["name"] == "judge-too-few-labels" and data["url"].endswith(
        "#es403-judge-too-few-labels"
    )
    assert "... (55 more lines)" in runner.invoke(cli, ["rule", "ES403"]).output
    unknown = runner.invoke(cli, ["rule", "ES10"])
    assert unknown.exit_code == 2 and "no rule 'ES10'" in unknown.output
    every = json.loads(runner.invoke(cli, ["rule", "--output-format", "json"]).output)
    assert [r["code"] for r in every] == sorted(r["code"] for r in every)


def test_lint_never_imports_the_judge_client(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "support"
    code = (
        "import sys\n"
        "from evalspec.cli import main\n"
        "try:\n"
        f"    main(['lint', '--no-cache', '--exit-zero', {str(example)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
        "assert 'evalspec.judge.client' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=tmp_path)
