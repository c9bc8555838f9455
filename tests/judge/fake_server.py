"""A small OpenAI-compatible judge server for tests and benchmarks, with fault injection.

``POST /v1/chat/completions`` answers like a judge: FAIL when the last user message contains
:data:`FAIL_MARKER`, PASS otherwise; as a JSON object when the request asks for
``response_format={"type": "json_object"}``, else as text ending in ``RESULT: PASS|FAIL``.
``GET /stats`` returns the counters as JSON and ``POST /reset`` clears them.

Faults are chosen per request by ``faults(prompt_id, attempt, text)``, where ``attempt`` counts
the requests seen for that prompt (1 for the first) and ``text`` is the last user message. It
returns ``None`` or one of:

``"429"`` / ``"429:<retry-after>"``   rate limited, with a Retry-After header (default ``"0"``)
``"500"`` / ``"503"``                 server error
``"hang"``                            hold the request for ``hang_seconds``, then drop it unanswered
``"malformed"``                       HTTP 200 with a truncated JSON body
``"unparseable"``                     HTTP 200, well formed, but the answer is a score
``"slow:<seconds>"``                  extra latency, then a normal answer

``prompt_id(messages)`` is a short hash of the messages, so tests can look up the counters:
``requests[pid]`` counts every request, ``answered[pid]`` the verdicts delivered.

In process::

    with FakeJudgeServer(latency=0.01) as server:
        settings = JudgeSettings(model="fake", base_url=server.base_url)

Standalone (prints ``FAKE_JUDGE_URL=http://127.0.0.1:<port>/v1``, serves until interrupted)::

    python tests/judge/fake_server.py --port 0 --latency-ms 100 [--fault-rate 0.1 --seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import signal
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAIL_MARKER = "[[FAIL]]"
#: ``faults(prompt_id, attempt, last_user_text) -> fault or None``
FaultPlan = Callable[[str, int, str], "str | None"]
_MALFORMED = b'{"id": "x", "choices": [{"message": {"role": "assistant", "content": "{\\"re'


def prompt_id(messages: Sequence[dict[str, Any]]) -> str:
    """Return a short, stable id for a list of chat messages."""
    canonical = json.dumps(list(messages), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def scripted(plan: dict[str, Sequence[str | None]]) -> FaultPlan:
    """Faults by content: ``{substring: [fault for attempt 1, attempt 2, ...]}``.

    The first substring found in the request's last user message applies; attempts beyond the
    list are answered normally.
    """

    def faults(pid: str, attempt: int, text: str) -> str | None:
        for needle, sequence in plan.items():
            if needle in text:
                return sequence[attempt - 1] if attempt <= len(sequence) else None
        return None

    return faults


def random_faults(
    rate: float,
    seed: int = 0,
    kinds: Sequence[str] = ("429", "500", "malformed"),
    max_attempt: int = 2,
) -> FaultPlan:
    """Deterministic pseudo-random faults: the same prompt and attempt always get the same fault.

    Only the first ``max_attempt`` attempts of a prompt can fail, so a client that retries more
    often than that always gets its verdict.
    """

    def faults(pid: str, attempt: int, text: str) -> str | None:
        if attempt > max_attempt:
            return None
        draw = random.Random(f"{seed}:{pid}:{attempt}")
        return draw.choice(list(kinds)) if draw.random() < rate else None

    return faults


class FakeJudgeServer:
    """The server, run in a background thread; a context manager. Attributes may be changed
    while it runs (``latency``, ``faults``, ``supports_json_mode``, ``api_key``)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        supports_json_mode: bool = True,
        hang_seconds: float = 5.0,
        api_key: str | None = None,
    ) -> None:
        self.latency = latency
        self.faults = faults
        self.supports_json_mode = supports_json_mode
        self.hang_seconds = hang_seconds
        self.api_key = api_key
        self.requests: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._host = host
        self._httpd = _Server((host, port), _Handler)
        self._httpd.app = self
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The URL a client uses as ``base_url`` (ends in ``/v1``)."""
        return f"http://{self._host}:{self._httpd.server_port}/v1"

    @property
    def total_requests(self) -> int:
        """All chat-completion requests received."""
        with self._lock:
            return sum(self.requests.values())

    def start(self) -> FakeJudgeServer:
        """Serve in a daemon thread."""
        # A short poll interval: stop() waits for the serving loop to notice, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests held by ``hang`` or latency are released at once."""
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            for conn in list(self._connections):
                _shutdown_quietly(conn)
        self._httpd.server_close()

    def reset(self) -> None:
        """Clear the counters."""
        with self._lock:
            self.requests.clear()
            self.answered.clear()
            self.injected.clear()

    def stats(self) -> dict[str, Any]:
        """Return the counters as plain data (also served at ``GET /stats``)."""
        with self._lock:
            return {
                "requests": sum(self.requests.values()),
                "answered": sum(self.answered.values()),
                "distinct_prompts": len(self.requests),
                "answered_more_than_once": sum(1 for n in self.answered.values() if n > 1),
                "injected": dict(self.injected),
            }

    def __enter__(self) -> FakeJudgeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- called by the handler threads

    def count(self, counter: Counter[str], key: str, step: int = 1) -> int:
        with self._lock:
            counter[key] += step
            return counter[key]

    def choose_fault(self, pid: str, attempt: int, text: str) -> str | None:
        return None if self.faults is None else self.faults(pid, attempt, text)

    def pause(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops."""
        if seconds > 0:
            self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of concurrent connects must not overflow the backlog
    app: FakeJudgeServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do
    # Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK add ~40 ms per answer.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.app._lock:
            self.server.app._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.app._lock:
            self.server.app._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and benchmarks read their own output."""

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/stats"):
            self._send(200, self.server.app.stats())
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        app = self.server.app
        if self.path.rstrip("/").endswith("/reset"):
            app.reset()
            self._send(200, {"ok": True})
        elif self.path.rstrip("/").endswith("/chat/completions"):
            self._chat(app, raw)
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def _chat(self, app: FakeJudgeServer, raw: bytes) -> None:
        try:
            body = json.loads(raw)
            messages = body["messages"]
        except (ValueError, KeyError, TypeError):
            self._send(400, {"error": {"message": "invalid request body"}})
            return
        if app.api_key is not None and self.headers.get("Authorization") != f"Bearer {app.api_key}":
            self._send(401, {"error": {"message": "Incorrect API key provided."}})
            return
        pid = prompt_id(messages)
        attempt = app.count(app.requests, pid)
        json_mode = (body.get("response_format") or {}).get("type") == "json_object"
        if json_mode and not app.supports_json_mode:
            self._send(400, {"error": {"message": "'response_format' is not supported"}})
            return
        text = _last_user_text(messages)
        fault = app.choose_fault(pid, attempt, text)
        if fault is not None:
            app.count(app.injected, fault.split(":")[0])
        app.pause(app.latency)
        if self._inject(app, fault):
            return
        verdict = "FAIL" if FAIL_MARKER in text else "PASS"
        # Counted before sending: once the client holds the answer, the count must show it.
        app.count(app.answered, pid)
        if not self._send(200, _completion(body, _answer(verdict, json_mode))):
            app.count(app.answered, pid, -1)

    def _inject(self, app: FakeJudgeServer, fault: str | None) -> bool:
        """Apply a fault; return True if the request has been dealt with."""
        kind, _, arg = (fault or "").partition(":")
        if kind == "429":
            self._send(429, {"error": {"message": "Rate limit"}}, {"Retry-After": arg or "0"})
        elif kind in ("500", "502", "503"):
            self._send(int(kind), {"error": {"message": "server error"}})
        elif kind == "hang":
            app.pause(app.hang_seconds)
            self.close_connection = True  # drop the request without an answer
        elif kind == "malformed":
            self._send_bytes(200, _MALFORMED)
        elif kind == "unparseable":
            self._send(200, _completion({}, "I would rate this 4/5."))
        elif kind == "slow":
            app.pause(float(arg or 1))
            return False
        else:
            return False
        return True

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> bool:
        return self._send_bytes(status, json.dumps(data).encode(), headers)

    def _send_bytes(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> bool:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client went away (timed out or cancelled)
            self.close_connection = True
            return False
        return True


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return str(message["content"])
    return ""


def _answer(verdict: str, json_mode: bool) -> str:
    critique = f"The fake judge found {'the' if verdict == 'FAIL' else 'no'} failure marker."
    if json_mode:
        return json.dumps({"critique": critique, "result": verdict})
    return f"{critique}\nRESULT: {verdict}"


def _completion(request: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": request.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _shutdown_quietly(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--faults", default="429,500,malformed", help="kinds, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-json-mode", action="store_true")
    parser.add_argument("--api-key", default=None, help="require this bearer token")
    args = parser.parse_args(argv)
    plan = (
        random_faults(args.fault_rate, args.seed, args.faults.split(","))
        if args.fault_rate
        else None
    )
    server = FakeJudgeServer(
        host=args.host,
        port=args.port,
        latency=args.latency_ms / 1000,
        faults=plan,
        supports_json_mode=not args.no_json_mode,
        api_key=args.api_key,
    )
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with server:
        print(f"FAKE_JUDGE_URL={server.base_url}", flush=True)
        while not done.wait(0.05):
            pass
    print(json.dumps(server.stats()), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
