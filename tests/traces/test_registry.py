"""The importer table, format names and detection from content."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from evalspec.errors import TraceError, UsageError
from evalspec.traces import IMPORTERS, Importer, detect_format, resolve_format

from .helpers import FIXTURES, problems, read, write

NAMES = [
    "evalspec",
    "openai",
    "otel",
    "openinference",
    "langfuse",
    "langsmith",
    "braintrust",
    "inspect",
    "table",
]


def test_every_format_has_an_importer() -> None:
    assert list(IMPORTERS) == NAMES
    assert all(isinstance(imp, Importer) and imp.name == name for name, imp in IMPORTERS.items())


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("evalspec/traces.jsonl", "evalspec"),
        ("openai/chat.jsonl", "openai"),
        ("otel/genai.json", "otel"),
        ("otel/legacy.jsonl", "otel"),
        ("openinference/otlp.json", "openinference"),
        ("openinference/phoenix-spans.jsonl", "openinference"),
        ("langfuse/traces.json", "langfuse"),
        ("langfuse/observations.jsonl", "langfuse"),
        ("langsmith/runs.jsonl", "langsmith"),
        ("braintrust/logs.csv", "braintrust"),
        ("inspect/log.json", "inspect"),
        ("table/queries.csv", "table"),
        ("table/qr.jsonl", "table"),
    ],
)
def test_detection_from_content(fixture: str, expected: str, tmp_path: Path) -> None:
    assert detect_format(FIXTURES / fixture) == expected
    hidden = write(tmp_path, "renamed.gz", gzip.compress((FIXTURES / fixture).read_bytes()))
    assert detect_format(hidden) == expected


def test_unknown_format_names_suggest_a_close_one() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_format("otl")
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.path, diag.hint) == ("ES710", "--format", "did you mean 'otel'?")


def test_an_undetectable_file(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "just some notes\nabout nothing\n")
    with pytest.raises(TraceError) as caught:
        read("notes.txt", base=tmp_path)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("ES711", "notes.txt")]


def test_a_named_format_overrides_detection(tmp_path: Path) -> None:
    write(tmp_path, "x.jsonl", '{"id": "a", "query": "q", "response": "r"}\n')
    assert read("x.jsonl", base=tmp_path)[0][0].output == "r"  # detected: a table
    traces, log = read("x.jsonl", base=tmp_path, format="evalspec")
    assert traces[0].output is None  # unknown fields are ignored by the record
    assert problems(log) == [("ES705", "x.jsonl", 1)]
