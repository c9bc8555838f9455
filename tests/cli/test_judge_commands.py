"""``evalspec judge calibrate|compare|export`` against the fake judge server."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_server import FakeJudgeServer

from evalspec.judge.calibrate import split_items
from evalspec.run.baseline import read_lock

#: The ``evalspec`` fixture: runs a command, returns its code, stdout and stderr.
Evalspec = Callable[..., Any]
URL_ENV, KEY_ENV = "EVALSPEC_TEST_JUDGE_URL", "EVALSPEC_TEST_JUDGE_KEY"
PROMPT = "Is the reply rude? {{output}}"
SPEC = f"""\
suite j {{
  traces "traces/*.jsonl"
  judge {{
    model "fake-judge"
    base_url env("{URL_ENV}", "http://127.0.0.1:9/v1")
    api_key env("{KEY_ENV}")
    timeout 1s
    max_retries 1
    concurrency 4
    cache "judges/verdicts.jsonl"
  }}
}}

mode rude "Rude replies" {{
  judge tone {{
    prompt "{PROMPT}"
    labels "labels/tone.jsonl" split 20/40/40 seed 7
  }}
  assert not output icontains "idiot"
}}
"""
#: (id, human label, output). The fake judge says FAIL exactly when the output holds [[FAIL]]:
#: it agrees with the humans but on p6 (a false failure) and f6 (a missed failure).
LABELS = [
    *[(f"p{i}", "pass", f"Happy to help, #{i}.") for i in range(1, 6)],
    ("p6", "pass", "[[FAIL]] Sure thing."),
    *[(f"f{i}", "fail", f"[[FAIL]] Go away, #{i}.") for i in range(1, 5)],
    ("f5", "fail", "[[FAIL]] You idiot."),
    ("f6", "fail", "Whatever, idiot."),
]
TRACES = [
    {"id": "t1", "input": "q", "output": "[[FAIL]] Go away."},
    {"id": "t2", "input": "q", "output": "Happy to help."},
    {"id": "t3", "input": "q", "output": "Glad to help."},
    {"id": "t4", "input": "q", "output": "Sure, idiot."},
]


def judged(output: str) -> str:
    return "fail" if "[[FAIL]]" in output else "pass"


@pytest.fixture
def project(workdir: Path) -> Path:
    (workdir / "j.eval").write_text(SPEC, encoding="utf-8")
    labels = workdir / "labels" / "tone.jsonl"
    labels.parent.mkdir()
    labels.write_text(
        "".join(
            json.dumps({"trace_id": i, "label": label, "input": "q", "output": output}) + "\n"
            for i, label, output in LABELS
        ),
        encoding="utf-8",
    )
    (workdir / "traces").mkdir()
    (workdir / "traces" / "a.jsonl").write_text(
        "".join(json.dumps(t) + "\n" for t in TRACES), encoding="utf-8"
    )
    return workdir


@pytest.fixture
def served(
    project: Path, judge_server: FakeJudgeServer, monkeypatch: pytest.MonkeyPatch
) -> FakeJudgeServer:
    monkeypatch.setenv(URL_ENV, judge_server.base_url)
    return judge_server


def expected_confusion(items: list[tuple[str, str, str]]) -> tuple[int, int, int, int]:
    """(tp, fn, tn, fp) with human Pass positive."""
    tp = sum(1 for _, h, o in items if h == "pass" and judged(o) == "pass")
    fn = sum(1 for _, h, o in items if h == "pass" and judged(o) == "fail")
    tn = sum(1 for _, h, o in items if h == "fail" and judged(o) == "fail")
    fp = sum(1 for _, h, o in items if h == "fail" and judged(o) == "pass")
    return tp, fn, tn, fp


def test_calibrate_writes_tpr_tnr_and_counts_and_reruns_from_the_cache(
    project: Path, served: FakeJudgeServer, evalspec: Evalspec
) -> None:
    ran = evalspec("judge", "calibrate", "j.eval")
    assert ran.code == 0
    split = split_items(LABELS, (20, 40, 40), 7)
    assert (len(split.train), len(split.dev), len(split.test)) == (2, 5, 5)
    # Seed 7 puts p6 (the judge's false failure) in test and f6 (its miss) in train.
    assert expected_confusion(split.dev) == (2, 0, 3, 0)
    assert expected_confusion(split.test) == (3, 1, 1, 0)
    lines = ran.out.splitlines()
    assert lines[:3] == [
        "rude/tone",
        "  dev   TPR 1.000  TNR 1.000  (tp 2, fn 0, tn 3, fp 0)",
        "  test  TPR 0.750  TNR 1.000  (tp 3, fn 1, tn 1, fp 0)",
    ]
    assert lines[3:] == [
        "  warning: only 12 labels: aim for about 100 (at least 60)",
        "  warning: labels are unbalanced (6 pass, 6 fail): TNR or TPR is barely measurable; "
        "label more of the rarer class",
    ]
    entry = read_lock(project / "evalspec.lock").specs["j.eval"].judges["rude/tone"]
    assert (entry.tp, entry.fn, entry.tn, entry.fp) == (3, 1, 1, 0)
    assert (entry.tpr, entry.tnr, entry.dev_tpr, entry.dev_tnr) == ("0.75", "1", "1", "1")
    assert (entry.model, entry.labels, entry.split, entry.seed) == (
        "fake-judge",
        12,
        [20, 40, 40],
        7,
    )
    assert (entry.train, entry.dev, entry.test) == (2, 5, 5)
    assert entry.prompt_sha256 == hashlib.sha256(PROMPT.encode()).hexdigest()
    labels_bytes = (project / "labels" / "tone.jsonl").read_bytes()
    assert entry.labels_sha256 == hashlib.sha256(labels_bytes).hexdigest()
    assert entry.calibrated == dt.date.today().isoformat()
    assert served.total_requests == 10  # dev and test, never train
    lock_text = (project / "evalspec.lock").read_text(encoding="utf-8")
    again = evalspec("judge", "calibrate", "j.eval")
    assert (again.code, again.out) == (0, ran.out)
    assert served.total_requests == 10  # every verdict came from the cache
    assert (project / "evalspec.lock").read_text(encoding="utf-8") == lock_text


def test_calibrate_with_the_endpoint_down_records_nothing(
    project: Path, evalspec: Evalspec, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, closed_url)
    ran = evalspec("judge", "calibrate", "j.eval")
    assert ran.code == 3
    assert ran.out.splitlines()[-1] == "  10 verdict(s) missing: not recorded"
    assert read_lock(project / "evalspec.lock").specs["j.eval"].judges == {}


def test_compare_prints_coverage_ffr_and_alignment_per_guard(
    project: Path, served: FakeJudgeServer, evalspec: Evalspec
) -> None:
    # The judge's train items (f2, f6: shown to it as examples) are left out, so every guard is
    # compared on the 10 others. judge: tp 5, fn 1 (p6), tn 4, fp 0. assert (flags "idiot"):
    # tp 6, tn 1 (f5), fp 3. Together (a trace fails if either fails): tp 5, fn 1, tn 4, fp 0.
    assert [i for i, _, _ in split_items(LABELS, (20, 40, 40), 7).train] == ["f2", "f6"]
    ran = evalspec("judge", "compare", "rude", "j.eval")
    assert ran.code == 0
    assert ran.out == (
        "guard         kind     coverage    FFR  alignment    TPR    TNR     n  errors\n"
        "judge-tone    judge       1.000  0.167      0.909  0.833  1.000    10       0\n"
        "assert-1      assert      0.250  0.000      0.400  1.000  0.250    10       0\n"
        "all guards    set         1.000  0.167      0.909  0.833  1.000    10       0\n"
    )


def test_compare_with_the_endpoint_down_shows_no_vacuous_figures(
    project: Path, evalspec: Evalspec, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A judge that never answered used to get coverage 1, FFR 0 and alignment 1, with exit 0.
    monkeypatch.setenv(URL_ENV, closed_url)
    ran = evalspec("judge", "compare", "rude", "j.eval")
    assert ran.code == 3
    assert ran.out.splitlines()[1] == (
        "judge-tone    judge         -      -          -      -      -       0      10"
    )
    assert ran.err.startswith(
        "judge-tone: 10 verdict(s) missing: judge endpoint failed after 2 attempts: "
        "connection error"
    )


def test_compare_reports_bad_label_lines(
    project: Path, served: FakeJudgeServer, evalspec: Evalspec
) -> None:
    with (project / "labels" / "tone.jsonl").open("a", encoding="utf-8") as labels:
        labels.write('{"trace_id": "x", "label": "perhaps"}\n')
    ran = evalspec("judge", "compare", "rude", "j.eval")
    assert ran.code == 0
    assert ran.err == (
        "labels/tone.jsonl:13:1: error[ES609]: invalid label: unknown label 'perhaps'; "
        "use pass or fail\n"
    )


def test_calibrate_says_which_label_lines_it_skipped(
    project: Path, served: FakeJudgeServer, evalspec: Evalspec
) -> None:
    with (project / "labels" / "tone.jsonl").open("a", encoding="utf-8") as labels:
        labels.write('{"trace_id": "x", "label": "pass", "output": 42}\n')
    ran = evalspec("judge", "calibrate", "j.eval")
    assert ran.code == 0
    assert (
        "  warning: labels/tone.jsonl:13: invalid label: its trace is not a valid trace record: "
        "Expected `str | null`, got `int` - at `$.output`; skipped"
    ) in ran.out.splitlines()


def test_compare_an_unknown_mode(project: Path, evalspec: Evalspec) -> None:
    ran = evalspec("judge", "compare", "polite", "j.eval")
    assert ran.code == 2
    assert "no mode named 'polite'" in ran.err


def test_a_folder_of_several_specs_is_refused(project: Path, evalspec: Evalspec) -> None:
    shutil.copy(project / "j.eval", project / "k.eval")
    ran = evalspec("judge", "calibrate", ".")
    assert ran.code == 2
    assert "name one spec, not a folder of 2" in ran.err


def test_export_then_check_replays_with_no_server_and_no_key(
    project: Path, evalspec: Evalspec, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeJudgeServer() as server:
        monkeypatch.setenv(URL_ENV, server.base_url)
        monkeypatch.setenv(KEY_ENV, "sk-only-for-the-first-run")
        live = evalspec("check", "j.eval")
        assert live.code == 0
        assert server.total_requests == 4
    exported = evalspec("judge", "export", "j.eval")
    replay = project / "judges" / "verdicts.jsonl"
    assert (exported.code, exported.err) == (0, f"wrote 4 verdicts to {replay.as_posix()}\n")
    rows = [json.loads(line) for line in replay.read_text(encoding="utf-8").splitlines()]
    assert [list(row) for row in rows] == [["key", "model", "result", "critique", "created"]] * 4
    assert [row["key"] for row in rows] == sorted(row["key"] for row in rows)
    assert sorted(row["result"] for row in rows) == ["fail", "pass", "pass", "pass"]
    assert "sk-only" not in replay.read_text(encoding="utf-8")
    # CI: a fresh checkout (no local cache), no key, and the endpoint gone.
    shutil.rmtree(project / ".evalspec")
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv(URL_ENV, closed_url)
    replayed = evalspec("check", "j.eval")
    assert (replayed.code, replayed.out, replayed.err) == (0, live.out, "")
    offline = evalspec("check", "j.eval", "--offline")
    assert offline.code == 0


def test_export_needs_a_target(project: Path, evalspec: Evalspec) -> None:
    (project / "j.eval").write_text(
        SPEC.replace('    cache "judges/verdicts.jsonl"\n', ""), "utf-8"
    )
    ran = evalspec("judge", "export", "j.eval")
    assert ran.code == 2
    assert "no output: pass -o FILE or set `cache` in the suite's judge block" in ran.err
    assert evalspec("judge", "export", "j.eval", "-o", "out.jsonl").code == 0
    assert (project / "out.jsonl").read_text(encoding="utf-8") == ""
