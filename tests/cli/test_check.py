"""``evalspec check``: exit codes 0/1/2/3, the messages behind them, options and every format."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalspec.report import FORMATS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: The ``evalspec`` fixture: runs a command, returns its code, stdout and stderr.
Evalspec = Callable[..., Any]
URL_ENV, KEY_ENV = "EVALSPEC_TEST_JUDGE_URL", "EVALSPEC_TEST_JUDGE_KEY"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "support"

SPEC = """\
suite s "Small" {
  traces "traces/*.jsonl"
  examples "reviewed/*.jsonl"
}

mode short "Answers are too long" {
  example "t3"
  counter "t1"
  max_rate 50%
  assert len(output) <= 12
}

mode polite {
  when input contains "?"
  assert output icontains "please"
}
"""
TRACES = [
    {"id": "t1", "input": "hi?", "output": "ok, please"},
    {"id": "t2", "input": "yo", "output": "fine"},
    {"id": "t3", "input": "x?", "output": "far too long, please"},
    {"id": "t4", "input": "why?", "output": "no"},
]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def answers(count: int, long: int) -> list[dict[str, Any]]:
    """``count`` traces of which the first ``long`` are too long for mode ``short``."""
    return [
        {"id": f"a{i:03}", "input": "q", "output": "far too long" * 2 if i < long else "fine"}
        for i in range(count)
    ]


@pytest.fixture
def small(workdir: Path) -> Path:
    (workdir / "s.eval").write_text(SPEC, encoding="utf-8")
    write_jsonl(workdir / "traces" / "a.jsonl", TRACES)
    write_jsonl(workdir / "reviewed" / "r.jsonl", TRACES)  # where example ids are looked up
    return workdir


def test_all_gates_pass(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "s.eval")
    assert (ran.code, ran.err) == (0, "")
    assert ran.out == (
        "evalspec check: 1 spec(s), 4 traces from 1 file(s)\n"
        "\n"
        "   mode    rate   95% interval   fired/evaluated  errors  skipped\n"
        "   polite  33.3%  [6.1%, 79.2%]  1/3              0       1\n"
        "   short   25%    [4.6%, 69.9%]  1/4              0       0\n"
        "\n"
        "Failing traces (first few per mode):\n"
        "  polite  (s.eval:13:1)\n"
        '    t4  assert-1 fail: output does not icontain "please": "no"\n'
        "  short  (s.eval:6:1)\n"
        "    t3  assert-1 fail: len(output) is 20, expected <= 12\n"
        "\n"
        "PASSED (exit 0)\n"
    )


def test_the_project_folder_is_the_default_path(small: Path, evalspec: Evalspec) -> None:
    assert evalspec("check").code == 0


def test_max_rate_gate_fails(small: Path, evalspec: Evalspec) -> None:
    write_jsonl(small / "candidate" / "b.jsonl", [*TRACES[:2], *answers(3, 3)])
    ran = evalspec("check", "s.eval", "--traces", "candidate/*.jsonl")
    assert ran.code == 1
    assert "x  short   60%" in ran.out
    assert ran.out.endswith(
        "Gates that failed:\n"
        "  s.eval:6:1: short: max_rate: rate 60% is above max_rate 50%\n"
        "\n"
        "FAILED (exit 1)\n"
    )


def test_baseline_regression_names_both_rates_and_the_p_value(
    small: Path, evalspec: Evalspec
) -> None:
    write_jsonl(small / "traces" / "a.jsonl", answers(100, 2))
    assert evalspec("baseline", "s.eval").code == 0
    write_jsonl(small / "candidate" / "b.jsonl", answers(100, 3))
    quiet = evalspec("check", "s.eval", "--traces", "candidate/*.jsonl")
    assert quiet.code == 0  # 3 after 2 in 100: not significant, the gate does not flap
    write_jsonl(small / "candidate" / "b.jsonl", answers(100, 12))
    ran = evalspec("check", "s.eval", "--traces", "candidate/*.jsonl")
    assert ran.code == 1
    assert (
        "  s.eval:6:1: short: baseline: rate 12% (12/100) vs baseline 2% (2/100), "
        "one-sided p = 0.00505, alpha 5%\n"
    ) in ran.out
    assert "FAILED (exit 1)" in ran.out
    unlocked = evalspec("check", "s.eval", "--traces", "candidate/*.jsonl", "--no-baseline")
    assert unlocked.code == 0


def test_baseline_from_another_lock_file(small: Path, evalspec: Evalspec) -> None:
    write_jsonl(small / "traces" / "a.jsonl", answers(100, 12))
    (small / "old.lock").write_text(
        'version = 1\n[specs."s.eval".modes.short]\nevaluated = 100\nfired = 2\nrate = "0.02"\n',
        encoding="utf-8",
    )
    assert evalspec("check", "s.eval").code == 0  # no evalspec.lock at the root
    ran = evalspec("check", "s.eval", "--baseline", "old.lock", "--format", "json")
    assert ran.code == 1
    gate = next(
        g for m in json.loads(ran.out)["modes"] for g in m["gates"] if g["gate"] == "baseline"
    )
    assert (gate["passed"], gate["p_value"], gate["baseline_rate"], gate["baseline_n"]) == (
        False,
        "0.005047",
        "0.02",
        100,
    )


def test_self_test_failure(small: Path, evalspec: Evalspec) -> None:
    (small / "s.eval").write_text(SPEC.replace('example "t3"', 'example "t3", "t2"'), "utf-8")
    ran = evalspec("check", "s.eval")
    assert ran.code == 1
    assert (
        "  s.eval:6:1: short: self_test: 1 of 3 self-test checks failed; first: assert-1 does not "
        "fire on example 't2' (the guard does not fire on its own example)\n"
    ) in ran.out


def test_self_test_names_an_example_that_is_not_found(small: Path, evalspec: Evalspec) -> None:
    (small / "s.eval").write_text(SPEC.replace('example "t3"', 'example "t9"'), "utf-8")
    ran = evalspec("check", "s.eval")
    assert ran.code == 1
    assert (
        "short: self_test: 1 of 2 self-test checks failed; first: example 't9' "
        "(trace 't9' is not among the suite's traces)\n"
    ) in ran.out


def test_invalid_spec_is_rendered(small: Path, evalspec: Evalspec) -> None:
    (small / "s.eval").write_text("mode m {\n  assert output matchs /x/\n}\n", "utf-8")
    ran = evalspec("check", "s.eval")
    assert (ran.code, ran.out) == (2, "")
    assert ran.err.startswith(
        "s.eval:2:17: error[ES021]: unknown predicate 'matchs'\n"
        " 2 |   assert output matchs /x/\n"
        "   |                 ^^^^^^ did you mean 'matches'?\n"
    )


def test_unknown_trace_format(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "s.eval", "--trace-format", "xyz")
    assert ran.code == 2
    assert "error[ES710]: unknown trace format 'xyz'" in ran.err


def test_traces_that_match_no_file(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "s.eval", "--traces", "nowhere/*.jsonl")
    assert ran.code == 2
    assert "nowhere/*.jsonl: error[ES714]: no trace files match 'nowhere/*.jsonl'" in ran.err


def test_no_trace_source(small: Path, evalspec: Evalspec) -> None:
    (small / "s.eval").write_text("mode m {\n  assert output is json\n}\n", "utf-8")
    ran = evalspec("check", "s.eval")
    assert ran.code == 2
    assert ran.err.startswith(
        "s.eval: error[ES602]: s.eval: no trace source; name one with --traces or `traces` "
        "in the suite"
    )


def test_missing_lock_given_with_baseline(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "s.eval", "--baseline", "nope.lock")
    assert ran.code == 2
    assert "Invalid value for --baseline: no such lock file: nope.lock" in ran.err


def test_invalid_lock(small: Path, evalspec: Evalspec) -> None:
    (small / "evalspec.lock").write_text("version = 7\n", encoding="utf-8")
    ran = evalspec("check", "s.eval")
    assert ran.code == 2
    assert "error[ES601]: lock file version 7 is not supported (expected 1)" in ran.err


def test_code_guards_need_allow_exec(small: Path, evalspec: Evalspec) -> None:
    (small / "x.eval").write_text(
        'suite x {\n  traces "traces/*.jsonl"\n}\n\nmode ext {\n  assert run "cat"\n}\n\n'
        'mode py {\n  assert python "json:loads"\n}\n',
        encoding="utf-8",
    )
    ran = evalspec("check", "x.eval")
    assert ran.code == 2
    assert ran.err.startswith(
        'x.eval:6:10: error[ES604]: ext/assert-1: run "cat" runs code; pass --allow-exec to '
        "allow it\n"
        ' 6 |   assert run "cat"\n'
    )
    assert (
        'x.eval:10:10: error[ES604]: py/assert-1: python "json:loads" runs code; pass '
        "--allow-exec to allow it\n"
    ) in ran.err


def test_strict_names_the_malformed_line(small: Path, evalspec: Evalspec) -> None:
    (small / "traces" / "b.jsonl").write_text(
        '{"id": "b1", "output": "ok"}\r\n\r\n{"id": "b2", "output": \r\n', encoding="utf-8"
    )
    lenient = evalspec("check", "s.eval")
    assert lenient.code == 0
    assert "5 traces from 2 file(s), 1 trace problem(s)" in lenient.out
    assert lenient.err.startswith("traces/b.jsonl:3:")  # the problem is said, not only counted
    ran = evalspec("check", "s.eval", "--strict")
    assert (ran.code, ran.out) == (2, "")
    assert ran.err.startswith("traces/b.jsonl:3:")
    assert "error[ES701]: not valid JSON" in ran.err.splitlines()[0]


def test_many_trace_problems_are_listed_then_counted(small: Path, evalspec: Evalspec) -> None:
    good = '{"id": "b0", "output": "ok"}\n'
    (small / "traces" / "b.jsonl").write_text(good + "{broken\n" * 12, encoding="utf-8")
    ran = evalspec("check", "s.eval")
    assert ran.code == 0
    lines = ran.err.splitlines()
    assert len(lines) == 11
    for number, line in enumerate(lines[:10], 2):
        assert line.startswith(f"traces/b.jsonl:{number}:2: error[ES701]: not valid JSON")
    assert lines[10] == "... and 2 more (--format json lists them all)"


def test_unknown_mode(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "s.eval", "--mode", "shrt")
    assert ran.code == 2
    assert (
        ran.err == "<command line>: error[ES608]: no mode named 'shrt'; did you mean 'short'?\n\n"
    )


def test_mode_option_checks_only_those_modes(small: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "s.eval", "--mode", "polite", "--format", "json")
    assert ran.code == 0
    assert [m["mode"] for m in json.loads(ran.out)["modes"]] == ["polite"]


def test_traces_option_replaces_the_suite_source(small: Path, evalspec: Evalspec) -> None:
    write_jsonl(small / "other.jsonl", TRACES[:2])
    ran = evalspec("check", "s.eval", "--traces", "other.jsonl", "--format", "json")
    document = json.loads(ran.out)
    assert (document["traces"]["count"], document["traces"]["sources"]) == (2, ["other.jsonl"])


@pytest.mark.parametrize("pack", [bytes, gzip.compress], ids=["plain", "gzip"])
def test_traces_from_standard_input_are_read_once(
    small: Path, evalspec: Evalspec, pack: Callable[[bytes], bytes]
) -> None:
    lines = "".join(json.dumps(r) + "\n" for r in TRACES).encode()
    ran = evalspec("check", "s.eval", "--traces", "-", "--format", "json", stdin=pack(lines))
    document = json.loads(ran.out)
    assert (document["traces"]["count"], document["traces"]["sources"]) == (4, ["-"])
    assert [m["fired"] for m in document["modes"]] == [1, 1]


def test_a_closed_output_pipe_exits_141_quietly(small: Path) -> None:
    """``evalspec check | head``: the reader went away; not a bug, and never exit 0."""
    reader, writer = os.pipe()
    os.close(reader)  # every write now fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "evalspec", "check", "s.eval"],
            cwd=small, stdout=writer, stderr=subprocess.PIPE, check=False,
        )  # fmt: skip
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (141, b"")


CHECKS: dict[str, Callable[[str], object]] = {
    "text": lambda text: text.endswith("PASSED (exit 0)\n"),
    "json": lambda text: json.loads(text)["outcome"] == "pass",
    "ndjson": lambda text: json.loads(text.splitlines()[-1])["kind"] == "summary",
    "junit": lambda text: ET.fromstring(text).get("tests") == "3",
    "github": lambda text: text == "evalspec: pass (exit 0)\n",
    "markdown": lambda text: text.startswith("### evalspec check passed (exit 0)\n"),
    "html": lambda text: text.startswith("<!DOCTYPE html>"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_to_a_file(small: Path, evalspec: Evalspec, fmt: str) -> None:
    ran = evalspec("check", "s.eval", "--format", fmt, "--output", f"report.{fmt}")
    assert (ran.code, ran.out) == (0, "")
    assert CHECKS[fmt]((small / f"report.{fmt}").read_text(encoding="utf-8"))


def test_json_verdicts_cover_every_trace_mode_and_guard(small: Path, evalspec: Evalspec) -> None:
    document = json.loads(evalspec("check", "s.eval", "--format", "json").out)
    # trace by trace; within a trace, modes in spec order
    assert [(v["trace_id"], v["mode"], v["outcome"]) for v in document["verdicts"]] == [
        ("t1", "short", "pass"), ("t1", "polite", "pass"), ("t2", "short", "pass"),
        ("t2", "polite", "skip"), ("t3", "short", "fail"), ("t3", "polite", "pass"),
        ("t4", "short", "pass"), ("t4", "polite", "fail"),
    ]  # fmt: skip


def test_more_jobs_same_results(small: Path, evalspec: Evalspec) -> None:
    write_jsonl(small / "traces" / "b.jsonl", answers(300, 40))
    one = json.loads(evalspec("check", "s.eval", "--format", "json", "-j", "1").out)
    two = json.loads(evalspec("check", "s.eval", "--format", "json", "-j", "2").out)
    for document in (one, two):
        document["verdicts"].sort(key=lambda v: (v["trace_id"], v["mode"], v["guard"]))
    assert one == two
    assert one["traces"]["count"] == 304
    text = [evalspec("check", "s.eval", "-j", jobs).out for jobs in ("1", "2")]
    assert text[0] == text[1]


JUDGE_SPEC = f"""\
suite j {{
  traces "traces/*.jsonl"
  judge {{
    model "fake-judge"
    base_url env("{URL_ENV}", "http://127.0.0.1:9/v1")
    api_key env("{KEY_ENV}")
    timeout 1s
    max_retries 1
    concurrency 4
  }}
}}

mode rude {{
  judge tone {{
    prompt "Is the reply rude? {{{{output}}}}"
  }}
}}
"""


@pytest.fixture
def judged(workdir: Path) -> Path:
    (workdir / "j.eval").write_text(JUDGE_SPEC, encoding="utf-8")
    write_jsonl(
        workdir / "traces" / "a.jsonl",
        [{"id": "t1", "output": "[[FAIL]] Go away."}, {"id": "t2", "output": "Happy to help."}],
    )
    return workdir


def test_judge_endpoint_down_after_retries_exits_3(
    judged: Path, evalspec: Evalspec, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, closed_url)
    ran = evalspec("check", "j.eval")
    assert ran.code == 3
    assert ran.out.endswith("INCOMPLETE (exit 3)\n")
    assert "t1  judge-tone error: judge endpoint failed after 2 attempts: connection error" in (
        ran.out
    )
    assert ran.err.startswith(
        "j.eval:14:3: error[ES605]: 2 verdict(s) of judge 'tone' (mode 'rude') are missing: judge "
        "endpoint failed after 2 attempts: connection error"
    )


def test_offline_with_verdicts_missing_exits_3(judged: Path, evalspec: Evalspec) -> None:
    ran = evalspec("check", "j.eval", "--offline")
    assert ran.code == 3
    assert "t1  judge-tone error: not in cache (offline)" in ran.out
    assert "are missing: not in cache (offline)" in ran.err


def test_judge_verdicts_then_offline_from_the_cache(
    judged: Path, evalspec: Evalspec, judge_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, judge_server.base_url)
    first = evalspec("check", "j.eval")
    assert first.code == 0
    assert "t1  judge-tone fail: The fake judge found the failure marker." in first.out
    assert judge_server.total_requests == 2
    again = evalspec("check", "j.eval", "--offline")
    assert (again.code, again.out) == (0, first.out)
    assert judge_server.total_requests == 2


def test_bundled_example_passes_from_replayed_verdicts(
    evalspec: Evalspec, tmp_path: Path, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLE)
    monkeypatch.setenv("EVALSPEC_JUDGE_URL", closed_url)  # any call would fail: none is made
    ran = evalspec("check", "support.eval", "--judge-cache", str(tmp_path / "cache.sqlite"))
    assert (ran.code, ran.err) == (0, "")
    lines = ran.out.splitlines()
    assert lines[0] == "evalspec check: 1 spec(s), 400 traces from 1 file(s)"
    assert lines[-1] == "PASSED (exit 0)"
    assert "    tr_1086  judge-tone fail: The reply talks down to the customer." in lines


def test_bundled_example_candidate_traces_regress(
    evalspec: Evalspec, tmp_path: Path, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLE)
    monkeypatch.setenv("EVALSPEC_JUDGE_URL", closed_url)
    ran = evalspec(
        "check", "support.eval", "--traces", "traces-candidate/*.jsonl",
        "--judge-cache", str(tmp_path / "cache.sqlite"),
    )  # fmt: skip
    assert ran.code == 1
    failed = ran.out.split("Gates that failed:\n")[1].splitlines()
    assert failed == [
        "  support.eval:21:1: missing_refusal: max_rate: rate 11.3% is above max_rate 2%",
        "  support.eval:21:1: missing_refusal: baseline: rate 11.3% (6/53) vs baseline 0% (0/50), "
        "one-sided p = 0.0161, alpha 5%",
        "  support.eval:74:1: rambling: baseline: rate 6% (24/400) vs baseline 0.8% (3/400), "
        "one-sided p = 1.87e-05, alpha 5%",
        "",
        "FAILED (exit 1)",
    ]
    marked = [line.split()[1] for line in ran.out.splitlines() if line.startswith("x  ")]
    assert marked == ["missing_refusal", "rambling"]


def test_example_lock_is_what_the_checks_compare_with() -> None:
    lock = tomllib.loads((EXAMPLE / "evalspec.lock").read_text(encoding="utf-8"))
    modes = lock["specs"]["support.eval"]["modes"]
    assert modes["missing_refusal"] == {"evaluated": 50, "fired": 0, "rate": "0"}
    assert modes["rambling"] == {"evaluated": 400, "fired": 3, "rate": "0.0075"}
