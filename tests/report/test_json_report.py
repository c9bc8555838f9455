"""The JSON document (under the published results schema) and the JSON-lines stream."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import jsonschema
import pytest
from report_data import gate, mode, results, sample, verdict

from evalspec._resources import schemas_dir
from evalspec.diagnostics import Span, error
from evalspec.report import json_report
from evalspec.run.results import Verdict, results_schema

VERDICTS = [
    verdict("tr_1", "missing_refusal", "assert-1", "fail", "no refusal"),
    verdict("tr_2", "missing_refusal", "assert-1", "pass", None),
    verdict("tr_3", "wrong_refund_amount", "human-1", "pending", None),
    verdict("tr_4", "wrong_tone", "judge-tone", "skip", None),
    verdict("tr_5", "wrong_tone", "judge-tone", "error", "judge endpoint failed"),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    published = json.loads((schemas_dir() / "evalspec-results.v1.schema.json").read_text())
    assert published == results_schema()
    return published  # type: ignore[no-any-return]


def once(items: list[Verdict]) -> Iterator[Verdict]:
    """The verdicts as the spool gives them: an iterator that can be read only once."""
    yield from items


def test_json_validates_and_holds_every_verdict(schema: dict[str, object]) -> None:
    data = sample()
    data.diagnostics = [
        error("ES701", "not valid JSON; skipped", "traces/a.jsonl", Span.point(3, 1))
    ]
    out = io.StringIO()
    json_report.report(data, once(VERDICTS), out)
    document = json.loads(out.getvalue())
    jsonschema.validate(document, schema)
    assert document["verdicts"] == [
        {"trace_id": "tr_1", "mode": "missing_refusal", "guard": "assert-1", "outcome": "fail",
         "detail": "no refusal"},
        {"trace_id": "tr_2", "mode": "missing_refusal", "guard": "assert-1", "outcome": "pass"},
        {"trace_id": "tr_3", "mode": "wrong_refund_amount", "guard": "human-1",
         "outcome": "pending"},
        {"trace_id": "tr_4", "mode": "wrong_tone", "guard": "judge-tone", "outcome": "skip"},
        {"trace_id": "tr_5", "mode": "wrong_tone", "guard": "judge-tone", "outcome": "error",
         "detail": "judge endpoint failed"},
    ]  # fmt: skip
    assert (document["outcome"], document["exit_code"], document["results_version"]) == (
        "fail",
        1,
        1,
    )
    assert [m["mode"] for m in document["modes"]] == [m.mode for m in data.modes]
    assert document["modes"][2]["judge"]["corrected_rate"] == "0.035"
    assert document["diagnostics"][0]["code"] == "ES701"


def test_json_with_no_verdicts_is_still_valid(schema: dict[str, object]) -> None:
    out = io.StringIO()
    json_report.report(results(), once([]), out)
    document = json.loads(out.getvalue())
    jsonschema.validate(document, schema)
    assert document["verdicts"] == [] and document["modes"] == []


def test_no_float_anywhere() -> None:
    out = io.StringIO()
    json_report.report(sample(), once(VERDICTS), out)

    def floats(value: object) -> list[float]:
        if isinstance(value, float):
            return [value]
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, list):
            return [f for v in value for f in floats(v)]
        return []

    assert floats(json.loads(out.getvalue())) == []


def test_ndjson_records() -> None:
    out = io.StringIO()
    data = results(
        mode("m", 5, traces=3, skipped=1, evaluated=2, fired=1, rate="0.5",
             gates=[gate("max_rate", False, "x")]),
    )  # fmt: skip
    json_report.report_lines(data, once(VERDICTS[:2]), out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records == [
        {"kind": "verdict", "trace_id": "tr_1", "mode": "missing_refusal", "guard": "assert-1",
         "outcome": "fail", "detail": "no refusal"},
        {"kind": "verdict", "trace_id": "tr_2", "mode": "missing_refusal", "guard": "assert-1",
         "outcome": "pass"},
        {"kind": "mode", "spec": "support.eval", "mode": "m", "traces": 3, "skipped": 1,
         "evaluated": 2, "fired": 1, "errors": 0, "pending": 0, "rate": "0.5",
         "gates": {"max_rate": False}},
        {"kind": "summary", "outcome": "fail", "exit_code": 1, "traces": 200},
    ]  # fmt: skip
    assert out.getvalue().endswith("}\n") and out.getvalue().count("\n") == 4
