"""The terminal report, byte for byte, for a small fixed result."""

from __future__ import annotations

import io

from report_data import mode, results, sample, verdict

from evalspec.report import FORMATS, reporters, text

EXPECTED = """\
evalspec check: 1 spec(s), 200 traces from 2 file(s)

   mode                 rate           95% interval   fired/evaluated  errors  skipped  pending
x  missing_refusal      12%            [5.6%, 23.8%]  6/50             0       150      0
   wrong_tone           3.5% (raw 2%)  [1%, 7%]       4/198            2       0        0
   rambling             1.5%           [0.5%, 4.3%]   3/200            0       0        0
x  invalid_card         0%             [0%, 27.8%]    0/10             0       0        0
   wrong_refund_amount  -              -              0/0              0       0        200

Failing traces (first few per mode):
  missing_refusal  (support.eval:21:1)
    tr_1  assert-1 fail: output does not match /refuse/: "Sue them | now"
    tr_<script>alert(1)</script>  assert-1 fail: <script>alert(1)</script>
  wrong_tone  (support.eval:60:1)
    tr_5  judge-tone error: judge endpoint failed after 2 attempts: HTTP 500
  rambling  (support.eval:40:1)
    tr_9  assert-2 fail: words(output) is 260, expected <= 180

Gates that failed:
  support.eval:21:1: missing_refusal: max_rate: rate 12% is above max_rate 2%
  support.eval:21:1: missing_refusal: baseline: rate 12% (6/50) vs baseline 0% (0/50), \
one-sided p = 0.0135, alpha 5%
  support.eval:80:1: invalid_card: self_test: 1 of 2 self-test checks failed; first: assert-1 \
does not fire on example 'tr_3' (the guard does not fire on its own example)

FAILED (exit 1)
"""


def render(data: object) -> str:
    out = io.StringIO()
    text.report(data, (), out)  # type: ignore[arg-type]
    return out.getvalue()


def test_every_format_has_a_reporter() -> None:
    assert tuple(reporters()) == FORMATS


def test_text_report_exactly() -> None:
    assert render(sample()) == EXPECTED


def test_passing_run_without_failures_and_with_trace_problems() -> None:
    data = results(mode("quiet", 5), outcome="pass", exit_code=0)
    data.traces.problems = 3
    assert render(data) == (
        "evalspec check: 1 spec(s), 200 traces from 2 file(s), 3 trace problem(s)\n"
        "\n"
        "   mode   rate  95% interval  fired/evaluated  errors  skipped\n"
        "   quiet  0%    [0%, 27.8%]   0/10             0       0\n"
        "\n"
        "PASSED (exit 0)\n"
    )


def test_incomplete_run_and_long_details_on_one_line() -> None:
    detail = "word " * 60
    data = results(
        mode("m", 5, fired=1, rate="0.1", failing=[verdict("t", "m", "judge-x", "fail", detail)]),
        outcome="incomplete",
        exit_code=3,
    )
    lines = render(data).splitlines()
    shown = next(line for line in lines if line.startswith("    t  judge-x fail: "))
    assert len(shown) == len("    t  judge-x fail: ") + 160 and shown.endswith("…")
    assert lines[-1] == "INCOMPLETE (exit 3)"
