"""``evalspec fmt``: rewrite specs in the canonical layout, or check that they are."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from evalspec.cli._common import echo_diagnostics, exit_with, spec_files
from evalspec.errors import EvalspecError
from evalspec.lang.fmt import format_text
from evalspec.lang.parser import read_source


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of writing.")
def fmt(paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Format .eval files (folders are searched for *.eval; '-' reads standard input).

    Exit codes: 0 nothing to change (or files rewritten), 1 with --check or --diff when a file
    would change, 2 a file does not parse.
    """
    if paths == (Path("-"),):
        _stdin()
        return
    changed, broken = 0, 0
    for path in spec_files(paths or (Path("."),)):
        try:
            text = read_source(path, path.as_posix())
            formatted = format_text(text, path.as_posix())
        except EvalspecError as exc:
            echo_diagnostics(exc.diagnostics)
            broken += 1
            continue
        if formatted != text:
            changed += 1
            _report(path, text, formatted, check, show_diff)
    if broken:
        exit_with(2)
    if changed and (check or show_diff):
        exit_with(1)


def _report(path: Path, text: str, formatted: str, check: bool, show_diff: bool) -> None:
    if show_diff:
        diff = difflib.unified_diff(
            text.splitlines(True),
            formatted.splitlines(True),
            f"{path.as_posix()}",
            f"{path.as_posix()} (formatted)",
        )
        click.echo("".join(diff), nl=False)
    elif check:
        click.echo(f"would reformat {path.as_posix()}", err=True)
    else:
        path.write_text(formatted, encoding="utf-8")
        click.echo(f"reformatted {path.as_posix()}", err=True)


def _stdin() -> None:
    text = sys.stdin.read()
    try:
        click.echo(format_text(text.replace("\r\n", "\n"), "<stdin>"), nl=False)
    except EvalspecError as exc:
        echo_diagnostics(exc.diagnostics)
        exit_with(2)
