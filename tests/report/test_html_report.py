"""The HTML page: self-contained, and no text from a spec or a trace becomes markup."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from report_data import SCRIPT, gate, mode, results, sample, verdict

from evalspec.report import html


def render(data: object) -> str:
    out = io.StringIO()
    html.report(data, (), out)  # type: ignore[arg-type]
    return out.getvalue()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def hostile() -> object:
    """Markup everywhere a spec or a trace can put text."""
    return results(
        mode(
            f"m{SCRIPT}", 3, title=f"title {SCRIPT}", fired=1, rate="0.1",
            gates=[gate("max_rate", False, f"gate {SCRIPT}", threshold="0.02")],
            failing=[verdict(f"id{SCRIPT}", "m", f"g{SCRIPT}", "fail", f'out "{SCRIPT}" & <b>')],
        ),
        mode("spec", 9, spec=f"{SCRIPT}.eval"),
    )  # fmt: skip


def test_page_is_self_contained() -> None:
    page = render(sample())
    assert page.startswith("<!DOCTYPE html>\n")
    assert page.rstrip().endswith("</body></html>")
    for external in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert external not in page
    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not [name for name, _ in parser.attrs if name.startswith("on")]


def test_trace_and_spec_text_is_escaped() -> None:
    page = render(hostile())
    assert SCRIPT not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "out &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; &lt;b&gt;" in page
    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags


def test_rows_are_ranked_and_bars_drawn_to_scale() -> None:
    page = render(sample())
    order = re.findall(r"<tr><td><code>(\w+)</code>", page)
    assert order == ["missing_refusal", "wrong_tone", "rambling", "invalid_card",
                     "wrong_refund_amount"]  # fmt: skip
    assert '<div class="tick" style="left:2.00%" title="max_rate"></div>' in page
    assert '<div class="fill bad" style="width:12.00%">' in page
    assert '<div class="fill" style="width:3.50%">' in page  # the corrected judge rate
    assert '<h1>evalspec check: <span class="fail">fail</span> (exit 1)</h1>' in page
    assert "<p>200 traces from 2 file(s); specs: support.eval</p>" in page
