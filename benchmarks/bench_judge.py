"""Judge client throughput against the local fake server, then a re-run from the cache.

Targets (issue #6): with 100 ms latency per call and a concurrency of 32, 2,000 judge calls take
less than 1.3 times the ideal (2,000 x 0.1 s / 32 = 6.25 s); the second run, served from the
cache, takes less than 1 s and makes no call.

The server runs as a separate process (``tests/judge/fake_server.py``) so that its threads do not
compete with the client for the GIL, as a real endpoint would not.

    python benchmarks/bench_judge.py [--n 2000] [--concurrency 32] [--latency-ms 100]

Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from evalspec.judge.cache import VerdictCache
from evalspec.judge.client import JudgeClient, JudgeSettings
from evalspec.judge.templates import render

SERVER = Path(__file__).resolve().parents[1] / "tests" / "judge" / "fake_server.py"
TEMPLATE = """\
Failure mode: the answer ignores the user's dietary restriction.

User request:
{{input}}

Assistant answer:
{{output}}
"""


def prompts(n: int) -> list[list[dict[str, str]]]:
    """Render ``n`` distinct judge prompts; every fifth one carries the FAIL marker."""
    traces = [
        {
            "id": f"tr_{i:05d}",
            "input": f"Vegetarian dinner idea number {i}, please.",
            "output": f"Try the lentil stew #{i}." + (" [[FAIL]] with bacon" if i % 5 == 0 else ""),
        }
        for i in range(n)
    ]
    return [render(TEMPLATE, trace) for trace in traces]


def start_server(latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    """Start the fake server process; return it and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("FAKE_JUDGE_URL="):
        proc.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return proc, line.split("=", 1)[1]


def server_stats(base_url: str) -> dict[str, int]:
    """Return the server's counters."""
    with urllib.request.urlopen(base_url + "/stats", timeout=5) as response:
        data: dict[str, int] = json.load(response)
    return data


async def run(
    settings: JudgeSettings, cache_path: Path, items: list[list[dict[str, str]]]
) -> tuple[float, int]:
    """Grade ``items`` with a fresh client over the cache file; return (seconds, errors)."""
    started = time.perf_counter()
    with VerdictCache(cache_path) as cache:
        async with JudgeClient(settings, cache) as client:
            verdicts = await client.grade_many(items)
    elapsed = time.perf_counter() - started
    return elapsed, sum(v.result == "error" for v in verdicts)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description="judge client benchmark")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    items = prompts(args.n)
    ideal = args.n * args.latency_ms / 1000 / args.concurrency
    proc, base_url = start_server(args.latency_ms)
    try:
        settings = JudgeSettings(
            model="fake-judge", base_url=base_url, api_key_env=None, concurrency=args.concurrency
        )
        with tempfile.TemporaryDirectory() as tmp:
            cache_path = Path(tmp) / "verdicts.db"
            first, errors1 = asyncio.run(run(settings, cache_path, items))
            after_first = server_stats(base_url)
            second, errors2 = asyncio.run(run(settings, cache_path, items))
            after_second = server_stats(base_url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    calls_second = after_second["requests"] - after_first["requests"]
    ratio = first / ideal
    print(
        f"judge calls:        {args.n} at concurrency {args.concurrency}, "
        f"{args.latency_ms:g} ms latency"
    )
    print(
        f"first run:          {first:.2f} s (ideal {ideal:.2f} s, ratio {ratio:.2f}, target < 1.30)"
    )
    print(
        f"  server requests:  {after_first['requests']}, answered {after_first['answered']}, "
        f"errors {errors1}"
    )
    print(
        f"second run (cache): {second:.3f} s (target < 1 s), server requests {calls_second}, "
        f"errors {errors2}"
    )
    ok = ratio < 1.3 and second < 1.0 and calls_second == 0 and not errors1 and not errors2
    print("PASS" if ok else "FAIL: a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
