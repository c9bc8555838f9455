"""``evalspec compile``: write a spec's IR as JSON."""

from __future__ import annotations

from pathlib import Path

import click

from evalspec import ir
from evalspec.lang.load import compile_path


@click.command("compile")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the IR here instead of standard output.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project root that file references are relative to (found from the spec by default).",
)
def compile_command(spec: Path, output: Path | None, root: Path | None) -> None:
    """Compile SPEC (.eval or IR JSON) to IR JSON (schema: evalspec schema ir).

    Exit codes: 0 compiled, 2 the spec is invalid (diagnostics on standard error).
    """
    if not spec.exists():
        raise click.BadParameter(f"no such file: {spec}", param_hint="SPEC")
    text = ir.encode_pretty(compile_path(spec, root=root))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
