"""The judge client against a real local server (fake_server.py) with injected faults."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_server import FAIL_MARKER, FakeJudgeServer, prompt_id, random_faults, scripted

from evalspec.judge._http import LeanHTTPTransport, lean_transport
from evalspec.judge.cache import VerdictCache
from evalspec.judge.client import JudgeClient, JudgeSettings, Verdict
from evalspec.judge.templates import render

pytestmark = pytest.mark.slow

TEMPLATE = "Does the answer give legal advice?\n{{input}}\n{{output}}"


def items(n: int, start: int = 0) -> list[list[dict[str, str]]]:
    return [
        render(
            TEMPLATE, {"input": f"q{i}", "output": f"a{i}" + (FAIL_MARKER if i % 4 == 0 else "")}
        )
        for i in range(start, start + n)
    ]


def settings(server: FakeJudgeServer, **overrides: Any) -> JudgeSettings:
    options: dict[str, Any] = {
        "model": "fake-judge",
        "base_url": server.base_url,
        "api_key_env": None,
        "concurrency": 8,
        "timeout": 0.25,
        "max_retries": 4,
        "backoff_base": 0.002,
        "retry_after_max": 0.02,
    }
    return JudgeSettings(**{**options, **overrides})


async def grade(
    server: FakeJudgeServer, cache: VerdictCache, prompts: list[Any], **overrides: Any
) -> tuple[list[Verdict], JudgeClient]:
    async with JudgeClient(settings(server, **overrides), cache) as client:
        return await client.grade_many(prompts), client


def expected(i: int) -> str:
    return "fail" if i % 4 == 0 else "pass"


# ------------------------------------------------------------------------ faults


def test_every_verdict_arrives_once_despite_faults(
    fake_server: FakeJudgeServer, cache: VerdictCache
) -> None:
    fake_server.latency = 0.002
    fake_server.hang_seconds = 1.0
    kinds = ("429:0.01", "500", "503", "malformed", "hang")
    fake_server.faults = random_faults(0.35, seed=3, kinds=kinds, max_attempt=2)
    prompts = items(60)
    verdicts, client = asyncio.run(grade(fake_server, cache, prompts))
    assert [v.result for v in verdicts] == [expected(i) for i in range(60)]
    assert set(fake_server.injected) == {"429", "500", "503", "malformed", "hang"}
    assert client.stats.retries == sum(fake_server.injected.values())
    # No verdict lost or duplicated: each prompt answered exactly once, and cached.
    assert {prompt_id(p): 1 for p in prompts} == dict(fake_server.answered)
    assert len(cache) == 60
    before = fake_server.total_requests
    again, client = asyncio.run(grade(fake_server, cache, prompts))
    assert [v.result for v in again] == [v.result for v in verdicts]
    assert all(v.cached for v in again) and fake_server.total_requests == before


def test_json_mode_fallback_against_a_server_without_it(
    fake_server: FakeJudgeServer, cache: VerdictCache
) -> None:
    fake_server.supports_json_mode = False
    verdicts, client = asyncio.run(grade(fake_server, cache, items(10), concurrency=1))
    assert [v.result for v in verdicts] == [expected(i) for i in range(10)]
    assert client.stats.json_mode is False and fake_server.total_requests == 11


def test_unparseable_answer_is_an_error_and_asked_again_on_rerun(
    fake_server: FakeJudgeServer, cache: VerdictCache
) -> None:
    fake_server.faults = scripted({"q3\n": ["unparseable"]})
    verdicts, _ = asyncio.run(grade(fake_server, cache, items(6)))
    assert [v.result for v in verdicts].count("error") == 1
    assert verdicts[3].reason.startswith("unparseable answer: ")
    assert len(cache) == 5
    again, client = asyncio.run(grade(fake_server, cache, items(6)))
    assert again[3].result == expected(3) and client.stats.calls == 1


def test_timeout_is_retried_and_the_hung_request_is_not_counted(
    fake_server: FakeJudgeServer, cache: VerdictCache
) -> None:
    fake_server.faults = scripted({"q1\n": ["hang"]})
    verdicts, client = asyncio.run(grade(fake_server, cache, items(2), timeout=0.1))
    assert [v.result for v in verdicts] == ["fail", "pass"]
    assert verdicts[1].attempts == 2 and client.stats.retries == 1


def test_endpoint_down_gives_errors_never_verdicts(tmp_path: Path) -> None:
    with FakeJudgeServer() as server:
        down = settings(server, max_retries=1, give_up_after=2, concurrency=2)
    with VerdictCache(tmp_path / "v.db") as cache:

        async def scenario() -> list[Verdict]:
            async with JudgeClient(down, cache) as client:
                return await client.grade_many(items(20))

        verdicts = asyncio.run(scenario())
    assert {v.result for v in verdicts} == {"error"}
    assert "ConnectError" in verdicts[0].reason
    assert verdicts[-1].reason.startswith("judge endpoint unavailable")


def test_api_key_is_sent_from_the_environment(
    fake_server: FakeJudgeServer, cache: VerdictCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_server.api_key = "local-secret"
    monkeypatch.setenv("EVALSPEC_TEST_JUDGE_KEY", "local-secret")
    verdicts, _ = asyncio.run(
        grade(fake_server, cache, items(2), api_key_env="EVALSPEC_TEST_JUDGE_KEY")
    )
    assert [v.result for v in verdicts] == ["fail", "pass"]
    monkeypatch.setenv("EVALSPEC_TEST_JUDGE_KEY", "wrong")
    refused, _ = asyncio.run(
        grade(fake_server, cache, items(2, 10), api_key_env="EVALSPEC_TEST_JUDGE_KEY")
    )
    assert {v.result for v in refused} == {"error"} and "HTTP 401" in refused[0].reason


# ------------------------------------------------------------------------ interruption


def test_an_interrupted_run_keeps_what_arrived_and_the_rerun_asks_only_the_rest(
    fake_server: FakeJudgeServer, tmp_path: Path
) -> None:
    fake_server.latency = 0.02
    prompts = items(40)
    path = tmp_path / "v.db"
    arrived: list[str] = []

    async def interrupted() -> None:
        with VerdictCache(path) as cache:
            async with JudgeClient(settings(fake_server, concurrency=4), cache) as client:
                run = asyncio.ensure_future(
                    client.grade_many(prompts, progress=lambda i, v: arrived.append(v.key))
                )
                while len(arrived) < 10:
                    await asyncio.sleep(0.005)
                run.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await run

    asyncio.run(interrupted())
    with VerdictCache(path) as cache:
        kept = {v.key for v in cache}
        assert set(arrived) <= kept and 10 <= len(kept) < 40  # every verdict that arrived
        requested_before = dict(fake_server.requests)
        verdicts, client = asyncio.run(grade(fake_server, cache, prompts, concurrency=4))
    assert [v.result for v in verdicts] == [expected(i) for i in range(40)]
    assert client.stats.cache_hits == len(kept) and client.stats.calls == 40 - len(kept)
    for prompt, verdict in zip(prompts, verdicts, strict=True):
        asked_again = fake_server.requests[prompt_id(prompt)] - requested_before.get(
            prompt_id(prompt), 0
        )
        assert asked_again == (0 if verdict.key in kept else 1)


# ------------------------------------------------------------------------ the lean transport


async def _raw_server(
    reply: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> tuple[asyncio.base_events.Server, str]:
    server = await asyncio.start_server(reply, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await reader.readexactly(length)


def _exchange(responses: list[bytes], requests: int = 1) -> list[httpx.Response]:
    """Serve ``responses`` one per request (closing after each if it says so); send requests."""
    connections = 0

    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while responses:
            try:
                await _read_request(reader)
            except asyncio.IncompleteReadError:
                break
            raw = responses.pop(0)
            writer.write(raw)
            await writer.drain()
            if b"Connection: close" in raw or b"\r\nX-Drop: 1" in raw:
                break
        writer.close()

    async def scenario() -> list[httpx.Response]:
        server, url = await _raw_server(reply)
        async with server, httpx.AsyncClient(transport=LeanHTTPTransport()) as http:
            return [await http.post(url + "/x", content=b"{}", timeout=2) for _ in range(requests)]

    return asyncio.run(scenario())


def test_lean_transport_reads_chunked_bodies() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    raw = head + b"5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"
    assert _exchange([raw])[0].content == b"hello world"


def test_lean_transport_reads_close_delimited_bodies_and_decodes_gzip() -> None:
    body = gzip.compress(b'{"ok": true}')
    raw = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" + body
    assert _exchange([raw])[0].json() == {"ok": True}


def test_lean_transport_retries_a_stale_keep_alive_connection() -> None:
    # The server closes the connection after the first answer without saying so.
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX-Drop: 1\r\n\r\na"
    second = b"HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb"
    responses = _exchange([first, second], requests=2)
    assert [(r.status_code, r.content) for r in responses] == [(200, b"a"), (201, b"b")]


def test_lean_transport_maps_faults_to_httpx_errors() -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="malformed status line"):
        _exchange([b"SMTP ready\r\n\r\n"])
    with pytest.raises(httpx.ReadError):
        _exchange([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort"])
    with FakeJudgeServer() as server:
        url = server.base_url
    with pytest.raises(httpx.ConnectError):
        _exchange_url(url)


def _exchange_url(url: str) -> httpx.Response:
    async def scenario() -> httpx.Response:
        async with httpx.AsyncClient(transport=LeanHTTPTransport()) as http:
            return await http.post(url + "/chat/completions", content=b"{}", timeout=1)

    return asyncio.run(scenario())


def test_lean_transport_is_used_only_for_plain_http_without_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(lean_transport("http://127.0.0.1:8000/v1", 4), LeanHTTPTransport)
    assert lean_transport("https://api.openai.com/v1", 4) is None
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert lean_transport("http://127.0.0.1:8000/v1", 4) is None


# ------------------------------------------------------------------------ standalone server


def test_fake_server_runs_as_a_standalone_process() -> None:
    script = Path(__file__).with_name("fake_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--latency-ms", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("FAKE_JUDGE_URL=http://127.0.0.1:")
        base_url = line.split("=", 1)[1]
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x"}]})
        request = urllib.request.Request(
            base_url + "/chat/completions", data=body.encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            content = json.load(response)["choices"][0]["message"]["content"]
        assert content.endswith("RESULT: PASS")
        with urllib.request.urlopen(base_url + "/stats", timeout=5) as response:
            assert json.load(response)["answered"] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0
