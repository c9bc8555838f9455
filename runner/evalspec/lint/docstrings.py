"""Rule docstrings: their required shape, parsed into data that docs and tests use.

A rule's docstring is its documentation page, and its examples are executed as tests::

    Summary line, one sentence ending with a period.

    Rationale: one or more paragraphs saying why this matters.

    **Anti-pattern**

    Optional prose.

    ```eval
    mode rambling "Answers are too long" { why "Users complained." }
    ```

    **Best practice**

    ```eval
    mode rambling "Answers are too long" { assert words(output) <= 180 }
    ```

Each example has exactly one ```` ```eval ```` block: the spec, linted as ``spec.eval`` at the
root of an otherwise empty project. Files the example needs (traces, labels, a lock file, a
judge prompt) follow it as fenced blocks whose info string names them, such as
```` ```jsonl file=traces/a.jsonl ````.
Examples are linted as on :data:`DOC_TODAY`, so date-dependent rules stay reproducible.
"""

from __future__ import annotations

import datetime as dt
import inspect
import posixpath
import re
from dataclasses import dataclass

#: The date on which documentation examples are linted.
DOC_TODAY = dt.date(2026, 11, 27)
#: The file name under which an example's spec is linted.
SPEC_NAME = "spec.eval"

BAD, GOOD = "**Anti-pattern**", "**Best practice**"
_FENCE = re.compile(r"^```(?P<info>.*)$")
_FILE_INFO = re.compile(r"^(?P<lang>[\w+-]+)\s+file=(?P<path>\S+)$")


class RuleDocError(ValueError):
    """A rule docstring does not have the required shape."""


@dataclass(frozen=True)
class ExampleFile:
    """A file an example needs: its project-relative path, fence language and content."""

    path: str
    language: str
    text: str


@dataclass(frozen=True)
class Example:
    """One documented example: the spec text, the files it needs, and its prose."""

    spec: str
    files: tuple[ExampleFile, ...]
    prose: str


@dataclass(frozen=True)
class RuleDoc:
    """A parsed rule docstring."""

    summary: str
    rationale: str
    bad: Example
    good: Example

    @property
    def explanation(self) -> str:
        """The rationale with its paragraphs unwrapped, for JSON and SARIF."""
        paragraphs = self.rationale.split("\n\n")
        return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def parse_doc(docstring: str | None, owner: str) -> RuleDoc:
    """Parse and validate a rule docstring; ``owner`` names the rule in error messages.

    Raises:
        RuleDocError: the docstring is missing or lacks a part.
    """
    if not docstring or not docstring.strip():
        raise RuleDocError(f"{owner}: a rule needs a docstring")
    text = inspect.cleandoc(docstring)
    summary, _, rest = text.partition("\n")
    if not summary.endswith(".") or len(summary) > 100:
        raise RuleDocError(f"{owner}: the summary line must be one sentence of <= 100 characters")
    if rest.count(BAD) != 1 or rest.count(GOOD) != 1 or rest.index(BAD) > rest.index(GOOD):
        raise RuleDocError(f"{owner}: the docstring needs {BAD} then {GOOD}, once each")
    rationale, _, sections = rest.partition(BAD)
    bad_text, _, good_text = sections.partition(GOOD)
    if not rationale.strip():
        raise RuleDocError(f"{owner}: the docstring needs a rationale after the summary")
    return RuleDoc(
        summary=summary,
        rationale=rationale.strip(),
        bad=_example(bad_text, f"{owner} {BAD}"),
        good=_example(good_text, f"{owner} {GOOD}"),
    )


def _example(section: str, owner: str) -> Example:
    prose: list[str] = []
    blocks: list[tuple[str, str]] = []
    lines = iter(section.strip("\n").split("\n"))
    for line in lines:
        fence = _FENCE.match(line)
        if fence is None:
            prose.append(line)
            continue
        body: list[str] = []
        for inner in lines:
            if inner == "```":
                break
            body.append(inner)
        else:
            raise RuleDocError(f"{owner}: a fenced block is not closed")
        blocks.append((fence["info"].strip(), "\n".join(body) + "\n"))
    specs = [body for info, body in blocks if info == "eval"]
    if len(specs) != 1 or blocks[0][0] != "eval":
        raise RuleDocError(f"{owner}: the section needs exactly one ```eval block, first")
    files = tuple(_file(info, body, owner) for info, body in blocks[1:])
    return Example(spec=specs[0], files=files, prose="\n".join(prose).strip())


def _file(info: str, body: str, owner: str) -> ExampleFile:
    match = _FILE_INFO.match(info)
    if match is None:
        raise RuleDocError(
            f"{owner}: a block after the spec must be ```LANG file=PATH, not {info!r}"
        )
    path = match["path"]
    normal = posixpath.normpath(path)
    if path.startswith("/") or normal.startswith("..") or normal == SPEC_NAME:
        raise RuleDocError(f"{owner}: {path!r} must be a relative path inside the example project")
    return ExampleFile(path=normal, language=match["lang"], text=body)
