"""Fixtures for the command tests: a click runner, small projects, the fake judge server."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

# The fake OpenAI-compatible judge lives beside the judge tests; import it the way they do.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "judge"))

from fake_server import FakeJudgeServer  # noqa: E402

from evalspec.cli import cli  # noqa: E402
from evalspec.judge.client import JudgeClient  # noqa: E402

#: Environment variables the test specs read their judge endpoint and key from.
URL_ENV = "EVALSPEC_TEST_JUDGE_URL"
KEY_ENV = "EVALSPEC_TEST_JUDGE_KEY"


@dataclass
class Ran:
    """What a command did: its exit code and what it wrote."""

    code: int
    out: str
    err: str


@pytest.fixture
def evalspec() -> Callable[..., Ran]:
    """Run ``evalspec ARGS`` in this process; an unexpected exception fails the test."""

    def run(*args: str, stdin: bytes | None = None) -> Ran:
        result = CliRunner().invoke(cli, list(args), input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No judge endpoint, key, proxy or step summary leaks in; judges retry without waiting."""
    for name in (URL_ENV, KEY_ENV, "OPENAI_API_KEY", "EVALSPEC_JUDGE_URL", "GITHUB_STEP_SUMMARY",
                 "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(JudgeClient, "_delay", lambda self, failures, retry_after: 0.0)


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


@pytest.fixture
def workdir(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project folder (it has a pyproject.toml), made the working folder."""
    monkeypatch.chdir(project)
    return project
