"""Committed JSON Schemas equal what the Structs generate (run regen_goldens.py --schemas)."""

from __future__ import annotations

import json

import pytest

from evalspec._resources import schemas_dir
from regen_goldens import SCHEMAS, dump, schema_sources


@pytest.mark.parametrize("name", sorted(schema_sources()))
def test_committed_schema_is_current(name: str) -> None:
    committed = (SCHEMAS / name).read_text(encoding="utf-8")
    assert committed == dump(schema_sources()[name]()), (
        "run: python tests/regen_goldens.py --schemas"
    )


def test_schemas_are_found_through_resources() -> None:
    assert json.loads((schemas_dir() / "evalspec-ir.v1.schema.json").read_text())["title"]
