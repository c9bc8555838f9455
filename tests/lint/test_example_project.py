"""The bundled example project: what lint reports about it, and why each finding is real.

``examples/support`` guards most modes in code, its self-test passes on every example and
counter, and its tone judge is calibrated with labels and a prompt that match the lock. What
lint still reports is real: seven of its eight modes name no example trace (ES301), so their
guards are never self-tested, and the refund mode sits on the human rung with no ``todo`` to
climb down (ES102). Findings are keyed by mode, so that edits elsewhere in the file do not
break this test; a new finding, or one that goes away, does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import evalspec
from evalspec.lint import lint

SPEC = Path(__file__).parents[2] / "examples" / "support" / "support.eval"
EXPECTED = {
    ("ES301", "invalid_card"),
    ("ES301", "leaks_pii"),
    ("ES301", "bad_tool_call"),
    ("ES301", "invented_citation"),
    ("ES301", "rambling"),
    ("ES301", "wrong_tone"),
    ("ES301", "wrong_refund_amount"),
    ("ES102", "wrong_refund_amount"),
}


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
    seen_on = dt.date(
        2026, 11, 20
    )  # missing_refusal: seen 9 of 100 on 2026-11-20, review every 14d
    assert found(seen_on + dt.timedelta(days=14)) == EXPECTED
    assert found(seen_on + dt.timedelta(days=15)) == EXPECTED | {("ES104", "missing_refusal")}
