"""Fixtures for the run-layer tests: the fake judge server and small projects on disk."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The fake OpenAI-compatible judge lives beside the judge tests; import it the way they do.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "judge"))

from fake_server import FakeJudgeServer  # noqa: E402

#: Environment variables the test specs read their judge endpoint and key from.
URL_ENV = "EVALSPEC_TEST_JUDGE_URL"
KEY_ENV = "EVALSPEC_TEST_JUDGE_KEY"

WriteProject = Callable[..., Path]


@pytest.fixture
def judge_server() -> Iterator[FakeJudgeServer]:
    """A started fake judge server (FAIL when the prompt holds ``[[FAIL]]``)."""
    with FakeJudgeServer(hang_seconds=0.5) as server:
        yield server


@pytest.fixture
def closed_url() -> str:
    """A judge URL on a local port nobody listens on: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture(autouse=True)
def _judge_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No judge URL, key or proxy leaks in from the environment; tests set what they need."""
    for name in (URL_ENV, KEY_ENV, "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def write_project(project: Path) -> WriteProject:
    """Write ``spec`` as ``s.eval``, ``traces/<name>`` files of records, and other files."""

    def write(
        spec: str,
        traces: dict[str, list[dict[str, Any]]],
        files: dict[str, str] | None = None,
    ) -> Path:
        (project / "s.eval").write_text(spec, encoding="utf-8")
        for name, records in traces.items():
            path = project / "traces" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        for name, text in (files or {}).items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return project

    return write
