"""``evalspec traces``: convert, show, sample, stats; exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from evalspec.cli import cli

from .helpers import FIXTURES, inside, write


def run(args: list[str], folder: Path = FIXTURES, stdin: str | None = None) -> Result:
    with inside(folder):
        return CliRunner().invoke(cli, ["traces", *args], input=stdin, catch_exceptions=False)


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_convert_to_stdout() -> None:
    result = run(["convert", "openai/chat.jsonl", "langfuse/traces.json"])
    assert result.exit_code == 0
    records = _jsonl(result.stdout)
    assert [r["id"] for r in records][:2] == ["lf-trace-1", "oa-1"]
    assert (
        "openai/chat.jsonl:4:1: warning[ES705]: trace 'chatcmpl-004' has no output" in result.stderr
    )
    assert "converted 8 traces" in result.stderr


def test_convert_to_a_file_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert run(["convert", "**/*.json*", "-o", str(out)]).exit_code == 0
    again = run(["convert", str(out), "--format", "evalspec"])
    assert _jsonl(again.stdout) == _jsonl(out.read_text())
    assert run(["stats", str(out), "--json"]).exit_code == 0


def test_unknown_format_exits_2_with_a_hint() -> None:
    result = run(["convert", "openai/chat.jsonl", "--format", "otl"])
    assert result.exit_code == 2
    assert "--format: error[ES710]: unknown trace format 'otl'" in result.stderr
    assert "did you mean 'otel'?" in result.stderr
    assert "Traceback" not in result.output


def test_strict_exits_2_and_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run(["convert", "openai/chat.jsonl", "--strict", "-o", str(out)])
    assert result.exit_code == 2
    assert "openai/chat.jsonl:4:1: error[ES705]" in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["convert", "missing.jsonl"], "error[ES714]: no such trace file: missing.jsonl"),
        (["stats", "nothing/*.csv"], "error[ES714]: no trace files match 'nothing/*.csv'"),
        (["stats", "notes.txt"], "notes.txt: error[ES711]: cannot tell the trace format"),
        (["convert", "table/qr.jsonl", "--column", "input"], "--column expects FIELD=COLUMN"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    write(tmp_path, "notes.txt", "plain words\n")
    result = run(args, folder=tmp_path)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_garbage_is_reported_but_does_not_fail(tmp_path: Path) -> None:
    write(tmp_path, "junk.jsonl", b'{"id": "ok", "output": "x"}\n\xff\xfe garbage\n{"id": 1,\n')
    result = run(["stats", "junk.jsonl", "--format", "evalspec"], folder=tmp_path)
    assert result.exit_code == 0
    assert "junk.jsonl:2:1: error[ES701]" in result.stderr and "junk.jsonl:3:" in result.stderr
    assert (
        run(["stats", "junk.jsonl", "--format", "evalspec", "--strict"], folder=tmp_path).exit_code
        == 2
    )


def test_show_renders_or_prints_json() -> None:
    result = run(["show", "oa-1", "openai/chat.jsonl"])
    assert (
        result.exit_code == 0
        and "[2] assistant" in result.stdout
        and "lookup_order" in result.stdout
    )
    record = json.loads(run(["show", "oa-1", "openai/chat.jsonl", "--json"]).stdout)
    assert record["tool_calls"][0]["result"] == '{"status": "shipped", "eta": "Friday"}'


def test_show_an_unknown_id_suggests() -> None:
    result = run(["show", "oa-11", "openai/chat.jsonl"])
    assert result.exit_code == 2
    assert "no trace with id 'oa-11' among 7 traces; did you mean 'oa-1'" in result.stderr


def test_show_reads_stdin() -> None:
    text = (FIXTURES / "evalspec/traces.jsonl").read_text()
    result = run(["show", "e-2"], stdin=text)
    assert result.exit_code == 0 and "Refund please" in result.stdout


def test_sample_is_deterministic(tmp_path: Path) -> None:
    lines = "".join(
        json.dumps({"id": f"t{i}", "output": "x", "metadata": {"p": i % 3}}) + "\n"
        for i in range(300)
    )
    write(tmp_path, "t.jsonl", lines)
    first = run(["sample", "t.jsonl", "-n", "12", "--seed", "4"], folder=tmp_path)
    second = run(["sample", "t.jsonl", "-n", "12", "--seed", "4"], folder=tmp_path)
    assert (
        first.exit_code == 0 and first.stdout == second.stdout and len(_jsonl(first.stdout)) == 12
    )
    strata = run(
        ["sample", "t.jsonl", "-n", "12", "--seed", "4", "--by", "metadata.p", "-o", "s.jsonl"],
        folder=tmp_path,
    )
    assert strata.exit_code == 0
    counts: dict[object, int] = {}
    for record in _jsonl((tmp_path / "s.jsonl").read_text()):
        counts[record["metadata"]["p"]] = counts.get(record["metadata"]["p"], 0) + 1  # type: ignore[index]
    assert counts == {0: 4, 1: 4, 2: 4}
    bad = run(["sample", "t.jsonl", "--by", "persona"], folder=tmp_path)
    assert bad.exit_code == 2 and "not a trace field" in bad.stderr


def test_stats_text_and_json() -> None:
    text = run(["stats", "otel/genai.json", "langsmith/runs.jsonl"])
    assert text.exit_code == 0 and "4 traces in 2 files (langsmith 2, otel 2)" in text.stdout
    data = json.loads(run(["stats", "otel/genai.json", "--json"]).stdout)
    assert data["problems"] == {"ES705": 1, "ES715": 1} and data["files"][0]["format"] == "otel"
