"""Reports of a check: one module per format, chosen through :func:`reporter`.

Every reporter takes the results, the verdicts (an iterable read once; empty unless the format
needs them) and a text stream to write to.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TextIO

from evalspec.run.results import Results, Verdict

Reporter = Callable[[Results, Iterable[Verdict], TextIO], None]


#: ``--format`` value -> "module:function" of its reporter.
_REPORTERS = {
    "text": "text:report",
    "json": "json_report:report",
    "ndjson": "json_report:report_lines",
    "junit": "junit:report",
    "github": "github:report",
    "markdown": "markdown:report",
    "html": "html:report",
}


def reporter(name: str) -> Reporter:
    """The reporter of one ``--format`` value, imported only when chosen."""
    module, function = _REPORTERS[name].split(":")
    found: Reporter = getattr(importlib.import_module(f"evalspec.report.{module}"), function)
    return found


def reporters() -> dict[str, Reporter]:
    """Every reporter, by ``--format`` value."""
    return {name: reporter(name) for name in _REPORTERS}


#: Formats, in the order the CLI lists them.
FORMATS = ("text", "json", "ndjson", "junit", "github", "markdown", "html")
#: Formats that include every verdict (the engine records them only then).
NEEDS_VERDICTS = frozenset({"json", "ndjson"})
