"""Human labels files: spellings, embedded traces, bad lines (ES609) and who wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec.run.labels import Label, human_outcomes, normalise, read_labels


def labels_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pass", "pass"), ("PASS", "pass"), (" Passed ", "pass"), ("1", "pass"), (1, "pass"),
        (True, "pass"), ("ok", "pass"), ("fail", "fail"), ("FAIL", "fail"), ("0", "fail"),
        (0, "fail"), (False, "fail"), ("bad", "fail"), (None, None), ("", None),
        ("defer", None), ("unsure", None), ("null", None),
    ],
)  # fmt: skip
def test_spellings(value: object, expected: str | None) -> None:
    assert normalise(value) == expected


def test_unknown_spelling_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown label 'maybe'; use pass or fail"):
        normalise("maybe")


def test_read_labels(tmp_path: Path) -> None:
    path = labels_file(
        tmp_path,
        '{"trace_id": "a", "label": "FAIL", "mode": "m", "note": "rude", "annotator": "kim"}',
        "",
        '{"id": "b", "verdict": true}',
        '{"trace_id": "c", "label": "pass", "input": "q", "output": "ok", "extra": 1}',
        '{"trace_id": "d", "label": null, "trace": {"output": "x", "metadata": {"k": "v"}}}',
    )
    labels, problems = read_labels(path, "labels.jsonl")
    assert problems == []
    assert labels == [
        Label(trace_id="a", label="fail", mode="m", note="rude", annotator="kim"),
        Label(trace_id="b", label="pass"),
        Label(trace_id="c", label="pass", record={"id": "c", "input": "q", "output": "ok"}),
        Label(trace_id="d", label=None, record={"id": "d", "output": "x", "metadata": {"k": "v"}}),
    ]


def test_bad_lines_are_reported_with_their_line_and_skipped(tmp_path: Path) -> None:
    path = labels_file(
        tmp_path,
        '{"trace_id": "a", "label": "fail"}',
        "not json",
        "",
        '["a list"]',
        '{"label": "fail"}',
        '{"trace_id": "e", "label": "maybe"}',
        '{"trace_id": "f", "label": "pass", "output": 123}',
        '{"trace_id": "g", "label": "pass"}',
    )
    labels, problems = read_labels(path, "shown/labels.jsonl")
    assert [lab.trace_id for lab in labels] == ["a", "g"]
    assert [(d.code, d.path, d.span.line if d.span else 0) for d in problems] == [
        ("ES609", "shown/labels.jsonl", 2),
        ("ES609", "shown/labels.jsonl", 4),
        ("ES609", "shown/labels.jsonl", 5),
        ("ES609", "shown/labels.jsonl", 6),
        ("ES609", "shown/labels.jsonl", 7),
    ]
    assert problems[1].message == "invalid label: a label is an object with a trace_id"
    assert problems[3].message == "invalid label: unknown label 'maybe'; use pass or fail"
    # A label carrying an invalid trace used to crash `check` and `judge calibrate`.
    assert problems[4].message.startswith(
        "invalid label: its trace is not a valid trace record: Expected `str | null`, got `int`"
    )


def test_human_outcomes_later_lines_win_and_undecided_or_modeless_are_ignored() -> None:
    labels = [
        Label(trace_id="a", label="fail", mode="m"),
        Label(trace_id="a", label="pass", mode="m"),
        Label(trace_id="b", label="fail", mode="m"),
        Label(trace_id="d", label=None, mode="m"),
        Label(trace_id="c", label="fail"),
        Label(trace_id="a", label="fail", mode="other"),
    ]
    assert human_outcomes(labels) == {
        ("m", "a"): "pass",
        ("m", "b"): "fail",
        ("other", "a"): "fail",
    }
