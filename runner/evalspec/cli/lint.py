"""``evalspec lint`` and ``evalspec rule``: find what the suite does not guard yet, and say why."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Sequence
from pathlib import Path

import click

from evalspec.cli._common import exit_with, spec_files
from evalspec.lint import lint as run_lint
from evalspec.lint.base import ALIASES, RULES, Rule
from evalspec.lint.docs import rule_dict, rule_list, rule_text
from evalspec.lint.formats import FORMATS, statistics


def _codes(values: Sequence[str]) -> list[str] | None:
    """Selectors given as repeated and/or comma-separated options; ``None`` when absent."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="full",
    show_default=True,
    help="How findings are printed.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Rules to run (codes, names, prefixes or ALL); replaces the configuration's.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Rules not to run; replaces the configuration's ignore list.",
)
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to run in addition.")
@click.option("--extend-ignore", multiple=True, metavar="CODES", help="Rules to skip in addition.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--statistics",
    "show_statistics",
    is_flag=True,
    help="Print how many findings each rule has, instead of the findings.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes (default: one per CPU when there are many files).",
)
@click.option("--no-cache", is_flag=True, help="Parse every file, ignoring the syntax tree cache.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project root (default: found from each spec).",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Lint as on this date (review-overdue); default: today.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here instead of standard output.",
)
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    extend_ignore: tuple[str, ...],
    exit_zero: bool,
    show_statistics: bool,
    jobs: int | None,
    no_cache: bool,
    root: Path | None,
    today: dt.datetime | None,
    output_file: Path | None,
) -> None:
    """Lint specs (PATHS: .eval files or folders; default: the current folder).

    Exit codes: 0 nothing found; 1 findings (a spec that does not parse or compile is a
    finding too); 2 a bad option or configuration, a missing path or an unreadable file.
    """
    files = spec_files(paths or (Path("."),))
    if not files:
        raise click.BadParameter("no .eval file found", param_hint="PATHS")
    report = run_lint(
        files, root=root, select=_codes(select), ignore=_codes(ignore),
        extend_select=_codes(extend_select) or (), extend_ignore=_codes(extend_ignore) or (),
        today=today.date() if today else None, cache=not no_cache, jobs=jobs,
    )  # fmt: skip
    text = statistics(report) if show_statistics else FORMATS[output_format](report)
    if output_file is None:
        click.echo(text, nl=False)
    else:
        output_file.write_text(text, encoding="utf-8")
    exit_with(report.exit_code(exit_zero))


@click.command("rule")
@click.argument("code", required=False)
@click.option(
    "--output-format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def rule(code: str | None, output_format: str) -> None:
    """Show a lint rule's documentation (CODE: a code or a name), or list every rule."""
    if code is None:
        if output_format == "json":
            click.echo(json.dumps([rule_dict(RULES[c]) for c in sorted(RULES)], indent=2))
        else:
            click.echo(rule_list(), nl=False)
        return
    cls = find_rule(code)
    if output_format == "json":
        click.echo(json.dumps(rule_dict(cls), indent=2))
    else:
        click.echo(rule_text(cls), nl=False)


def find_rule(code: str) -> type[Rule]:
    """The rule with this code, old code or name; a usage error with a suggestion otherwise."""
    upper = code.upper()
    if upper in RULES or upper in ALIASES:
        return RULES[ALIASES.get(upper, upper)]
    named = [cls for cls in RULES.values() if cls.name == code]
    if named:
        return named[0]
    options = [*RULES, *(cls.name for cls in RULES.values())]
    match = difflib.get_close_matches(upper if upper.startswith("ES") else code, options, n=1)
    hint = f" (did you mean '{match[0]}'?)" if match else "; `evalspec rule` lists them"
    raise click.BadParameter(f"no rule '{code}'{hint}", param_hint="CODE")
