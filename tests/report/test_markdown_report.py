"""The Markdown step summary: verdict line, ranked table, details per mode, and the size cap."""

from __future__ import annotations

import io

import pytest
from report_data import mode, results, sample, verdict

from evalspec.report import markdown

EXPECTED = """\
### evalspec check **failed** (exit 1)

200 traces, 5 modes.

| | mode | rate | 95% interval | fired / evaluated | gates |
|---|---|---|---|---|---|
| :x: | `missing_refusal` | 12% | [5.6%, 23.8%] | 6 / 50 | max_rate **failed**, \
baseline **failed** |
| :white_check_mark: | `wrong_tone` | 3.5% (raw 2%) | [1%, 7%] | 4 / 198 | max_rate ok |
| :white_check_mark: | `rambling` | 1.5% | [0.5%, 4.3%] | 3 / 200 | baseline ok |
| :x: | `invalid_card` | 0% | [0%, 27.8%] | 0 / 10 | self_test **failed** |
| :white_check_mark: | `wrong_refund_amount` | - | - | 0 / 0 (200 pending) | - |

<details><summary><code>missing_refusal</code> (support.eval:21:1)</summary>

- **max_rate**: rate 12% is above max_rate 2%
- **baseline**: rate 12% (6/50) vs baseline 0% (0/50), one-sided p = 0.0135, alpha 5%
- `tr_1` assert-1 fail: output does not match /refuse/: "Sue them \\| now"
- `tr_&lt;script&gt;alert(1)&lt;/script&gt;` assert-1 fail: &lt;script&gt;alert(1)&lt;/script&gt;

</details>

<details><summary><code>wrong_tone</code> (support.eval:60:1)</summary>

- `tr_5` judge-tone error: judge endpoint failed after 2 attempts: HTTP 500

</details>

<details><summary><code>rambling</code> (support.eval:40:1)</summary>

- `tr_9` assert-2 fail: words(output) is 260, expected &lt;= 180

</details>

<details><summary><code>invalid_card</code> (support.eval:80:1)</summary>

- **self_test**: 1 of 2 self-test checks failed; first: assert-1 does not fire on example \
'tr_3' (the guard does not fire on its own example)

</details>
"""


def render(data: object) -> str:
    out = io.StringIO()
    markdown.report(data, (), out)  # type: ignore[arg-type]
    return out.getvalue()


def test_markdown_exactly() -> None:
    assert render(sample()) == EXPECTED


@pytest.mark.parametrize(
    ("outcome", "headline"),
    [("pass", "passed"), ("fail", "**failed**"), ("incomplete", "**incomplete**")],
)
def test_headline(outcome: str, headline: str) -> None:
    text = render(results(mode("m", 1), outcome=outcome, exit_code=0))
    assert text.startswith(f"### evalspec check {headline} (exit 0)\n\n200 traces, 1 modes.\n")
    assert "<details>" not in text  # nothing failed, nothing to show


def test_size_cap_truncates_with_a_visible_note(monkeypatch: pytest.MonkeyPatch) -> None:
    failing = [verdict(f"t{i}", "m", "assert-1", "fail", "x" * 300) for i in range(20)]
    data = results(mode("m", 1, fired=20, rate="1", failing=failing))
    full = render(data)
    monkeypatch.setattr(markdown, "MAX_BYTES", 2000)
    cut = render(data)
    assert len(full) > 6000
    assert len(cut.encode()) < 2000 + 200
    body, note = cut.rsplit("\n\n", 1)
    assert note == "_… truncated: the full report is in the JSON output._\n"
    assert full.startswith(body.removesuffix("\n</details>"))
    # The note must not be folded away inside the details block the cut left open.
    assert body.endswith("\n</details>")
    assert body.count("<details>") == body.count("</details>") == 1


def test_size_cap_counts_bytes_not_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    failing = [verdict(f"t{i}", "m", "assert-1", "fail", "é" * 200) for i in range(10)]
    data = results(mode("m", 1, fired=10, rate="1", failing=failing))
    monkeypatch.setattr(markdown, "MAX_BYTES", 1500)
    cut = render(data)
    assert len(cut.encode()) < 1500 + 200
    assert "truncated" in cut
