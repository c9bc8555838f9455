"""HTTP helpers of the judge client: ``Retry-After`` parsing and a lean plain-HTTP transport.

The transport serves plain-``http://`` judge endpoints (local vLLM, Ollama, an in-house gateway).

Why it exists: httpx's default transport (httpcore over anyio) spends several milliseconds of CPU
per request once 32 requests share a pool; its pool bookkeeping is quadratic in the number of
connections. Against a hosted judge that answers in seconds this does not matter. Against a
local server that answers in 100 ms it makes the client, not the server, the bottleneck. This
transport speaks keep-alive HTTP/1.1 over asyncio streams for ``http://`` URLs only, at about a
tenth of the cost. HTTPS, proxies and everything else stay with httpx's own transport
(:func:`lean_transport` decides).

It is an ``httpx.AsyncBaseTransport``: httpx still builds the request, passes the timeouts and
decodes ``Content-Encoding``; faults surface as httpx's usual exceptions (``ConnectError``,
``ConnectTimeout``, ``ReadTimeout`` for the whole exchange, ``ReadError``,
``RemoteProtocolError``), so the client's retry logic does not know which transport it used.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import urllib.request
from collections.abc import Awaitable
from datetime import timezone
from typing import TypeVar

import httpx

__all__ = ["LeanHTTPTransport", "lean_transport", "retry_after_seconds"]

_T = TypeVar("_T")
_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]
_MAX_LINE = 64 * 1024


def lean_transport(url: str, max_idle: int) -> LeanHTTPTransport | None:
    """Return the lean transport for a plain-HTTP URL when no proxy is configured, else None.

    With a proxy in the environment, httpx applies it (and ``NO_PROXY``); it only does so when
    it builds its own transport, so None tells the caller to let it.
    """
    proxies = urllib.request.getproxies_environment()
    if httpx.URL(url).scheme == "http" and not ("http" in proxies or "all" in proxies):
        return LeanHTTPTransport(max_idle=max_idle)
    return None


def retry_after_seconds(headers: httpx.Headers, now: float) -> float | None:
    """Return the wait a response asks for, in seconds, or None.

    Reads ``retry-after-ms`` (OpenAI), then ``Retry-After`` as seconds or an HTTP date
    (relative to ``now``, a POSIX time). Negative waits become 0; unreadable values are ignored.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _number(millis)
        if seconds is not None:
            return seconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is None:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - now
    return max(seconds, 0.0)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return max(value, 0.0) if math.isfinite(value) else None


class LeanHTTPTransport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 for ``http://`` URLs; the caller bounds concurrency.

    Idle connections are kept per (host, port), up to ``max_idle`` each. A request that fails on
    a reused connection before any byte of the answer arrives (the server closed it while idle)
    is sent once more on a fresh connection, as browsers and httpcore do.
    """

    def __init__(self, max_idle: int = 32) -> None:
        self._max_idle = max_idle
        self._idle: dict[tuple[str, int], list[_Conn]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole answer."""
        if request.url.scheme != "http":
            raise httpx.UnsupportedProtocol(f"lean transport serves http:// only: {request.url}")
        timeouts = request.extensions.get("timeout", {})
        payload = _serialise(request, await request.aread())
        origin = (request.url.host, request.url.port or 80)
        conn = self._take(origin)
        if conn is not None:
            try:
                return await self._exchange(origin, conn, payload, timeouts, reused=True)
            except _StaleConnection:
                pass  # fall through to a fresh connection
        conn = await _connect(origin, timeouts.get("connect"))
        return await self._exchange(origin, conn, payload, timeouts, reused=False)

    async def _exchange(
        self,
        origin: tuple[str, int],
        conn: _Conn,
        payload: bytes,
        timeouts: dict[str, float | None],
        *,
        reused: bool,
    ) -> httpx.Response:
        # One deadline for the whole exchange: a wait_for per read would cost a task each.
        seconds = timeouts.get("read")
        reader, writer = conn
        try:
            exchange = _send_and_read(conn, payload, reused)
            status, headers, body, keep_alive = await _within(exchange, seconds, httpx.ReadTimeout)
        except (_StaleConnection, httpx.TransportError):
            writer.close()
            raise
        except (OSError, EOFError, ValueError, asyncio.LimitOverrunError) as exc:
            writer.close()
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            writer.close()  # timed out or cancelled mid-exchange: the connection is unusable
            raise
        if keep_alive:
            self._give_back(origin, conn)
        else:
            writer.close()
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    def _take(self, origin: tuple[str, int]) -> _Conn | None:
        pool = self._idle.get(origin, [])
        while pool:
            conn = pool.pop()
            if not conn[0].at_eof() and not conn[1].is_closing():
                return conn
            conn[1].close()
        return None

    def _give_back(self, origin: tuple[str, int], conn: _Conn) -> None:
        pool = self._idle.setdefault(origin, [])
        if len(pool) < self._max_idle:
            pool.append(conn)
        else:
            conn[1].close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        for pool in self._idle.values():
            for _, writer in pool:
                writer.close()
        self._idle.clear()


class _StaleConnection(Exception):
    """A reused keep-alive connection was closed by the server before it answered."""


async def _within(
    awaitable: Awaitable[_T], seconds: float | None, error: type[httpx.TimeoutException]
) -> _T:
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise error(f"no answer within {seconds:g}s") from None


async def _connect(origin: tuple[str, int], seconds: float | None) -> _Conn:
    try:
        return await _within(
            asyncio.open_connection(*origin, limit=_MAX_LINE), seconds, httpx.ConnectTimeout
        )
    except OSError as exc:
        raise httpx.ConnectError(
            f"cannot connect to {origin[0]}:{origin[1]}: {exc.strerror or exc}"
        ) from exc


def _serialise(request: httpx.Request, body: bytes) -> bytes:
    target = request.url.raw_path.decode("ascii")
    lines = [f"{request.method} {target} HTTP/1.1".encode("ascii")]
    lines += [name + b": " + value for name, value in request.headers.raw]
    if body and "content-length" not in request.headers:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def _send_and_read(
    conn: _Conn, payload: bytes, reused: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
    reader, writer = conn
    try:
        writer.write(payload)
        await writer.drain()
        first = await reader.readline()
    except ConnectionError:
        if reused:  # closed by the server while idle: nothing of an answer has arrived
            raise _StaleConnection from None
        raise
    if not first and reused:
        raise _StaleConnection
    parts = first.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise httpx.RemoteProtocolError(f"malformed status line: {first[:80]!r}")
    status = int(parts[1])
    headers = await _headers(reader)
    connection = _header(headers, b"connection").lower()
    keep_alive = connection != b"close" and (parts[0] == b"HTTP/1.1" or connection == b"keep-alive")
    if status in (204, 304) or status < 200:
        return status, headers, b"", keep_alive
    if b"chunked" in _header(headers, b"transfer-encoding").lower():
        return status, headers, await _chunked(reader), keep_alive
    length = _header(headers, b"content-length")
    if length:
        return status, headers, await reader.readexactly(int(length)), keep_alive
    return status, headers, await reader.read(), False  # the body ends when the server closes


async def _headers(reader: asyncio.StreamReader) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise httpx.RemoteProtocolError("connection closed inside the response headers")
        name, _, value = line.partition(b":")
        headers.append((name.strip(), value.strip()))


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    for key, value in headers:
        if key.lower() == name:
            return value
    return b""


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
