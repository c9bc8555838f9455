"""Simple tables: default column names, explicit mappings, labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec.errors import UsageError

from .helpers import by_id, problems, read, write


def test_csv_with_default_column_names() -> None:
    traces, log = read("table/queries.csv")
    assert log.total == 0
    t = by_id(traces)["t-2"]
    assert (t.input, t.output) == ("Vegan dessert, no bananas", "Banana bread is a classic!")
    assert t.metadata == {
        "Open_Code_Notes": "ignores the no-bananas constraint",
        "persona": "vegan",
    }
    assert (t.source.format, t.source.line) == ("table", 3)


def test_jsonl_rows_keep_other_fields() -> None:
    traces, _ = read("table/qr.jsonl")
    assert [(t.id, t.input) for t in traces] == [
        ("q-1", "Best way to cook rice?"),
        ("q-2", "Is honey vegan?"),
    ]
    assert traces[1].metadata == {"difficulty": 2}


def test_a_column_mapping_with_labels() -> None:
    columns = {"output": "Bot_Response", "note": "Open_Code_Notes", "label": "persona"}
    traces, _ = read("table/queries.csv", columns=columns)
    assert traces[1].annotations[0].note == "ignores the no-bananas constraint"
    assert traces[0].annotations[0].label == "student"


def test_labels_give_verdicts(tmp_path: Path) -> None:
    write(tmp_path, "l.csv", "id,query,response,label\n1,q,a,PASS\n2,q,a,fail\n")
    traces, _ = read("l.csv", base=tmp_path, columns={"label": "label"})
    assert [t.annotations[0].verdict for t in traces] == ["pass", "fail"]


def test_a_mapped_column_that_is_missing(tmp_path: Path) -> None:
    write(tmp_path, "t.csv", "id,question,answer\n1,q,a\n")
    traces, log = read("t.csv", base=tmp_path, columns={"input": "prompt"})
    assert traces == [] and problems(log) == [("ES716", "t.csv", 1)]


def test_an_unknown_mapping_target(tmp_path: Path) -> None:
    write(tmp_path, "t.csv", "id,question,answer\n1,q,a\n")
    with pytest.raises(UsageError):
        read("t.csv", base=tmp_path, columns={"verdict": "answer"})


def test_rows_without_content_and_bad_values(tmp_path: Path) -> None:
    write(
        tmp_path,
        "t.jsonl",
        '{"id": 1, "other": 2}\n{"id": 2, "query": "q", "response": "r", "timestamp": "soon"}\n',
    )
    traces, log = read("t.jsonl", base=tmp_path, format="table")
    assert [t.id for t in traces] == ["2"]
    assert problems(log) == [("ES708", "t.jsonl", 1), ("ES709", "t.jsonl", 2)]
