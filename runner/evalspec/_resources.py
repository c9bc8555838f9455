"""Locate the grammar and the JSON Schemas: the copy inside the wheel, else the checkout.

A wheel carries them under ``evalspec/_data/`` (see ``pyproject.toml``); an editable install
or a plain checkout finds them at ``spec/evalspec.lark`` and ``schemas/`` beside ``runner/``,
so there is exactly one copy of each in the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


@cache
def grammar_path() -> Path:
    """Return the path of the normative grammar ``evalspec.lark``."""
    return _first_existing(
        _PACKAGE / "_data" / "evalspec.lark", _CHECKOUT / "spec" / "evalspec.lark"
    )


@cache
def schemas_dir() -> Path:
    """Return the folder holding the published JSON Schemas."""
    return _first_existing(_PACKAGE / "_data" / "schemas", _CHECKOUT / "schemas")


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"evalspec data file missing; looked at {', '.join(map(str, candidates))}"
    )
