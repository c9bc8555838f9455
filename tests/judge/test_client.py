"""The judge client over httpx.MockTransport with a fake clock: no network, no waiting."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
from collections.abc import Callable, Coroutine
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import msgspec
import pytest

from evalspec.errors import UsageError
from evalspec.judge.cache import ReplayCache, VerdictCache
from evalspec.judge.client import (
    BUDGET_EXHAUSTED,
    OFFLINE_MISS,
    JudgeClient,
    JudgeSettings,
    Secret,
    Verdict,
    retry_after_seconds,
)
from evalspec.judge.templates import render

KEY_ENV = "EVALSPEC_TEST_JUDGE_KEY"
SECRET = "sk-test-SECRET-0123456789"
T = TypeVar("T")
Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """An injected clock and sleep: sleeping advances time instantly and is recorded."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def prompt(i: int, fail: bool = False) -> list[dict[str, str]]:
    return render("Trace: {{input}}", {"input": f"question {i}" + (" [[FAIL]]" if fail else "")})


def answer(result: str = "PASS", critique: str = "Looks fine.") -> httpx.Response:
    content = json.dumps({"critique": critique, "result": result})
    return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})


def judge(request: httpx.Request) -> httpx.Response:
    """Answer FAIL when the last message carries the marker."""
    text = json.loads(request.content)["messages"][-1]["content"]
    return answer("FAIL" if "[[FAIL]]" in text else "PASS", f"judged {text}")


class Recorder:
    """Wrap a handler; keep every request it saw."""

    def __init__(self, handler: Handler = judge) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def make(
    handler: Handler, cache: Any, time: FakeTime | None = None, **overrides: Any
) -> JudgeClient:
    options: dict[str, Any] = {
        "model": "judge-1",
        "base_url": "http://judge.test/v1/",
        "api_key_env": KEY_ENV,
        "max_retries": 3,
    }
    settings = JudgeSettings(**{**options, **overrides})
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    clock = time or FakeTime()
    return JudgeClient(
        settings, cache, http, sleep=clock.sleep, clock=clock.clock, rng=random.Random(7)
    )


def sequence(*responses: httpx.Response | Exception) -> Handler:
    """Answer with the given responses in turn (raising exceptions), then judge normally."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        if not queue:
            return judge(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


# ------------------------------------------------------------------------ the happy path


def test_grade_posts_an_openai_request_and_caches_the_verdict(
    cache: VerdictCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    recorder = Recorder()
    client = make(recorder, cache)
    verdict = run(client.grade(prompt(1, fail=True)))
    assert verdict.result == "fail" and verdict.critique == "judged Trace: question 1 [[FAIL]]"
    assert (verdict.cached, verdict.attempts) == (False, 1)
    assert verdict.key == client.key(prompt(1, fail=True))
    request = recorder.requests[0]
    assert str(request.url) == "http://judge.test/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert recorder.bodies()[0] == {
        "model": "judge-1",
        "messages": prompt(1, fail=True),
        "temperature": 0.0,
        "response_format": {"type": "json_object"},
    }
    assert cache.get(verdict.key).result == "fail"  # type: ignore[union-attr]
    again = run(client.grade(prompt(1, fail=True)))
    assert (again.result, again.cached, again.attempts) == ("fail", True, 0)
    assert len(recorder.requests) == 1


def test_without_a_key_in_the_environment_no_authorization_is_sent(cache: VerdictCache) -> None:
    recorder = Recorder()
    run(make(recorder, cache).grade(prompt(1)))
    assert "authorization" not in recorder.requests[0].headers


def test_grade_many_preserves_order_and_reports_progress(cache: VerdictCache) -> None:
    client = make(Recorder(), cache)
    run(client.grade(prompt(2)))  # one cache hit among the misses
    seen: list[tuple[int, str]] = []
    items = [prompt(i, fail=i % 3 == 0) for i in range(7)]
    verdicts = run(client.grade_many(items, progress=lambda i, v: seen.append((i, v.result))))
    assert [v.result for v in verdicts] == ["fail", "pass", "pass", "fail", "pass", "pass", "fail"]
    assert [v.cached for v in verdicts] == [i == 2 for i in range(7)]
    assert sorted(seen) == [(i, verdicts[i].result) for i in range(7)]
    assert seen[0] == (2, "pass")  # cache hits are reported first
    assert client.stats.cache_hits == 1 and client.stats.fetched == 7


def test_identical_prompts_in_one_batch_make_one_call(cache: VerdictCache) -> None:
    recorder = Recorder()
    client = make(recorder, cache)
    verdicts = run(client.grade_many([prompt(1), prompt(1), prompt(1)]))
    assert len(recorder.requests) == 1
    assert [v.result for v in verdicts] == ["pass"] * 3
    assert sorted(v.cached for v in verdicts) == [False, True, True]


def test_concurrency_limit(cache: VerdictCache) -> None:
    active = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.005)
        active -= 1
        return judge(request)

    client = make(slow, cache, concurrency=3)  # type: ignore[arg-type]
    verdicts = run(client.grade_many([prompt(i) for i in range(12)]))
    assert peak == 3 and all(v.result == "pass" for v in verdicts)


# ------------------------------------------------------------------------ retries


def test_429_honours_retry_after_seconds(cache: VerdictCache) -> None:
    time = FakeTime()
    limited = httpx.Response(429, headers={"Retry-After": "7"})
    client = make(sequence(limited), cache, time)
    verdict = run(client.grade(prompt(1)))
    assert (verdict.result, verdict.attempts) == ("pass", 2)
    assert len(time.sleeps) == 1 and 7.0 <= time.sleeps[0] <= 7.7
    assert client.stats.retries == 1 and client.stats.calls == 2


def test_retry_after_as_an_http_date(cache: VerdictCache) -> None:
    time = FakeTime()
    when = datetime.fromtimestamp(time.now + 30, tz=timezone.utc)
    limited = httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    run(make(sequence(limited), cache, time).grade(prompt(1)))
    assert 30.0 <= time.sleeps[0] <= 33.0


def test_retry_after_is_capped(cache: VerdictCache) -> None:
    time = FakeTime()
    limited = httpx.Response(429, headers={"Retry-After": "3600"})
    run(make(sequence(limited), cache, time, retry_after_max=20.0).grade(prompt(1)))
    assert time.sleeps == [20.0]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "Thu, 01 Jan 1970 00:00:10 GMT"}, 0.0),
        ({"retry-after": "Thu, 01 Jan 1970 00:01:40 GMT"}, 90.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsing(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(httpx.Headers(headers), now=10.0) == expected


def test_backoff_is_exponential_with_full_jitter(cache: VerdictCache) -> None:
    time = FakeTime()
    errors = [httpx.Response(500) for _ in range(4)]
    client = make(sequence(*errors), cache, time, max_retries=4, backoff_base=1.0)
    assert run(client.grade(prompt(1))).attempts == 5
    ceilings = [1.0, 2.0, 4.0, 8.0]
    assert all(0 <= s <= c for s, c in zip(time.sleeps, ceilings, strict=True))
    assert len(set(time.sleeps)) == 4  # jittered, not a fixed schedule


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("reset"),
        httpx.Response(200, content=b'{"choices": [{"message": {"cont'),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(502, text="bad gateway"),
        httpx.Response(408),
    ],
    ids=lambda f: type(f).__name__ if isinstance(f, Exception) else str(f.status_code),
)
def test_transient_faults_are_retried(cache: VerdictCache, fault: Any) -> None:
    verdict = run(make(sequence(fault, fault), cache).grade(prompt(1, fail=True)))
    assert (verdict.result, verdict.attempts) == ("fail", 3)


def test_exhausted_retries_give_an_error_that_is_not_cached(cache: VerdictCache) -> None:
    client = make(lambda r: httpx.Response(503), cache, max_retries=2)
    verdict = run(client.grade(prompt(1)))
    assert verdict.result == "error" and verdict.attempts == 3
    assert verdict.reason == "judge endpoint failed after 3 attempts: HTTP 503"
    assert len(cache) == 0 and client.stats.errors == 1


def test_an_endpoint_that_stays_down_fails_the_rest_fast(cache: VerdictCache) -> None:
    recorder = Recorder(lambda r: httpx.Response(500))
    client = make(recorder, cache, max_retries=1, give_up_after=2, concurrency=1)
    verdicts = run(client.grade_many([prompt(i) for i in range(10)]))
    assert {v.result for v in verdicts} == {"error"}
    assert len(recorder.requests) == 4  # two grades tried twice each, then no more calls
    assert verdicts[-1].reason.startswith("judge endpoint unavailable (2 grades failed)")


@pytest.mark.parametrize("status", [401, 403, 404])
def test_auth_and_not_found_stop_all_calls(
    cache: VerdictCache, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    recorder = Recorder(lambda r: httpx.Response(status, json={"error": {"message": "nope"}}))
    client = make(recorder, cache, concurrency=1)
    verdicts = run(client.grade_many([prompt(i) for i in range(5)]))
    assert len(recorder.requests) == 1 and {v.result for v in verdicts} == {"error"}
    assert f"HTTP {status}" in verdicts[0].reason
    if status == 401:
        assert f"${KEY_ENV}" in verdicts[0].reason


def test_other_client_errors_are_not_retried(cache: VerdictCache) -> None:
    recorder = Recorder(lambda r: httpx.Response(400, json={"error": {"message": "too long"}}))
    client = make(recorder, cache)
    verdicts = run(client.grade_many([prompt(1), prompt(2)]))
    assert len(recorder.requests) == 2 and verdicts[0].reason.startswith("HTTP 400: ")
    assert "too long" in verdicts[0].reason


# ------------------------------------------------------------------------ JSON mode fallback


def test_response_format_rejected_once_then_off_for_the_run(cache: VerdictCache) -> None:
    def no_json_mode(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "response_format" in body:
            message = "Invalid parameter: 'response_format' of type 'json_object' is not supported."
            return httpx.Response(400, json={"error": {"message": message}})
        text = body["messages"][-1]["content"]
        content = f"critique\nRESULT: {'FAIL' if '[[FAIL]]' in text else 'PASS'}"
        return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})

    recorder = Recorder(no_json_mode)
    client = make(recorder, cache, concurrency=1)
    verdicts = run(client.grade_many([prompt(1, fail=True), prompt(2)]))
    assert [v.result for v in verdicts] == ["fail", "pass"]
    assert ["response_format" in b for b in recorder.bodies()] == [True, False, False]
    assert client.stats.json_mode is False and verdicts[0].attempts == 2


def test_json_mode_can_be_switched_off(cache: VerdictCache) -> None:
    recorder = Recorder()
    run(make(recorder, cache, json_mode=False).grade(prompt(1)))
    assert "response_format" not in recorder.bodies()[0]


# ------------------------------------------------------------------------ unparseable answers


def test_unparseable_answer_is_an_error_never_a_pass(cache: VerdictCache) -> None:
    content = "I would rate this response 4/5."
    reply = httpx.Response(200, json={"choices": [{"message": {"content": content}}]})
    recorder = Recorder(lambda r: reply)
    client = make(recorder, cache)
    verdict = run(client.grade(prompt(1)))
    assert verdict.result == "error"
    assert verdict.reason == "unparseable answer: the answer is a score, not PASS or FAIL"
    assert verdict.critique == content and verdict.attempts == 1  # not retried
    assert len(cache) == 0
    run(client.grade(prompt(1)))
    assert len(recorder.requests) == 2  # not cached: a re-run asks again


def test_null_content_is_an_empty_answer(cache: VerdictCache) -> None:
    reply = httpx.Response(200, json={"choices": [{"message": {"content": None}}]})
    verdict = run(make(lambda r: reply, cache).grade(prompt(1)))
    assert verdict.reason == "unparseable answer: empty answer"


# ------------------------------------------------------------------------ budget


def test_budget_bounds_real_calls(cache: VerdictCache) -> None:
    recorder = Recorder()
    client = make(recorder, cache, max_calls=3, concurrency=1)
    run(client.grade(prompt(0)))  # spends one call
    verdicts = run(client.grade_many([prompt(i) for i in range(5)]))
    assert len(recorder.requests) == 3
    assert [v.result for v in verdicts] == ["pass", "pass", "pass", "error", "error"]
    assert verdicts[0].cached and verdicts[-1].reason == BUDGET_EXHAUSTED
    assert client.stats.budget_exhausted == 2 and client.stats.calls == 3


def test_retries_count_against_the_budget(cache: VerdictCache) -> None:
    client = make(sequence(httpx.Response(500), httpx.Response(500)), cache, max_calls=2)
    verdict = run(client.grade(prompt(1)))
    assert (verdict.result, verdict.reason, verdict.attempts) == ("error", BUDGET_EXHAUSTED, 2)


# ------------------------------------------------------------------------ offline


def test_offline_makes_no_http_call_and_reports_misses(cache: VerdictCache) -> None:
    run(make(Recorder(), cache).grade(prompt(1, fail=True)))

    def forbidden(request: httpx.Request) -> httpx.Response:
        raise AssertionError("offline mode made an HTTP call")

    client = make(forbidden, cache, offline=True)
    items = [prompt(1, fail=True), prompt(2), prompt(3), prompt(2)]
    verdicts = run(client.grade_many(items))
    assert [v.result for v in verdicts] == ["fail", "error", "error", "error"]
    assert verdicts[1].reason == OFFLINE_MISS
    assert client.stats.missing == [client.key(prompt(2)), client.key(prompt(3))]
    assert client.stats.calls == 0


def test_offline_replays_a_committed_jsonl_file(cache: VerdictCache, tmp_path: Path) -> None:
    run(make(Recorder(), cache).grade_many([prompt(1), prompt(2, fail=True)]))
    committed = tmp_path / "verdicts.jsonl"
    cache.export_jsonl(committed)
    settings = JudgeSettings(model="judge-1", api_key_env=None, offline=True)

    async def replay() -> list[Verdict]:
        async with JudgeClient(settings, ReplayCache(committed)) as client:
            verdicts = await client.grade_many([prompt(1), prompt(2, fail=True)])
            assert client._http is None  # never even created
            return verdicts

    assert [(v.result, v.cached) for v in run(replay())] == [("pass", True), ("fail", True)]


# ------------------------------------------------------------------------ settings and secrets


def test_settings_validation() -> None:
    bad_settings: list[dict[str, Any]] = [
        {"concurrency": 0},
        {"max_retries": -1},
        {"max_calls": -1},
        {"timeout": 0},
        {"give_up_after": 0},
    ]
    for bad in bad_settings:
        with pytest.raises(UsageError):
            JudgeSettings(model="m", **bad)


def test_settings_params_and_key_depend_on_sampling_only(cache: VerdictCache) -> None:
    assert JudgeSettings(model="m").params() == {"temperature": 0.0}
    assert JudgeSettings(model="m", max_tokens=9).params() == {"temperature": 0.0, "max_tokens": 9}
    a = make(judge, cache, base_url="http://a.test/v1", json_mode=False)
    b = make(judge, cache, base_url="http://b.test/v1", timeout=5.0)
    c = make(judge, cache, temperature=0.2)
    assert a.key(prompt(1)) == b.key(prompt(1)) != c.key(prompt(1))


def test_the_api_key_never_leaks(
    cache: VerdictCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)

    def echo(request: httpx.Request) -> httpx.Response:
        auth = request.headers["authorization"]
        text = json.loads(request.content)["messages"][-1]["content"]
        if "question 1" in text:
            return httpx.Response(400, text=f"bad request from {auth}")
        if "question 2" in text:
            return answer("FAIL", f"the caller used {auth}")
        if "question 3" in text:
            content = f"no idea, {auth}"
            return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})
        raise httpx.ConnectError(f"cannot reach, {auth}")

    settings_client = make(echo, cache, max_retries=0)
    verdicts = run(settings_client.grade_many([prompt(i) for i in range(1, 5)]))
    assert [v.result for v in verdicts] == ["error", "fail", "error", "error"]
    settings = settings_client.settings
    assert settings.api_key is not None and settings.api_key.reveal() == SECRET
    exported = tmp_path / "v.jsonl"
    cache.export_jsonl(exported)
    texts = [
        repr(settings),
        str(settings),
        f"{settings.api_key}",
        repr(dataclasses.asdict(settings)),
        repr(settings_client),
        repr(verdicts),
        msgspec.json.encode(verdicts).decode(),
        exported.read_text(),
        cache.path.read_bytes().decode("latin-1"),
        *[p.read_bytes().decode("latin-1") for p in tmp_path.glob("*.db-wal")],
    ]
    for text in texts:
        assert SECRET not in text
    assert "********" in verdicts[1].critique and "********" in verdicts[0].reason
    with pytest.raises(TypeError):
        msgspec.json.encode(settings.api_key)
    with pytest.raises(TypeError):
        json.dumps(settings.api_key)


def test_secret_wrapper() -> None:
    secret = Secret("hunter2")
    assert repr(secret) == str(secret) == "Secret('********')" and secret.reveal() == "hunter2"


def test_client_owns_and_closes_its_http_client(cache: VerdictCache) -> None:
    async def scenario() -> None:
        client = JudgeClient(JudgeSettings(model="m", base_url="http://127.0.0.1:9/v1"), cache)
        http = client._client()
        await client.aclose()
        assert http.is_closed and client._http is None

    run(scenario())
