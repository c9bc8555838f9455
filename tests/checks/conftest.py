"""Fixtures of tests/checks; helpers live in ``checks_helpers``."""

from __future__ import annotations

from pathlib import Path

import pytest
from checks_helpers import Checker


@pytest.fixture
def check(tmp_path: Path) -> Checker:
    """``check('output contains "x"', trace(output=...))`` -> (outcome, explanation)."""
    return Checker(tmp_path)
