"""The formatter: one canonical layout, idempotent, meaning-preserving, comments kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from evalspec import ir
from evalspec.lang.compiler import compile_file
from evalspec.lang.fmt import format_text
from evalspec.lang.parser import parse

REPO = Path(__file__).resolve().parents[2]
SPECS = sorted(
    p
    for folder in ("spec/conformance/parse/good", "examples", "tests/lang")
    for p in (REPO / folder).rglob("*.eval")
)


def _ids(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_identity_file_comes_back_byte_identical() -> None:
    text = (Path(__file__).parent / "identity.eval").read_text(encoding="utf-8")
    assert format_text(text) == text


@pytest.mark.parametrize("path", SPECS, ids=_ids)
def test_formatting_is_idempotent(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    once = format_text(text)
    assert format_text(once) == once


@pytest.mark.parametrize("path", SPECS, ids=_ids)
def test_formatting_keeps_every_comment(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    before = [c.text.rstrip() for c in parse(text).comments]
    after = [c.text.rstrip() for c in parse(format_text(text)).comments]
    assert after == before


@pytest.mark.parametrize("path", SPECS, ids=_ids)
def test_formatting_preserves_the_ir(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert _ir(text, path) == _ir(format_text(text), path)


def _ir(text: str, path: Path) -> Any:
    doc = compile_file(
        parse(text, path.name), path.name, path.parent, path.parent, check_files=False
    )
    return _strip_spans(msgspec.to_builtins(doc))


def _strip_spans(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_spans(v) for k, v in value.items() if k != "span"}
    if isinstance(value, list):
        return [_strip_spans(v) for v in value]
    return value


def test_layout_normalises_spacing_and_indentation() -> None:
    messy = 'mode   m   "t"{\n\tmax_rate    2%\n        assert   output   is   json}\n'
    assert format_text(messy) == 'mode m "t" {\n  max_rate 2%\n  assert output is json\n}\n'


def test_aligned_settings_lose_their_padding_but_keep_comments() -> None:
    text = 'suite s {\n  traces  "a.jsonl"   # source\n  tools   "t.json"\n}\n'
    assert format_text(text) == 'suite s {\n  traces "a.jsonl"  # source\n  tools "t.json"\n}\n'


def test_blank_lines_collapse_to_one_and_blocks_are_separated() -> None:
    text = 'mode a {\n  why "x"\n\n\n\n  assert output is json\n}\nmode b {}\n'
    assert format_text(text) == 'mode a {\n  why "x"\n\n  assert output is json\n}\n\nmode b {}\n'


def test_one_line_block_is_expanded() -> None:
    text = 'mode a { why "x" example { input "i" output "o" } }\n'
    expected = 'mode a {\n  why "x"\n  example {\n    input "i"\n    output "o"\n  }\n}\n'
    assert format_text(text) == expected


def test_long_string_is_reindented_without_changing_its_value() -> None:
    text = 'mode a {\n        why """\n  first\n    second\n  """\n}\n'
    out = format_text(text)
    assert out == 'mode a {\n  why """\n    first\n      second\n    """\n}\n'
    assert parse(out).items[0].body[0].value.value == "first\n  second"


def test_crlf_input_formats_to_lf() -> None:
    assert (
        format_text('mode a {\r\n  why "x"\r\n}\r\n'.replace("\r\n", "\n"))
        == 'mode a {\n  why "x"\n}\n'
    )


def test_ir_module_round_trips_through_json() -> None:
    text = (Path(__file__).parent / "identity.eval").read_text(encoding="utf-8")
    doc = compile_file(parse(text), "identity.eval", REPO, REPO, check_files=False)
    assert ir.decode(ir.encode(doc)) == doc
