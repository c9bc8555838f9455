"""Integration with real traces: the AI evals course's recipe chatbot data (GPL-3.0).

The data is never copied into the repository: these tests read the folder named by
``$EVALSPEC_RECIPE_DATA`` and skip when it is not set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evalspec.traces import detect_format

from .helpers import read

DATA = Path(os.environ.get("EVALSPEC_RECIPE_DATA", "")).resolve()
pytestmark = pytest.mark.skipif(
    not os.environ.get("EVALSPEC_RECIPE_DATA") or not DATA.is_dir(),
    reason="set EVALSPEC_RECIPE_DATA to the recipe chatbot data folder",
)


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("hw2-query_response.jsonl", "table", 250),
        ("hw3-labeled_traces.jsonl", "table", 101),
        ("hw5-raw_traces.jsonl", "openai", 96),
        ("hw5-labeled_traces.jsonl", "openai", 96),
        ("hw3-dietary_queries.csv", "table", 60),
    ],
)
def test_course_files_read_cleanly(name: str, fmt: str, count: int) -> None:
    assert detect_format(DATA / name) == fmt
    traces, log = read(name, base=DATA)
    assert len(traces) == count
    assert len({t.id for t in traces}) == count
    problems = set(log.counts)
    assert problems <= ({"ES705"} if name.endswith(".csv") else set()), log.summary()
    assert all(t.input for t in traces)


def test_agent_transcripts_keep_their_labels() -> None:
    traces, _ = read("hw5-labeled_traces.jsonl", base=DATA)
    assert all({"first_failure_state", "last_success_state"} <= set(t.metadata) for t in traces)
    assert all(t.messages[0].role == "user" and t.output for t in traces)


def test_labelled_traces_keep_their_columns() -> None:
    traces, _ = read(
        "hw3-labeled_traces.jsonl", base=DATA, columns={"label": "label", "critique": "reasoning"}
    )
    verdicts = [t.annotations[0].verdict for t in traces]
    assert set(verdicts) == {"pass", "fail"} and verdicts.count("fail") == 26
