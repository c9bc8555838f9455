"""Rule selection: pyproject.toml and evalspec.toml, prefixes, names, per-file ignores, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec.errors import UsageError
from evalspec.lint import lint
from evalspec.lint.base import RULES
from evalspec.lint.config import LintConfig, glob_matches, load_config, selected

SPEC = 'mode a { why "x" }\n'  # ES101 and ES301


def codes_for(root: Path, spec: Path, **options: object) -> set[str]:
    report = lint([spec], cache=False, jobs=1, **options)  # type: ignore[arg-type]
    return {d.code for d in report.diagnostics}


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "specs" / "a.eval"
    path.parent.mkdir()
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_defaults_select_every_rule(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.enabled(tmp_path / "a.eval") == frozenset(RULES)
    assert config.source is None


def test_pyproject(tmp_path: Path, spec: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.evalspec.lint]\nignore = ["ES101"]\n', encoding="utf-8"
    )
    assert codes_for(tmp_path, spec) == {"ES301"}


def test_evalspec_toml_wins_over_pyproject(tmp_path: Path, spec: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.evalspec.lint]\nignore = ["ES101"]\n')
    (tmp_path / "evalspec.toml").write_text('[lint]\nignore = ["ES301"]\n')
    assert codes_for(tmp_path, spec) == {"ES101"}
    assert load_config(tmp_path).source == "evalspec.toml [lint]"


def test_evalspec_toml_without_a_lint_table_means_defaults(tmp_path: Path, spec: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.evalspec.lint]\nignore = ["ES101"]\n')
    (tmp_path / "evalspec.toml").write_text("[other]\nx = 1\n")
    assert codes_for(tmp_path, spec) == {"ES101", "ES301"}


def test_prefixes_names_and_extend_select(tmp_path: Path, spec: Path) -> None:
    (tmp_path / "evalspec.toml").write_text(
        '[lint]\nselect = ["ES10"]\nextend-select = ["mode-without-examples"]\n'
    )
    assert codes_for(tmp_path, spec) == {"ES101", "ES301"}
    assert selected(["ES1"], "x") == {c for c in RULES if c.startswith("ES1")}
    assert selected(["all"], "x") == set(RULES)


def test_per_file_ignores(tmp_path: Path, spec: Path) -> None:
    other = tmp_path / "drafts" / "deep" / "b.eval"
    other.parent.mkdir(parents=True)
    other.write_text(SPEC)
    (tmp_path / "evalspec.toml").write_text(
        '[lint.per-file-ignores]\n"drafts/**" = ["ES1"]\n"a.eval" = ["ES301"]\n'
    )
    report = lint([spec, other], cache=False, jobs=1)
    by_file = {(Path(d.path).name, d.code) for d in report.diagnostics}
    assert by_file == {("a.eval", "ES101"), ("b.eval", "ES301")}


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("drafts/**", "drafts/a/b.eval", True),
        ("drafts/", "drafts/a.eval", True),
        ("drafts/*.eval", "drafts/a/b.eval", False),
        ("**/legacy_*.eval", "x/y/legacy_1.eval", True),
        ("**/legacy_*.eval", "legacy_1.eval", True),
        ("*.eval", "deep/a.eval", True),
        ("a?.eval", "ab.eval", True),
        ("./specs/a.eval", "specs/a.eval", True),
    ],
)
def test_globs(pattern: str, path: str, hit: bool) -> None:
    assert glob_matches(pattern, path) is hit


def test_cli_select_replaces_and_ignore_replaces(tmp_path: Path, spec: Path) -> None:
    (tmp_path / "evalspec.toml").write_text(
        '[lint]\nselect = ["ES3"]\nextend-select = ["ES102"]\nignore = ["ES101"]\n'
    )
    config = load_config(tmp_path)
    assert config.with_cli(select=["ES1"]).enabled(spec) == {c for c in RULES if c[2] == "1"} - {
        "ES101"
    }
    assert "ES101" in config.with_cli(select=["ES1"], ignore=[]).enabled(spec)
    extended = config.with_cli(extend_select=["ES401"], extend_ignore=["ES301"]).enabled(spec)
    assert "ES401" in extended and "ES301" not in extended and "ES102" in extended


@pytest.mark.parametrize(
    ("selector", "hint"),
    [
        ("ES1O1", "did you mean 'ES101'?"),
        ("mode-without-gard", "did you mean 'mode-without-guard'?"),
        ("ES039", "always reported"),
        ("ES7", "evalspec rule"),
    ],
)
def test_unknown_selectors_are_usage_errors(selector: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        LintConfig(select=(selector,)).validate()
    assert hint in str(caught.value)
    assert caught.value.exit_code == 2


def test_config_errors(tmp_path: Path) -> None:
    (tmp_path / "evalspec.toml").write_text("[lint]\nselct = []\n")
    with pytest.raises(UsageError, match="unknown key 'selct'.*did you mean 'select'"):
        load_config(tmp_path)
    (tmp_path / "evalspec.toml").write_text('[lint]\nselect = "ES1"\n')
    with pytest.raises(UsageError, match="must be a list"):
        load_config(tmp_path)
    (tmp_path / "evalspec.toml").write_text("[lint\n")
    with pytest.raises(UsageError, match="cannot read evalspec.toml"):
        load_config(tmp_path)
    (tmp_path / "evalspec.toml").write_text('[lint]\nignore = ["ES999"]\n')
    with pytest.raises(UsageError, match="ES999.*evalspec.toml"):
        load_config(tmp_path)
