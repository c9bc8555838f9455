"""The rules reference, generated from the rule classes: ``docs/rules.md`` and ``evalspec rule``.

Regenerate the committed page with::

    python -m evalspec.lint.docs > docs/rules.md

A test fails when the committed page differs from what this module generates.
"""

from __future__ import annotations

from typing import Any

from evalspec.lint import rules as _rules  # noqa: F401 - registers the rule catalogue
from evalspec.lint.base import RULES, Rule
from evalspec.lint.docstrings import BAD, DOC_TODAY, GOOD, SPEC_NAME, Example

#: File blocks longer than this are folded in the reference and cut in ``evalspec rule``.
FOLD_LINES = 12

_INTRO = f"""\
# Lint rules

<!-- Generated from the rule classes by `python -m evalspec.lint.docs > docs/rules.md`;
     do not edit by hand. -->

`evalspec lint` shows the distance between a team's failure taxonomy and its suite: which
failure modes are not guarded yet, which guards do not encode their mode, which judges were
never validated, and why each of these matters. Every rule has a stable code and name, its
rationale, an example that it reports and one that it does not. The examples run as tests:
each spec is linted as `{SPEC_NAME}` at the root of a project holding the files shown after
it, on {DOC_TODAY.isoformat()}.

## Running it

```sh
evalspec lint [PATHS]                # folders are searched for *.eval
evalspec lint --output-format sarif > lint.sarif
evalspec rule ES101                  # one rule's documentation; `evalspec rule` lists them
```

Exit codes: **0** nothing found; **1** findings (syntax and compile errors of a spec are
findings too, with their ES0xx codes); **2** a bad option or configuration, a path that does
not exist, or a file that cannot be read. `--exit-zero` turns 1 into 0.
Output formats (`--output-format`): `full` (default: source line, caret and hint), `concise`
(one line per finding), `json`, `github` (workflow annotations), `sarif` (SARIF 2.1.0),
`junit` (a test case per file and rule). `--statistics` prints counts per rule instead.

## Suppressing a finding

- `# evalspec: noqa[ES101]` (or `noqa[ES101, ES301]`) at the end of a line suppresses those
  codes on that line; a bare `# evalspec: noqa` suppresses every code there.
- At the end of the line that opens a block (`suite`, `mode`, `judge`, `example`, `counter`,
  the suite's `judge {{ }}`), it covers the whole block.
- `# evalspec: noqa` (with or without codes) on a line of its own above the first block covers
  the whole file.
- A suppression that silences nothing is reported (ES901), and so is one that evalspec cannot
  read (ES902). Syntax and compile errors (ES0xx) cannot be suppressed.

## Choosing rules

In `evalspec.toml` (table `[lint]`) or `pyproject.toml` (table `[tool.evalspec.lint]`) at the
project root; `evalspec.toml` wins when both exist:

```toml
[tool.evalspec.lint]
select = ["ALL"]                         # the default
extend-select = []
ignore = ["ES104"]
per-file-ignores = {{ "drafts/**" = ["ES1", "ES301"] }}
```

Selectors are codes, rule names, prefixes (`ES1`, `ES30`) or `ALL`; an unknown one is an
error with a suggestion. On the command line `--select` replaces `select` and `extend-select`,
`--ignore` replaces `ignore`, and `--extend-select` / `--extend-ignore` add to them.
Per-file globs are relative to the project root; `**` crosses folders and a glob without `/`
matches file names.
"""


def reference() -> str:
    """The whole rules reference (``docs/rules.md``)."""
    classes = [RULES[code] for code in sorted(RULES)]
    table = ["| code | name | severity | summary |", "|---|---|---|---|"]
    table += [f"| [{c.code}](#{anchor(c)}) | `{c.name}` | {c.severity.value} | "
              f"{_cell(c.doc.summary)} |" for c in classes]  # fmt: skip
    parts = [_INTRO, "## Rules\n", "\n".join(table) + "\n"]
    parts += [rule_markdown(c, level=3) for c in classes]
    parts.append(_compile_codes())
    return "\n".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a pipe would end the table cell


def anchor(cls: type[Rule]) -> str:
    """The heading anchor of a rule in the reference (``es101-mode-without-guard``)."""
    return f"{cls.code.lower()}-{cls.name}"


def rule_markdown(cls: type[Rule], level: int = 2, fold: bool = True) -> str:
    """One rule's section: heading, facts, summary, rationale and both examples."""
    doc = cls.doc
    facts = [f"groups: {', '.join(cls.groups)}", f"severity: {cls.severity.value}"]
    if cls.aliases:
        facts.append(f"aliases: {', '.join(cls.aliases)}")
    lines = [f"{'#' * level} {cls.code} {cls.name}", "", f"*{' · '.join(facts)}*", "",
             doc.summary, "", doc.rationale, ""]  # fmt: skip
    for title, example in ((BAD, doc.bad), (GOOD, doc.good)):
        lines += [title, "", *_example(example, fold), ""]
    return "\n".join(lines)


def _example(example: Example, fold: bool) -> list[str]:
    out = [example.prose, ""] if example.prose else []
    out += ["```eval", example.spec.rstrip("\n"), "```"]
    for file in example.files:
        body = file.text.rstrip("\n").split("\n")
        fence = [f"```{file.language}", *body, "```"]
        if len(body) <= FOLD_LINES:
            out += ["", f"`{file.path}`:", "", *fence]
        elif fold:
            out += ["", f"<details><summary><code>{file.path}</code> ({len(body)} lines)</summary>",
                    "", *fence, "", "</details>"]  # fmt: skip
        else:
            cut = [f"```{file.language}", *body[:5], f"... ({len(body) - 5} more lines)", "```"]
            out += ["", f"`{file.path}`:", "", *cut]
    return out


def _compile_codes() -> str:
    return (
        "## Syntax and compile errors (ES0xx)\n\n"
        "A spec that cannot be read, parsed or compiled is reported with the language's own\n"
        "codes (`ES001`-`ES061`, listed in `spec/REFERENCE.md`), in every output format and with\n"
        "exit code 1 like any finding (a file that cannot be read at all, ES009, exits 2).\n"
        "They are always reported: they cannot be selected,\n"
        "ignored or suppressed. Rules that need what the spec failed to provide are skipped for\n"
        "that file (`junit` shows them as skipped).\n"
    )


def rule_text(cls: type[Rule]) -> str:
    """One rule's documentation for the terminal (``evalspec rule CODE``)."""
    return rule_markdown(cls, level=1, fold=False).rstrip("\n") + "\n"


def rule_dict(cls: type[Rule]) -> dict[str, Any]:
    """One rule as JSON data (``evalspec rule --output-format json``)."""
    return {
        "code": cls.code, "name": cls.name, "summary": cls.doc.summary,
        "explanation": cls.doc.explanation, "groups": list(cls.groups),
        "aliases": list(cls.aliases), "severity": cls.severity.value, "url": cls.url(),
    }  # fmt: skip


def rule_list() -> str:
    """Every rule on one line: code, name and summary."""
    width = max(len(cls.name) for cls in RULES.values())
    return "".join(f"{code}  {RULES[code].name:<{width}}  {RULES[code].doc.summary}\n"
                   for code in sorted(RULES))  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    print(reference(), end="")
