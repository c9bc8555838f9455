"""The judge client: OpenAI-compatible chat completions over httpx, cached and fault tolerant.

A grade goes through these steps, and each one is a place where money is saved or a fault is
absorbed:

1. **Cache.** The key is a hash of the model, the rendered messages and the sampling parameters
   (:func:`evalspec.judge.cache.key`). A hit costs nothing. Identical prompts in flight at the
   same time share one request.
2. **Offline.** With ``offline=True`` no HTTP request is ever made: a miss is an ``error``
   verdict (:data:`OFFLINE_MISS`) and its key is listed in ``stats.missing``.
3. **Budget.** ``max_calls`` bounds the HTTP requests of a run, retries included, so it is a hard
   ceiling on what the provider can bill. Past it, misses are ``error`` (:data:`BUDGET_EXHAUSTED`).
4. **Request.** At most ``concurrency`` requests at a time (plain ``http://`` endpoints go through
   the lean transport in :mod:`evalspec.judge._http`); temperature 0; JSON mode
   (``response_format={"type": "json_object"}``) unless the server rejects it with a 400 that
   names ``response_format``, in which case the request is repeated once without it and JSON
   mode stays off for the rest of the run.
5. **Retries.** 429, 408, 5xx, timeouts, connection errors and malformed response bodies are
   retried up to ``max_retries`` times with exponential backoff and full jitter, or after the
   server's ``Retry-After`` (seconds or an HTTP date; capped by ``retry_after_max``).
   401/403/404 stop the run's remaining calls: every further request would fail the same way.
   After ``give_up_after`` consecutive grades that exhausted their retries, the endpoint is
   considered down and the remaining grades fail fast instead of waiting through every backoff.
6. **Answer.** :func:`evalspec.judge.templates.parse_answer` reads PASS/FAIL strictly. ``pass``
   and ``fail`` are stored in the cache the moment they arrive; an unparseable answer is an
   ``error`` verdict, never a pass, and is not cached.

An ``error`` verdict means the evaluation is incomplete; the caller reports it with
:class:`evalspec.errors.JudgeError` (exit code 3), never as a regression.

Secrets: the API key is read from the environment variable named by ``api_key_env`` and held in a
:class:`Secret`, which prints as ``'********'``. It is removed from every reason and critique
before they are returned or cached.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import msgspec

from evalspec._version import __version__
from evalspec.errors import UsageError
from evalspec.judge._http import lean_transport, retry_after_seconds
from evalspec.judge.cache import CachedVerdict, VerdictStore
from evalspec.judge.cache import key as cache_key
from evalspec.judge.templates import ParsedVerdict, parse_answer

__all__ = [
    "BUDGET_EXHAUSTED",
    "OFFLINE_MISS",
    "JudgeClient",
    "JudgeSettings",
    "JudgeStats",
    "Secret",
    "Verdict",
    "retry_after_seconds",
]

#: The reason of an ``error`` verdict for a cache miss under ``--offline``.
OFFLINE_MISS = "not in cache (offline)"
#: The reason of an ``error`` verdict once ``max_calls`` requests have been spent.
BUDGET_EXHAUSTED = "budget exhausted"

Messages = Sequence[Mapping[str, Any]]
Progress = Callable[[int, "Verdict"], None]
_MAX_CRITIQUE = 2000  # characters of an unparseable answer kept for the report


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or f-strings; ``reveal()`` gets it.

    msgspec and json refuse to encode it, so it cannot slip into a results file either.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value (only for the Authorization header)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass(frozen=True, kw_only=True)
class JudgeSettings:
    """Where and how to ask the judge. The API key comes from the environment only.

    ``api_key`` is resolved from ``os.environ[api_key_env]`` at construction (None when unset,
    which suits local servers that need no key); it is excluded from ``repr`` and comparisons.
    Times are in seconds. ``max_calls`` (None: unlimited) bounds HTTP requests, retries included.
    """

    model: str
    base_url: str = "https://api.openai.com/v1"
    api_key_env: str | None = "OPENAI_API_KEY"
    temperature: float = 0.0
    max_tokens: int | None = None
    timeout: float = 60.0
    concurrency: int = 8
    max_retries: int = 5
    max_calls: int | None = None
    json_mode: bool = True
    offline: bool = False
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    give_up_after: int = 3
    api_key: Secret | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.max_retries < 0 or self.give_up_after < 1:
            raise UsageError("judge: concurrency and give_up_after must be >= 1, max_retries >= 0")
        if self.max_calls is not None and self.max_calls < 0:
            raise UsageError("judge: max_calls must be >= 0")
        if not self.timeout > 0:
            raise UsageError("judge: timeout must be positive")
        value = os.environ.get(self.api_key_env) if self.api_key_env else None
        object.__setattr__(self, "api_key", Secret(value) if value else None)

    def params(self) -> dict[str, Any]:
        """Return the sampling parameters sent with each request (and hashed into the key)."""
        params: dict[str, Any] = {"temperature": float(self.temperature)}
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        return params


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """A judge guard's verdict on one trace.

    ``result``: ``fail`` when the judge answered FAIL (the failure mode is present: the mode
    fires), ``pass`` when it answered PASS, ``error`` when no verdict could be obtained
    (``reason`` says why). ``cached``: no request was made for it. ``attempts``: HTTP requests
    made for it. ``latency_ms``: time from the first request to the verdict. ``key``: cache key.
    """

    result: Literal["pass", "fail", "error"]
    critique: str = ""
    reason: str = ""
    cached: bool = False
    attempts: int = 0
    latency_ms: int = 0
    key: str = ""


@dataclass
class JudgeStats:
    """Counters of one client's run, for the caller's summary."""

    #: HTTP requests sent (what ``max_calls`` bounds).
    calls: int = 0
    #: Verdicts served from the cache (or shared with an identical prompt in flight).
    cache_hits: int = 0
    #: Verdicts received from the judge and stored.
    fetched: int = 0
    #: Requests repeated after a transient fault.
    retries: int = 0
    #: ``error`` verdicts of any kind.
    errors: int = 0
    #: Grades refused because the budget was spent.
    budget_exhausted: int = 0
    #: Cache keys missing under ``offline`` (each an ``error`` verdict).
    missing: list[str] = field(default_factory=list)
    #: False once the server rejected ``response_format`` during this run.
    json_mode: bool = True


class _Retry(Exception):
    """A transient fault: try again after a backoff or the server's Retry-After."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Fatal(Exception):
    """A fault that retrying cannot fix; ``stop`` means every later request would fail too."""

    def __init__(self, reason: str, stop: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stop = stop


class _NoJsonMode(Exception):
    """The server rejected ``response_format``."""


class _Message(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    message: _Message


class _Completion(msgspec.Struct):
    choices: list[_Choice]


_COMPLETION = msgspec.json.Decoder(_Completion)


@dataclass
class _Inflight:
    task: asyncio.Task[Verdict]
    waiters: int = 0


class JudgeClient:
    """Grades rendered judge prompts against an OpenAI-compatible endpoint, with a cache.

    ``http`` is an injected ``httpx.AsyncClient`` (tests pass one over ``httpx.MockTransport``);
    without it the client creates and owns one, closed by :meth:`aclose` or ``async with``.
    ``sleep``, ``clock`` (POSIX seconds, for HTTP-date Retry-After) and ``rng`` are injectable
    so retry tests run instantly and deterministically. Use one client per event loop.
    """

    def __init__(
        self,
        settings: JudgeSettings,
        cache: VerdictStore,
        http: httpx.AsyncClient | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.stats = JudgeStats(json_mode=settings.json_mode)
        self._http = http
        self._owns_http = http is None
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._url = settings.base_url.rstrip("/") + "/chat/completions"
        self._params = settings.params()
        self._inflight: dict[str, _Inflight] = {}
        self._semaphore: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._down: str | None = None  # set when the endpoint is known to be unusable
        self._streak = 0  # consecutive grades that exhausted their retries
        self._missing: set[str] = set()

    def __repr__(self) -> str:
        return f"JudgeClient(model={self.settings.model!r}, base_url={self.settings.base_url!r})"

    async def __aenter__(self) -> JudgeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    def key(self, messages: Messages) -> str:
        """Return the cache key of a rendered prompt under these settings."""
        return cache_key(self.settings.model, messages, self._params)

    async def grade(self, messages: Messages) -> Verdict:
        """Grade one rendered prompt; see :meth:`grade_many`."""
        return (await self.grade_many([messages]))[0]

    async def grade_many(
        self, items: Sequence[Messages], progress: Progress | None = None
    ) -> list[Verdict]:
        """Grade rendered prompts concurrently; the verdicts come back in the order of ``items``.

        ``progress(index, verdict)`` is called as each verdict is known, cache hits first.
        Cancelling the call cancels the requests in flight; every verdict received before that
        is already in the cache, so a re-run asks only for the rest.
        """
        verdicts: list[Verdict | None] = [None] * len(items)
        misses: list[tuple[int, str]] = []
        for index, messages in enumerate(items):
            key = self.key(messages)
            hit = self.cache.get(key)
            if hit is None:
                misses.append((index, key))
            else:
                verdicts[index] = self._note(_from_cache(hit), index, progress)
        tasks = [
            asyncio.ensure_future(self._resolve(index, key, items[index], progress))
            for index, key in misses
        ]
        try:
            for (index, _), verdict in zip(misses, await asyncio.gather(*tasks), strict=True):
                verdicts[index] = verdict
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        return [v for v in verdicts if v is not None]

    def _note(self, verdict: Verdict, index: int, progress: Progress | None) -> Verdict:
        if verdict.cached:
            self.stats.cache_hits += 1
        if verdict.result == "error":
            self.stats.errors += 1
        if progress is not None:
            progress(index, verdict)
        return verdict

    async def _resolve(
        self, index: int, key: str, messages: Messages, progress: Progress | None
    ) -> Verdict:
        if self.settings.offline:
            if key not in self._missing:
                self._missing.add(key)
                self.stats.missing.append(key)
            return self._note(_error(key, OFFLINE_MISS), index, progress)
        entry = self._inflight.get(key)
        shared = entry is not None
        if entry is None:
            entry = self._start(key, messages)
        entry.waiters += 1
        try:
            verdict = await asyncio.shield(entry.task)
        except asyncio.CancelledError:
            # The last caller to leave cancels the request: nobody would receive its answer.
            entry.waiters -= 1
            if entry.waiters == 0:
                entry.task.cancel()
            raise
        if shared and verdict.result != "error":
            verdict = msgspec.structs.replace(verdict, cached=True, attempts=0, latency_ms=0)
        return self._note(verdict, index, progress)

    def _start(self, key: str, messages: Messages) -> _Inflight:
        entry = _Inflight(asyncio.ensure_future(self._fetch(key, messages)))
        self._inflight[key] = entry

        def forget(_: object) -> None:
            if self._inflight.get(key) is entry:
                del self._inflight[key]

        entry.task.add_done_callback(forget)
        return entry

    def _limit(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; make a new one if the loop changed.
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._semaphore[0] is not loop:
            self._semaphore = (loop, asyncio.Semaphore(self.settings.concurrency))
        return self._semaphore[1]

    async def _fetch(self, key: str, messages: Messages) -> Verdict:
        async with self._limit():
            hit = self.cache.get(key)  # another process may have stored it while we waited
            if hit is not None:
                return _from_cache(hit)
            if self._down is not None:
                return _error(key, self._down)
            started = time.perf_counter()
            attempts, parsed, answer = await self._call(messages)
            latency_ms = round((time.perf_counter() - started) * 1000)
        if parsed.result == "error":
            reason, answer = self._scrub(parsed.reason), self._scrub(answer)
            return _error(key, reason, answer, attempts, latency_ms)
        critique = self._scrub(parsed.critique)
        # Stored before anything else can happen: an interruption after this line loses nothing.
        self.cache.put(key, self.settings.model, parsed.result, critique)
        self.stats.fetched += 1
        return Verdict(
            result=parsed.result,
            critique=critique,
            attempts=attempts,
            latency_ms=latency_ms,
            key=key,
        )

    async def _call(self, messages: Messages) -> tuple[int, ParsedVerdict, str]:
        """Ask until an answer, a fatal fault, the retry limit or the budget; never raises."""
        attempts = failures = 0
        while True:
            if not self._spend():
                self.stats.budget_exhausted += 1
                return attempts, _parse_error(BUDGET_EXHAUSTED), ""
            attempts += 1
            try:
                parsed, answer = await self._attempt(messages)
            except _NoJsonMode:
                self.stats.json_mode = False  # for the rest of the run
                continue
            except _Fatal as exc:
                if exc.stop:
                    self._down = exc.reason
                else:
                    self._streak = 0  # the endpoint answered; only this request was refused
                return attempts, _parse_error(exc.reason), ""
            except _Retry as exc:
                failures += 1
                if failures > self.settings.max_retries:
                    return attempts, _parse_error(self._exhausted(attempts, exc.reason)), ""
                self.stats.retries += 1
                await self._sleep(self._delay(failures, exc.retry_after))
                continue
            self._streak = 0
            if parsed.result == "error":
                return attempts, _parse_error(f"unparseable answer: {parsed.reason}"), answer
            return attempts, parsed, answer

    def _spend(self) -> bool:
        limit = self.settings.max_calls
        if limit is not None and self.stats.calls >= limit:
            return False
        self.stats.calls += 1
        return True

    def _exhausted(self, attempts: int, reason: str) -> str:
        self._streak += 1
        message = f"judge endpoint failed after {attempts} attempts: {reason}"
        if self._streak >= self.settings.give_up_after and self._down is None:
            self._down = f"judge endpoint unavailable ({self._streak} grades failed): {reason}"
        return message

    def _delay(self, failures: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff, or the server's Retry-After plus up to 10%."""
        settings = self.settings
        if retry_after is not None:
            wait = min(retry_after, settings.retry_after_max)
            # A little jitter on top, so that clients told the same instant do not return together.
            return min(wait * (1 + 0.1 * self._rng.random()), settings.retry_after_max)
        ceiling = min(settings.backoff_max, settings.backoff_base * 2 ** (failures - 1))
        return self._rng.uniform(0, ceiling)

    async def _attempt(self, messages: Messages) -> tuple[ParsedVerdict, str]:
        json_mode = self.stats.json_mode
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages, **self._params}
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        http = self._client()
        try:
            response = await http.post(
                self._url,
                content=msgspec.json.encode(body),
                headers=self._headers(),
                timeout=self.settings.timeout,
            )
        except httpx.TimeoutException as exc:
            reason = f"timed out after {self.settings.timeout:g}s ({type(exc).__name__})"
            raise _Retry(reason) from exc
        except httpx.TransportError as exc:
            reason = f"connection error: {type(exc).__name__}: {self._scrub(str(exc))}"
            raise _Retry(reason) from exc
        return self._read(response, json_mode)

    def _read(self, response: httpx.Response, json_mode: bool) -> tuple[ParsedVerdict, str]:
        status = response.status_code
        if 200 <= status < 300:
            try:
                completion = _COMPLETION.decode(response.content)
                content = completion.choices[0].message.content or ""
            except (msgspec.DecodeError, IndexError):
                raise _Retry(f"malformed response body (HTTP {status})") from None
            return parse_answer(content), content[:_MAX_CRITIQUE]
        if status in (400, 422) and json_mode and b"response_format" in response.content.lower():
            raise _NoJsonMode
        detail = self._scrub(response.text[:300].strip())
        if status in (408, 429) or status >= 500:
            raise _Retry(f"HTTP {status}", retry_after_seconds(response.headers, self._clock()))
        if status in (401, 403):
            env = self.settings.api_key_env
            raise _Fatal(f"HTTP {status}: the API key (${env}) was refused: {detail}", True)
        if status == 404:
            raise _Fatal(f"HTTP 404 from {self._url}: wrong base_url or model? {detail}", True)
        raise _Fatal(f"HTTP {status}: {detail}")

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": f"evalspec/{__version__}"}
        if self.settings.api_key is not None:
            headers["Authorization"] = f"Bearer {self.settings.api_key.reveal()}"
        return headers

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            size = self.settings.concurrency
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            transport = lean_transport(self._url, size)
            self._http = httpx.AsyncClient(
                limits=limits, timeout=self.settings.timeout, transport=transport
            )
        return self._http

    def _scrub(self, text: str) -> str:
        """Remove the API key from text that came back from the server (some echo it)."""
        secret = self.settings.api_key
        if secret is not None and secret.reveal() in text:
            return text.replace(secret.reveal(), "********")
        return text


def _from_cache(hit: CachedVerdict) -> Verdict:
    return Verdict(result=hit.result, critique=hit.critique, cached=True, key=hit.key)


def _error(key: str, reason: str, answer: str = "", attempts: int = 0, ms: int = 0) -> Verdict:
    return Verdict(
        result="error", reason=reason, critique=answer, attempts=attempts, latency_ms=ms, key=key
    )


def _parse_error(reason: str) -> ParsedVerdict:
    return ParsedVerdict(result="error", reason=reason)
