"""Reports of a check: one module per format, chosen through :data:`REPORTERS`.

Every reporter takes the results, the verdicts (an iterable read once; empty unless the format
needs them) and a text stream to write to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TextIO

from evalspec.run.results import Results, Verdict

Reporter = Callable[[Results, Iterable[Verdict], TextIO], None]


def reporters() -> dict[str, Reporter]:
    """Map each ``--format`` value to its reporter (imported here to keep start-up lazy)."""
    from evalspec.report import github, html, json_report, junit, markdown, text

    return {
        "text": text.report,
        "json": json_report.report,
        "ndjson": json_report.report_lines,
        "junit": junit.report,
        "github": github.report,
        "markdown": markdown.report,
        "html": html.report,
    }


#: Formats, in the order the CLI lists them.
FORMATS = ("text", "json", "ndjson", "junit", "github", "markdown", "html")
#: Formats that include every verdict (the engine records them only then).
NEEDS_VERDICTS = frozenset({"json", "ndjson"})
