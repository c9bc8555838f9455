"""Every ```eval block of spec/REFERENCE.md compiles, or fails with the code it declares.

A block preceded by ``<!-- invalid: ES021 -->`` (on the line right before its fence) is
deliberately invalid: compiling it must fail and the first diagnostic must carry that code.
Blocks are compiled with ``check_files=False``: the files they name need not exist, but paths
are still confined to the project. The code tables must match the code: every language code has
its row, no assigned code is called unassigned, and a run code is called reserved exactly when
the runner never emits it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from evalspec.errors import EvalspecError
from evalspec.lang import codes
from evalspec.lang.compiler import compile_file
from evalspec.lang.parser import parse
from evalspec.run import codes as run_codes
from evalspec.traces import codes as trace_codes

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "spec" / "REFERENCE.md"
RUNNER = ROOT / "runner" / "evalspec"
_MARKER = re.compile(r"^<!--\s*invalid:\s*(ES\d{3})\s*-->$")
_FENCE = re.compile(r"^```")


class Block(NamedTuple):
    """An ```eval block: the line of its fence, its text, and the code it must fail with."""

    line: int
    text: str
    invalid: str | None


def eval_blocks(markdown: str) -> list[Block]:
    """Return the ```eval blocks of ``markdown`` with their ``invalid`` markers."""
    lines = markdown.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _FENCE.match(line):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end] != "```":
            end += 1
        if line == "```eval":
            marker = _MARKER.match(lines[i - 1]) if i > 0 else None
            text = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append(Block(i + 1, text, marker.group(1) if marker else None))
        i = end + 1
    return blocks


BLOCKS = eval_blocks(REFERENCE.read_text(encoding="utf-8"))


def _compile(text: str, root: Path) -> None:
    tree = parse(text, "ref.eval")
    compile_file(tree, "ref.eval", root, root, check_files=False)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line-{b.line}" for b in BLOCKS])
def test_block(block: Block, tmp_path: Path) -> None:
    if block.invalid is None:
        _compile(block.text, tmp_path)
        return
    with pytest.raises(EvalspecError) as caught:
        _compile(block.text, tmp_path)
    assert caught.value.diagnostics, "an invalid block must report a diagnostic"
    assert caught.value.diagnostics[0].code == block.invalid


def test_reference_has_many_examples_and_every_marker_precedes_a_block() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    markers = [line for line in text.splitlines() if _MARKER.match(line)]
    assert len(markers) == sum(1 for b in BLOCKS if b.invalid)
    assert len(BLOCKS) >= 60


def test_every_invalid_marker_names_a_language_code() -> None:
    for block in BLOCKS:
        if block.invalid is not None:
            assert block.invalid in codes.CODES, block
            shown = f"# invalid: {block.invalid} {codes.CODES[block.invalid].name}"
            assert block.text.startswith(shown + "\n"), f"line {block.line}: start with {shown!r}"


def test_reference_lists_every_diagnostic_code() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    run = [v for k, v in vars(run_codes).items() if k.isupper() and isinstance(v, str)]
    for code in [*codes.CODES, *run, *trace_codes.CODES]:
        assert re.search(rf"\b{code}\b", text), f"{code} is not in spec/REFERENCE.md"
    for code, entry in codes.CODES.items():
        row = f"| {code} | `{entry.name}` | {entry.summary} |"
        assert row in text, f"spec/REFERENCE.md lacks the row {row}"


def test_unassigned_codes_are_not_assigned() -> None:
    text = " ".join(REFERENCE.read_text(encoding="utf-8").split())
    sentence = re.search(r"(ES007[^.]*) are unassigned", text)
    assert sentence, "spec/REFERENCE.md lacks the sentence listing unassigned ES0xx codes"
    unassigned: set[str] = set()
    for first, last in re.findall(r"ES(\d{3})(?:–ES(\d{3}))?", sentence.group(1)):
        unassigned |= {f"ES{n:03d}" for n in range(int(first), int(last or first) + 1)}
    assert not unassigned & set(codes.CODES), sorted(unassigned & set(codes.CODES))


def _emitted(name: str) -> bool:
    """Whether any module of the runner but ``run/codes.py`` uses the run code ``name``."""
    use = re.compile(rf"\bcodes\.{name}\b|^from evalspec\.run\.codes import .*\b{name}\b", re.M)
    sources = (p for p in RUNNER.rglob("*.py") if p != RUNNER / "run" / "codes.py")
    return any(use.search(p.read_text(encoding="utf-8")) for p in sources)


def test_reserved_run_codes_are_exactly_those_never_emitted() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name, code in vars(run_codes).items():
        if not (name.isupper() and isinstance(code, str)):
            continue
        row = next((line for line in text.splitlines() if line.startswith(f"| {code} |")), None)
        assert row is not None, f"spec/REFERENCE.md lacks a row for {code}"
        emitted = _emitted(name)
        assert ("reserved" not in row) == emitted, (
            f"{code} ({name}) is {'emitted' if emitted else 'never emitted'}: {row}"
        )
