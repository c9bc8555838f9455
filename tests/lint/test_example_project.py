"""The bundled example project: what lint reports about it, and why each finding is real.

``examples/support`` guards most modes in code, every mode but one names example traces and
its self-test passes on each, and its tone judge is calibrated with labels and a prompt that
match the lock. What lint still reports is real: the refund mode, on the human rung, has no
example trace yet (ES301). Findings are keyed by mode, so that edits elsewhere in the file do
not break this test; a new finding, or one that goes away, does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import evalspec
from evalspec.lint import lint

SPEC = Path(__file__).parents[2] / "examples" / "support" / "support.eval"
EXPECTED = {("ES301", "wrong_refund_amount")}
#: Every mode with a `seen ... on 2026-11-20` count.
COUNTED = (
    "missing_refusal", "invalid_card", "leaks_pii", "bad_tool_call", "invented_citation",
    "rambling", "wrong_tone",
)  # fmt: skip


def found(today: dt.date) -> set[tuple[str, str]]:
    tree = evalspec.parse(SPEC.read_text(encoding="utf-8"))
    blocks = [(item.span.line, item.span.end_line, item.name.value) for item in tree.items]
    report = lint([SPEC], today=today, cache=False, jobs=1)
    out = set()
    for diag in report.diagnostics:
        assert diag.span is not None, diag
        line = diag.span.line
        out.add((diag.code, next(name for a, b, name in blocks if a <= line <= b)))
    return out


def test_what_lint_reports_about_the_example() -> None:
    assert found(dt.date(2026, 11, 27)) == EXPECTED


def test_the_review_falls_due_two_weeks_after_the_last_count() -> None:
    seen_on = dt.date(2026, 11, 20)  # seen N of 100 on 2026-11-20, review every 14d
    assert found(seen_on + dt.timedelta(days=14)) == EXPECTED
    overdue = {("ES104", mode) for mode in COUNTED}
    assert found(seen_on + dt.timedelta(days=15)) == EXPECTED | overdue
