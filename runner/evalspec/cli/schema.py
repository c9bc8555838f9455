"""``evalspec schema``: print a published JSON Schema."""

from __future__ import annotations

import click

from evalspec._resources import schemas_dir

SCHEMAS = {
    "ir": "evalspec-ir.v1.schema.json",
    "trace": "evalspec-trace.v1.schema.json",
    "results": "evalspec-results.v1.schema.json",
    "lock": "evalspec-lock.v1.schema.json",
}


@click.command("schema")
@click.argument("name", type=click.Choice(sorted(SCHEMAS)))
def schema(name: str) -> None:
    """Print the JSON Schema NAME: ir, trace, results or lock."""
    click.echo((schemas_dir() / SCHEMAS[name]).read_text(encoding="utf-8"), nl=False)
