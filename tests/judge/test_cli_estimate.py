"""``evalspec judge estimate``: verdict files, text and JSON output, exit codes, input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from evalspec.cli import main


class _Entry(click.Command):
    """Lets CliRunner drive the real entry point, which renders library errors as diagnostics."""

    def main(self, args: Any = None, prog_name: Any = None, **extra: Any) -> Any:
        return main(list(args or ()))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_Entry("evalspec"), list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, values: list[str]) -> str:
    path.write_text("\n".join(values) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def case_b(tmp_path: Path) -> list[str]:
    """Notes §3.4 case B as files, spelled in every accepted way."""
    labels = write(tmp_path / "labels.txt", ["1"] * 50 + ["0"] * 50)
    preds = ["PASS"] * 45 + ["fail"] * 5 + ["  0  "] * 40 + ["Pass"] * 10
    test_preds = write(tmp_path / "test_preds.txt", preds)
    pool = write(tmp_path / "preds.txt", ["1"] * 700 + [""] + ["FAIL"] * 300)
    return ["--test-labels", labels, "--test-preds", test_preds, "--preds", pool]


def estimate_args(files: list[str], *options: str) -> list[str]:
    return ["judge", "estimate", *files, *options]


def test_text_output_reproduces_judgy(case_b: list[str]) -> None:
    args = ["--method", "judgy", "--iterations", "2000", "--confidence", "0.9", "--seed", "42"]
    code, out, err = invoke(*estimate_args(case_b, *args))
    assert (code, err) == (0, "")
    assert out == (
        "pass rate  0.7143  90% interval [0.6337, 0.8043]  method judgy\n"
        "raw theta  0.7143\n"
        "p_obs      0.7000  (700 of 1000 unlabelled verdicts Pass)\n"
        "TPR        0.9000  (45 of 50 human Pass)\n"
        "TNR        0.8000  (40 of 50 human Fail)\n"
        "draws      2000 valid of 2000, seed 42\n"
        "warnings   none\n"
    )


def test_json_output_has_every_digit(case_b: list[str]) -> None:
    args = ["--method", "judgy", "--iterations", "2000", "--confidence", "0.9", "--seed", "42"]
    code, out, _ = invoke(*estimate_args(case_b, *args, "--format", "json"))
    data = json.loads(out)
    assert code == 0
    assert (data["theta"], data["lower"], data["upper"]) == (
        0.7142857142857141,
        0.6336979382821939,
        0.80426622647133,
    )
    assert data["method"] == "judgy" and data["valid_draws"] == 2000 and data["seed"] == 42
    assert list(data) == [
        "method", "theta", "lower", "upper", "theta_raw", "p_obs", "tpr", "tnr", "confidence",
        "iterations", "valid_draws", "seed", "confusion", "unlabeled", "unlabeled_pass", "warnings",
    ]  # fmt: skip


def test_full_is_the_default_and_seed_defaults_to_zero(case_b: list[str]) -> None:
    code, out, _ = invoke(*estimate_args(case_b, "--iterations", "5000", "--format", "json"))
    data = json.loads(out)
    assert (code, data["method"], data["seed"]) == (0, "full", 0)
    assert (data["lower"], data["upper"]) == (0.6128107796656664, 0.8328940790986836)


def test_warnings_are_listed(tmp_path: Path) -> None:
    files = [
        "--test-labels", write(tmp_path / "y.txt", "1 1 0 0 1 0 1 0".split()),
        "--test-preds", write(tmp_path / "p.txt", "1 0 0 1 1 0 1 0".split()),
        "--preds", write(tmp_path / "u.txt", "1 1 0 1 0 1 0 1".split()),
    ]  # fmt: skip
    code, out, _ = invoke(*estimate_args(files, "--method", "judgy"))
    assert code == 0
    assert out.splitlines()[0] == "pass rate  0.7500  95% interval [0.0000, 1.0000]  method judgy"
    assert out.splitlines()[5:8] == [
        "draws      17615 valid of 20000, seed 0",
        "warnings   5",
        "  few-labels: only 8 test labels (fewer than 60): TPR, TNR and the interval are loose",
    ]
    assert [line.split(":")[0] for line in out.splitlines()[8:]] == [
        "  rare-class",
        "  rare-class",
        "  skipped-draws",
        "  small-pool",
    ]


def test_invalid_lines_are_reported_with_positions(case_b: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1\n\n  maybe \n0\nyes\n", encoding="utf-8")
    case_b[case_b.index("--preds") + 1] = str(bad)
    code, out, err = invoke(*estimate_args(case_b))
    assert (code, out) == (2, "")
    assert err == (
        f"{bad}:3:3: error[ES801]: expected 0, 1, PASS or FAIL, got 'maybe'\n"
        " 3 |   maybe \n"
        "   |   ^^^^^ one verdict per line\n\n"
        f"{bad}:5:1: error[ES801]: expected 0, 1, PASS or FAIL, got 'yes'\n"
        " 5 | yes\n"
        "   | ^^^ one verdict per line\n\n"
    )


def test_non_utf8_file_is_unreadable(case_b: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"1\n\xe9\n")
    case_b[case_b.index("--test-labels") + 1] = str(bad)
    code, _, err = invoke(*estimate_args(case_b))
    assert code == 2
    assert err.startswith(f"{bad}: error[ES802]: cannot read verdicts: not UTF-8 (")
    assert "Traceback" not in err


def test_problems_in_several_files_are_all_reported(case_b: list[str], tmp_path: Path) -> None:
    case_b[case_b.index("--test-labels") + 1] = write(tmp_path / "y.txt", ["1", "ok"])
    case_b[case_b.index("--preds") + 1] = write(tmp_path / "u.txt", ["?"])
    code, _, err = invoke(*estimate_args(case_b))
    assert code == 2
    assert [line.split(": ")[0] for line in err.splitlines() if "error[" in line] == [
        f"{tmp_path / 'y.txt'}:2:1",
        f"{tmp_path / 'u.txt'}:1:1",
    ]


def test_rejected_inputs_name_the_file(case_b: list[str], tmp_path: Path) -> None:
    one_class = write(tmp_path / "all_pass.txt", ["PASS"] * 100)
    case_b[case_b.index("--test-labels") + 1] = one_class
    code, _, err = invoke(*estimate_args(case_b))
    assert code == 2
    assert err == (
        f"{one_class}: error[ES803]: test_labels must contain both positive and negative "
        "examples\n  = hint: test_labels is the file given to --test-labels\n\n"
    )


def test_length_mismatch_points_at_test_preds(case_b: list[str], tmp_path: Path) -> None:
    short = write(tmp_path / "short.txt", ["1", "0"])
    case_b[case_b.index("--test-preds") + 1] = short
    code, _, err = invoke(*estimate_args(case_b))
    assert code == 2
    assert err.startswith(
        f"{short}: error[ES803]: test_labels and test_preds must have the same length. "
        "Got 100 and 2\n"
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--confidence", "1", "Invalid value for '--confidence'"),
        ("--iterations", "0", "Invalid value for '--iterations'"),
        ("--seed", "-1", "Invalid value for '--seed'"),
        ("--method", "exact", "Invalid value for '--method'"),
    ],
)
def test_bad_options_are_usage_errors(
    case_b: list[str], option: str, value: str, message: str
) -> None:
    code, _, err = invoke(*estimate_args(case_b, option, value))
    assert code == 2 and message in err


def test_missing_file_is_a_usage_error(case_b: list[str], tmp_path: Path) -> None:
    case_b[case_b.index("--preds") + 1] = str(tmp_path / "nope.txt")
    code, _, err = invoke(*estimate_args(case_b))
    assert code == 2 and "does not exist" in err


def test_judge_group_lists_estimate() -> None:
    code, out, _ = invoke("judge", "--help")
    assert code == 0 and "estimate" in out


def test_module_imports_without_httpx() -> None:
    script = (
        "import sys; sys.modules['httpx'] = None\n"  # makes any `import httpx` fail
        "import evalspec.cli.judge\n"
        "assert 'evalspec.judge.client' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
