"""One self-contained HTML page: a ranked bar chart of mode rates and the failing traces.

No external assets (styles inline, the chart is plain HTML), and every piece of text that comes
from a spec or a trace goes through :func:`html.escape`, so a trace cannot inject markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

from evalspec.report.common import failed_gates, interval, location, ranked, shown_rate
from evalspec.run.results import ModeResult, Results, Verdict

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1b1b}
h1{font-size:1.4rem}.pass{color:#17692c}.fail{color:#b3261e}.incomplete{color:#8a5a00}
table{border-collapse:collapse;width:100%}td,th{padding:.35rem .5rem;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top}.bar{background:#eee;height:14px;width:260px;position:relative}
.fill{background:#5b7fbf;height:14px}.fill.bad{background:#c8553d}.tick{position:absolute;top:-3px;
height:20px;border-left:2px dashed #222}code,pre{font:12px ui-monospace,monospace}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;margin:.2rem 0}
details{margin:.4rem 0}
"""


def report(results: Results, verdicts: Iterable[Verdict], out: TextIO) -> None:
    """Write the page."""
    e = html.escape
    out.write(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>evalspec check: {e(results.outcome)}</title><style>{_STYLE}</style></head>"
        "<body>\n"
    )
    out.write(
        f'<h1>evalspec check: <span class="{e(results.outcome)}">{e(results.outcome)}'
        f"</span> (exit {results.exit_code})</h1>\n<p>{results.traces.count} traces from "
        f"{len(results.traces.sources)} file(s); specs: {e(', '.join(results.specs))}</p>\n"
    )
    out.write(
        "<table><tr><th>mode</th><th>rate</th><th>95% interval</th><th></th>"
        "<th>fired / evaluated</th><th>gates</th></tr>\n"
    )
    for mode in ranked(results.modes):
        out.write(_row(mode))
    out.write("</table>\n<h2>Failing traces</h2>\n")
    for mode in ranked(results.modes):
        out.write(_failing(mode))
    out.write("</body></html>\n")


def _row(mode: ModeResult) -> str:
    e = html.escape
    value = mode.judge.corrected_rate if mode.judge else mode.rate
    width = float(Decimal(value)) * 100 if value is not None else 0.0
    limit = next((g.threshold for g in mode.gates if g.gate == "max_rate"), None)
    tick = (
        f'<div class="tick" style="left:{float(Decimal(limit)) * 100:.2f}%" title="max_rate"></div>'
        if limit
        else ""
    )
    bad = " bad" if failed_gates(mode) else ""
    gates = "<br>".join(
        f'<span class="{"pass" if g.passed else "fail"}">{e(g.gate)}</span>: {e(g.message)}'
        for g in mode.gates
    )
    return (
        f"<tr><td><code>{e(mode.mode)}</code><br><small>{e(mode.title or '')}</small></td>"
        f"<td>{e(shown_rate(mode))}</td><td>{e(interval(mode))}</td>"
        f'<td><div class="bar">{tick}<div class="fill{bad}" style="width:{width:.2f}%"></div>'
        f"</div></td><td>{mode.fired} / {mode.evaluated}</td><td>{gates}</td></tr>\n"
    )


def _failing(mode: ModeResult) -> str:
    if not mode.failing:
        return ""
    e = html.escape
    items = "".join(
        f"<li><code>{e(v.trace_id)}</code> {e(v.guard)} {e(v.outcome)}"
        f"<pre>{e(v.detail or '')}</pre></li>"
        for v in mode.failing
    )
    return (
        f"<details open><summary><code>{e(mode.mode)}</code> ({e(location(mode))})</summary>"
        f"<ul>{items}</ul></details>\n"
    )
