"""The judge phase of ``check`` against the fake judge server: verdicts, caches, faults, humans.

A judge endpoint that is down, refuses the key or answers only some prompts must end the run as
incomplete (exit 3), never as a regression (exit 1) and never as a pass (exit 0).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from fake_server import FakeJudgeServer, scripted

from evalspec import ir
from evalspec.errors import UsageError
from evalspec.judge.cache import ReplayCache, VerdictCache
from evalspec.judge.calibrate import read_prompt, sha256_text
from evalspec.judge.client import JudgeClient
from evalspec.lang.load import compile_path
from evalspec.run.baseline import JudgeCalibration, Lock, SpecLock
from evalspec.run.check import CheckOptions, Spec, run_check
from evalspec.run.judging import LayeredStore, settings_for
from evalspec.run.results import ModeResult, Results

URL_ENV, KEY_ENV = "EVALSPEC_TEST_JUDGE_URL", "EVALSPEC_TEST_JUDGE_KEY"
WriteProject = Callable[..., Path]
SPEC = f"""suite j {{
  traces "traces/*.jsonl"
  labels "labels/suite.jsonl"
  judge {{
    model "fake-judge"
    base_url env("{URL_ENV}", "http://127.0.0.1:9/v1")
    api_key env("{KEY_ENV}")
    timeout 1s
    max_retries 1
    concurrency 4
  }}
}}

mode rude "Rude replies" {{
  max_rate 50%
  judge tone {{
    prompt "Is the reply rude? {{{{output}}}}"
  }}
}}

mode refund {{
  human "Check the amount against the refund table"
}}
"""
TRACES = [
    {"id": "t1", "input": "q1", "output": "[[FAIL]] Go away."},
    {"id": "t2", "input": "q2", "output": "Happy to help."},
    {"id": "t3", "input": "q3", "output": "Glad to help."},
    {"id": "t4", "input": "q4", "output": "[[FAIL]] Whatever."},
]
SUITE_LABELS = "\n".join(
    [
        json.dumps({"trace_id": "t1", "mode": "refund", "label": "fail", "note": "too much"}),
        json.dumps({"trace_id": "t2", "mode": "refund", "label": "pass"}),
        "not a label",
        json.dumps({"trace_id": "t3", "mode": "rude", "label": "fail"}),  # no human guard there
    ]
)


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry at once: the tests are about outcomes, not about how long a backoff lasts."""
    monkeypatch.setattr(JudgeClient, "_delay", lambda self, failures, retry_after: 0.0)


@pytest.fixture
def spec(write_project: WriteProject) -> Spec:
    root = write_project(SPEC, {"a.jsonl": TRACES}, {"labels/suite.jsonl": SUITE_LABELS})
    return Spec(compile_path(root / "s.eval", root=root), "s.eval", root)


def check(spec: Spec, **options: Any) -> Results:
    options.setdefault("judge_cache", spec.root / "cache.sqlite")
    return run_check([spec], CheckOptions(**options))[0]


def mode(results: Results, name: str) -> ModeResult:
    return next(m for m in results.modes if m.mode == name)


def serve(monkeypatch: pytest.MonkeyPatch, server: FakeJudgeServer) -> None:
    monkeypatch.setenv(URL_ENV, server.base_url)


def test_verdicts_come_from_the_judge_then_from_the_cache(
    spec: Spec, judge_server: FakeJudgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, judge_server)
    results = check(spec, record=True)
    assert (results.exit_code, results.outcome) == (0, "pass")
    rude = mode(results, "rude")
    assert (rude.evaluated, rude.fired, rude.errors, rude.rate) == (4, 2, 0, "0.5")
    assert [(v.trace_id, v.outcome, v.detail) for v in rude.failing] == [
        ("t1", "fail", "The fake judge found the failure marker."),
        ("t4", "fail", "The fake judge found the failure marker."),
    ]
    assert [g.message for g in rude.gates] == ["rate 50% is within max_rate 50%"]
    assert judge_server.total_requests == 4
    again = check(spec)
    assert judge_server.total_requests == 4  # every verdict came from the local cache
    assert mode(again, "rude").fired == 2


def test_human_guards_read_the_suite_labels(
    spec: Spec, judge_server: FakeJudgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, judge_server)
    results = check(spec)
    refund = mode(results, "refund")
    assert (refund.fired, refund.evaluated, refund.pending, refund.errors) == (1, 2, 2, 0)
    assert [(v.trace_id, v.outcome) for v in refund.failing] == [("t1", "fail")]
    # The bad line is reported (ES609), not dropped without a word; the uncalibrated judge of
    # another mode is noted too (ES607).
    assert [(d.code, d.path, d.span and d.span.line) for d in results.diagnostics] == [
        ("ES609", "labels/suite.jsonl", 3),
        ("ES607", "s.eval", 16),
    ]


def test_offline_with_verdicts_missing_is_incomplete(spec: Spec) -> None:
    results = check(spec, offline=True)
    assert (results.exit_code, results.outcome) == (3, "incomplete")
    rude = mode(results, "rude")
    assert (rude.evaluated, rude.errors) == (0, 4)
    assert rude.failing[0].detail == "not in cache (offline)"
    es605 = [d for d in results.diagnostics if d.code == "ES605"]
    assert [d.message for d in es605] == [
        "4 verdict(s) of judge 'tone' (mode 'rude') are missing: not in cache (offline); the "
        "evaluation is incomplete and the mode's rate is not gated"
    ]
    assert es605[0].span is not None and es605[0].span.line == 16  # `judge tone {`


def test_endpoint_down_after_retries_is_incomplete(
    spec: Spec, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, closed_url)
    results = check(spec)
    assert results.exit_code == 3
    detail = mode(results, "rude").failing[0].detail or ""
    assert detail.startswith("judge endpoint failed after 2 attempts: connection error")


def test_a_refused_api_key_is_incomplete_not_a_pass(
    spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HTTP 401 used to be counted as "judged": every verdict an error, and exit 0.
    with FakeJudgeServer(api_key="right") as server:
        serve(monkeypatch, server)
        monkeypatch.setenv(KEY_ENV, "wrong")
        results = check(spec)
    assert (results.exit_code, results.outcome) == (3, "incomplete")
    rude = mode(results, "rude")
    assert rude.errors == 4
    assert (rude.failing[0].detail or "").startswith(
        f"HTTP 401: the API key (${KEY_ENV}) was refused"
    )
    assert "wrong" not in json.dumps([v.detail for v in rude.failing])


def test_a_partly_answering_endpoint_is_incomplete_not_a_regression(
    spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the FAIL prompts get answers: the rate over what was judged is 100%, above the
    # 50% max_rate. That used to exit 1, a regression made up by a broken endpoint.
    with FakeJudgeServer(faults=scripted({"help": ["500", "500"]})) as server:
        serve(monkeypatch, server)
        results = check(spec)
    assert (results.exit_code, results.outcome) == (3, "incomplete")
    rude = mode(results, "rude")
    assert (rude.fired, rude.evaluated, rude.errors, rude.rate) == (2, 2, 2, "1")
    (gate,) = rude.gates
    assert gate.passed
    assert gate.message == (
        "not applied: 2 judge verdict(s) missing (rate 100% is above max_rate 50%)"
    )
    (es605,) = [d for d in results.diagnostics if d.code == "ES605"]
    assert "judge endpoint failed after 2 attempts: HTTP 500" in es605.message


def test_missing_verdicts_are_reported_for_the_judge_that_lost_them(
    write_project: WriteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = '  judge second {\n    prompt "Second opinion: {{output}}"\n  }\n}\n\nmode refund {'
    root = write_project(
        SPEC.replace("  }\n}\n\nmode refund {", "  }\n" + second, 1),
        {"a.jsonl": TRACES},
        {"labels/suite.jsonl": SUITE_LABELS},
    )
    spec = Spec(compile_path(root / "s.eval", root=root), "s.eval", root)
    with FakeJudgeServer(faults=scripted({"Second opinion": ["500", "500"]})) as server:
        serve(monkeypatch, server)
        results = check(spec)
    assert results.exit_code == 3
    es605 = [d.message for d in results.diagnostics if d.code == "ES605"]
    assert es605 == [
        "4 verdict(s) of judge 'second' (mode 'rude') are missing: judge endpoint failed after "
        "2 attempts: HTTP 500; the evaluation is incomplete and the mode's rate is not gated"
    ]
    assert mode(results, "rude").errors == 2  # t2, t3: the first judge passed, the second erred


def test_a_real_regression_still_fails_while_a_judge_is_down(
    write_project: WriteProject,
) -> None:
    root = write_project(
        SPEC + "\nmode short {\n  max_rate 10%\n  assert len(output) <= 14\n}\n",
        {"a.jsonl": TRACES},
        {"labels/suite.jsonl": SUITE_LABELS},
    )
    spec = Spec(compile_path(root / "s.eval", root=root), "s.eval", root)
    results = check(spec, offline=True)
    assert (results.exit_code, results.outcome) == (1, "fail")
    assert [g.message for g in mode(results, "short").gates] == ["rate 50% is above max_rate 10%"]


def test_an_unparseable_answer_is_an_error_verdict(
    spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeJudgeServer(faults=scripted({"Glad": ["unparseable"]})) as server:
        serve(monkeypatch, server)
        results = check(spec, record=True)
    rude = mode(results, "rude")
    assert (rude.fired, rude.evaluated, rude.errors) == (2, 3, 1)
    error = next(v for v in rude.failing if v.outcome == "error")
    assert error.trace_id == "t3"
    assert (error.detail or "").startswith("unparseable answer: ")


def test_the_calibrated_corrected_rate_is_what_is_gated(
    spec: Spec, judge_server: FakeJudgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, judge_server)
    guard = next(g for m in spec.doc.modes for g in m.guards if isinstance(g, ir.JudgeGuard))
    prompt_sha256 = sha256_text(read_prompt(spec.root, guard))
    calibration = JudgeCalibration(
        model="fake-judge", prompt_sha256=prompt_sha256, labels_sha256="", labels=20,
        split=[0, 0, 100],
        seed=42, train=0, dev=0, test=20, dev_tpr="", dev_tnr="", tpr="0.9", tnr="0.8",
        tp=9, fn=1, tn=8, fp=2, calibrated="2026-11-20",
    )  # fmt: skip
    lock = Lock(specs={"s.eval": SpecLock(judges={"rude/tone": calibration})})
    results = check(spec, lock=lock)
    judge = mode(results, "rude").judge
    assert judge is not None
    # Rogan-Gladen: pass rate (0.5 + 0.8 - 1) / (0.9 + 0.8 - 1) = 3/7; the mode's rate is 4/7.
    assert (judge.guard, judge.raw_rate, judge.corrected_rate) == ("judge-tone", "0.5", "0.571429")
    assert (judge.tpr, judge.tnr) == ("0.9", "0.8")
    low, high = (float(x) for x in judge.interval)
    assert 0 <= low <= 4 / 7 <= high <= 1
    # 50% raw would pass the 50% max_rate; the corrected 57.1% does not.
    assert [g.message for g in mode(results, "rude").gates] == ["rate 57.1% is above max_rate 50%"]
    assert results.exit_code == 1
    stale = msgspec.structs.replace(calibration, prompt_sha256="0" * 64)
    results = check(spec, lock=Lock(specs={"s.eval": SpecLock(judges={"rude/tone": stale})}))
    assert mode(results, "rude").judge is None  # a stale calibration corrects nothing
    warnings = [d for d in results.diagnostics if d.code == "ES607"]
    assert [d.message for d in warnings] == [
        "judge 'tone': rate not corrected: its prompt changed since it was calibrated"
    ]


def test_layered_store_replays_first_and_stores_locally(tmp_path: Path) -> None:
    with VerdictCache(tmp_path / "source.sqlite") as source:
        source.put("k1", "m", "fail", "replayed", created="2026-11-20T10:00:00Z")
        source.export_jsonl(tmp_path / "replay.jsonl")
    with VerdictCache(tmp_path / "local.sqlite") as local:
        local.put("k1", "m", "pass", "local")
        store = LayeredStore(ReplayCache(tmp_path / "replay.jsonl"), local)
        hit = store.get("k1")
        assert hit is not None and (hit.result, hit.critique) == ("fail", "replayed")
        assert store.get("k2") is None
        store.put("k2", "m", "pass", "new")
        assert local.get("k2") is not None


def test_settings_come_from_the_suite_judge_block(
    spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, "http://judge.test/v1")
    monkeypatch.setenv(KEY_ENV, "sk-test")
    guard = spec.doc.modes[0].guards[0]
    assert isinstance(guard, ir.JudgeGuard)
    settings = settings_for(spec.doc.suite, guard, offline=True)
    assert (settings.model, settings.base_url, settings.api_key_env) == (
        "fake-judge",
        "http://judge.test/v1",
        KEY_ENV,
    )
    assert (settings.timeout, settings.max_retries, settings.concurrency) == (1.0, 1, 4)
    assert settings.offline and settings.api_key is not None
    assert settings.api_key.reveal() == "sk-test"
    with pytest.raises(UsageError, match="judge 'tone' has no model"):
        settings_for(None, guard, offline=False)
