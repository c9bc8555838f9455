"""Fixtures for the judge tests: the fake OpenAI-compatible server and a fresh verdict cache."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The fake server is a helper module beside the tests (also run as a script by the benchmark).
# Put its folder on sys.path explicitly so the import works whatever pytest's import mode is.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_server import FakeJudgeServer  # noqa: E402

from evalspec.judge.cache import VerdictCache  # noqa: E402

#: The environment variable the tests' settings read the API key from.
KEY_ENV = "EVALSPEC_TEST_JUDGE_KEY"


@pytest.fixture
def fake_server() -> Iterator[FakeJudgeServer]:
    """A started fake judge server; tests may change its latency and faults while it runs."""
    with FakeJudgeServer(hang_seconds=2.0) as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[VerdictCache]:
    """An empty SQLite verdict cache in a temporary folder."""
    with VerdictCache(tmp_path / "verdicts.db") as verdicts:
        yield verdicts


@pytest.fixture(autouse=True)
def _no_judge_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without a key or proxy in the environment; tests set what they need."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
