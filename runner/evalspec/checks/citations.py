"""``citations /re/ exist in corpus``: every id cited in ``output`` names a corpus document.

Each match of the regex in ``output`` yields an id: capture group 1 when the regex has groups
(a match where group 1 took no part yields nothing), else the whole match. The corpus is the set
of files matching the suite's ``corpus`` globs, listed once per run. A file is named by its stem
(``refunds``), its file name (``refunds.md``), or its project-relative path with or without the
extension (``kb/policy/refunds.md``, ``kb/policy/refunds``); comparison is exact.
"""

from __future__ import annotations

import operator
from pathlib import Path, PurePosixPath

from evalspec import ir
from evalspec import regex as dialect
from evalspec.checks.base import Check, CheckEnv, CheckError, evaluator, failing
from evalspec.checks.describe import quote
from evalspec.checks.operands import ROOT_FIELDS, missing
from evalspec.traces.record import Trace

_output = operator.attrgetter(ROOT_FIELDS["output"])
_SHOWN = 10


def document_names(relative: str) -> set[str]:
    """Return the ids that name the file at project-relative POSIX path ``relative``."""
    path = PurePosixPath(relative)
    return {path.stem, path.name, relative, str(path.with_suffix(""))}


def scan_corpus(root: Path, globs: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Return every id naming a file that matches ``globs`` (``**`` recurses) inside ``root``."""
    root = root.resolve()
    names: set[str] = set()
    for pattern in globs:
        if PurePosixPath(pattern).is_absolute() or ".." in PurePosixPath(pattern).parts:
            raise CheckError(f"the corpus glob {quote(pattern)} leaves the project")
        for path in root.glob(pattern):
            resolved = path.resolve()
            if path.is_file() and (root in resolved.parents):  # links out of the project: ignored
                names |= document_names(path.relative_to(root).as_posix())
    return frozenset(names)


@evaluator(ir.CitationsExist)
def compile_citations(expr: ir.CitationsExist, env: CheckEnv) -> Check:
    """Compile ``citations /re/ exist in corpus``."""
    compiled = dialect.compile(expr.regex.pattern, expr.regex.flags)
    group = 1 if compiled.groups else 0
    finditer = compiled.finditer
    globs = tuple(expr.corpus)
    try:
        corpus = env.cached("corpus", globs, lambda: scan_corpus(env.root, globs))
    except CheckError as exc:
        return failing(expr, exc.reason)

    def ids(trace: Trace) -> list[str]:
        text = _output(trace)
        if text is None:
            raise missing("output")
        return [found.group(group) for found in finditer(text) if found.group(group)]

    def test(trace: Trace) -> bool:
        return all(cited in corpus for cited in ids(trace))

    def explain(trace: Trace) -> str:
        unknown = list(dict.fromkeys(i for i in ids(trace) if i not in corpus))
        shown = ", ".join(quote(i) for i in unknown[:_SHOWN])
        more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
        return f"cited but not in the corpus: {shown}{more}"

    def affirm(trace: Trace) -> str:
        found = ids(trace)
        return f"all {len(found)} citations are in the corpus" if found else "no citations"

    return Check(expr, test, explain, affirm)
