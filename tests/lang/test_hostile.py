"""Hostile input: every case gives a diagnostic and exit code 2, never a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from evalspec.cli import main


def run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(["compile", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(str(info.value.code)), err


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "ES001"),
        (b"   \n\n# only a comment\n", "ES001"),
        (b"\x00\x01\x02binary\xff", "ES003"),
        (b'mode m {\n  why "\xff\xfe"\n}\n', "ES002"),
        (
            b"mode m {\n  assert " + b"(" * 10_000 + b"output is json" + b")" * 10_000 + b"\n}\n",
            "ES006",
        ),
        (b"mode m {\n" + b'  why "x"\n' * 1_200_000 + b"}\n", "ES005"),
    ],
    ids=["empty", "comments-only", "binary", "invalid-utf8", "nested-10000", "10MB"],
)
def test_hostile_file_is_a_diagnostic(
    tmp_path: Path, content: bytes, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spec.eval"
    path.write_bytes(content)
    exit_code, err = run(path, capsys)
    assert exit_code == 2
    assert f"error[{code}]" in err


def test_inspect_ai_log_is_recognised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.eval"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("header.json", "{}")
    exit_code, err = run(path, capsys)
    assert exit_code == 2
    assert "error[ES004]" in err and "Inspect AI log" in err


def test_crlf_and_tabs_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.eval"
    path.write_bytes(b'mode m {\r\n\tassert\toutput is json\r\n\twhy "tabbed"\r\n}\r\n')
    with pytest.raises(SystemExit) as info:
        main(["compile", str(path)])
    assert info.value.code == 0
    assert '"why": "tabbed"' in capsys.readouterr().out


def test_utf8_bom_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.eval"
    path.write_bytes(b"\xef\xbb\xbfmode m {\n  assert output is json\n}\n")
    with pytest.raises(SystemExit) as info:
        main(["compile", str(path)])
    assert info.value.code == 0


def test_error_position_in_a_line_with_tabs_counts_a_tab_as_one_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spec.eval"
    path.write_text('mode m {\n\tassert output containz "x"\n}\n', encoding="utf-8")
    exit_code, err = run(path, capsys)
    assert exit_code == 2
    assert "spec.eval:2:16: error[ES021]" in err
    assert "\n 2 |     assert output containz" in err
