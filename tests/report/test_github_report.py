"""GitHub Actions annotations: escaping, the 10-annotation limit and the step summary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from report_data import gate, mode, results, sample

from evalspec.report import github


def render(data: object) -> str:
    out = io.StringIO()
    github.report(data, (), out)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture(autouse=True)
def _no_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def test_annotations_for_the_sample() -> None:
    assert render(sample()).splitlines() == [
        "::error file=support.eval,line=21,endLine=21,title=evalspec%3A missing_refusal "
        "(max_rate)::rate 12%25 is above max_rate 2%25",
        "::error file=support.eval,line=21,endLine=21,title=evalspec%3A missing_refusal "
        "(baseline)::rate 12%25 (6/50) vs baseline 0%25 (0/50), one-sided p = 0.0135, alpha 5%25",
        "::warning file=support.eval,line=60,endLine=60,title=evalspec%3A wrong_tone::2 trace(s) "
        "could not be evaluated; rate 3.5%25 (raw 2%25)",
        "::error file=support.eval,line=80,endLine=80,title=evalspec%3A invalid_card "
        "(self_test)::1 of 2 self-test checks failed; first: assert-1 does not fire on example "
        "'tr_3' (the guard does not fire on its own example)",
        "evalspec: fail (exit 1)",
    ]


def test_escaping_of_file_names_titles_and_messages() -> None:
    data = results(
        mode("m", 7, spec="dir,a:b%/s.eval",
             gates=[gate("max_rate", False, "100% sure,\r\nreally: yes")]),
    )  # fmt: skip
    (line, verdict) = render(data).splitlines()
    assert line == (
        "::error file=dir%2Ca%3Ab%25/s.eval,line=7,endLine=7,title=evalspec%3A m (max_rate)"
        "::100%25 sure,%0D%0Areally: yes"
    )
    assert verdict == "evalspec: fail (exit 1)"


def test_escape_helpers() -> None:
    assert github.escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert github.escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_at_most_ten_error_annotations_then_a_notice() -> None:
    modes = [
        mode(f"m{i:02}", 10 * i + 1, gates=[gate("max_rate", False, f"rate {i}% is above"),
                                           gate("baseline", False, "rose")])
        for i in range(6)
    ]  # fmt: skip
    lines = render(results(*modes)).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10
    assert errors[-1].startswith(
        "::error file=support.eval,line=41,endLine=41,title=evalspec%3A m04"
    )
    assert lines[-2:] == [
        "::notice::2 more failed gate(s): see the step summary",
        "evalspec: fail (exit 1)",
    ]


def test_warnings_are_capped_too() -> None:
    modes = [mode(f"m{i:02}", i + 1, errors=1) for i in range(12)]
    lines = render(results(*modes, outcome="pass", exit_code=0)).splitlines()
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[-1] == "evalspec: pass (exit 0)"


def test_step_summary_is_appended_when_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(sample())
    render(sample())
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n### evalspec check **failed** (exit 1)\n")
    assert text.count("### evalspec check **failed** (exit 1)") == 2


def test_no_step_summary_without_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    render(sample())
    assert list(tmp_path.iterdir()) == []
