"""Regenerate committed artefacts: the JSON Schemas and the conformance goldens.

    python tests/regen_goldens.py --schemas        # schemas/*.schema.json from the Structs
    python tests/regen_goldens.py --conformance    # spec/conformance expected files

A diff in a golden is a change to the specification: review it as such.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"


def schema_sources() -> dict[str, Callable[[], dict[str, Any]]]:
    """Map each committed schema file to the function that generates it."""
    from evalspec import ir

    sources: dict[str, Callable[[], dict[str, Any]]] = {
        "evalspec-ir.v1.schema.json": ir.json_schema
    }
    for module, func, name in [
        ("evalspec.traces.record", "trace_schema", "evalspec-trace.v1.schema.json"),
        ("evalspec.run.results", "results_schema", "evalspec-results.v1.schema.json"),
        ("evalspec.run.baseline", "lock_schema", "evalspec-lock.v1.schema.json"),
    ]:
        try:
            mod = __import__(module, fromlist=[func])
        except ImportError:
            continue
        sources[name] = getattr(mod, func)
    return sources


def dump(schema: dict[str, Any]) -> str:
    """Serialise a schema the way it is committed."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas() -> None:
    for name, source in schema_sources().items():
        (SCHEMAS / name).write_text(dump(source()), encoding="utf-8")
        print(f"wrote schemas/{name}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schemas", action="store_true")
    parser.add_argument("--conformance", action="store_true")
    args = parser.parse_args(argv)
    if args.schemas:
        write_schemas()
    if args.conformance:
        from conformance_goldens import write_goldens  # type: ignore[import-not-found]

        write_goldens()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
