"""Speed and memory of `evalspec check` on large trace sets (issue #4's targets).

Generates evalspec JSONL files of realistic records (about 800 bytes each) under
benchmarks/.data/, then measures in the same run:

* the bare loop: decode each line with msgspec into a small Struct and run the five tests by hand;
* `evalspec check -j 2` (a subprocess, wall clock, start-up included), with the peak resident
  memory of its whole process tree, sampled from /proc;
* `evalspec check` on 10,000 traces (the start-up-dominated case).

    python benchmarks/bench_check.py                 # 10,000 and 1,000,000 traces
    python benchmarks/bench_check.py --sizes 10000 100000

Targets: check -j 2 <= 1.5 x the bare loop; peak memory < 200 MB and flat in the number of
traces; 10,000 traces in < 0.5 s wall.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import msgspec

DATA = Path(__file__).resolve().parent / ".data" / "check"
SPEC = """\
suite bench {
  traces "traces-N.jsonl"
}

mode bench "Five guards over every trace" {
  assert output contains "order"
  assert output matches /(?i)thank(s| you)/
  assert not output is json
  assert len(output) <= 600
  assert not output icontains "lawsuit"
}
"""
WORDS = (
    "order parcel refund delivery kettle pan thanks please return policy week courier "
    "lawsuit sorry thank you item price shipping express standard"
).split()


def make_traces(path: Path, n: int) -> None:
    """Write n records; deterministic, so every run measures the same bytes."""
    rng = random.Random(n)
    encoder = msgspec.json.Encoder()
    with path.open("wb") as out:
        for i in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 70)))
            record = {
                "id": f"tr_{i:07d}",
                "input": "Where is my order? " + " ".join(rng.choice(WORDS) for _ in range(12)),
                "output": text.capitalize() + ".",
                "messages": [
                    {"role": "user", "content": "Where is my order?"},
                    {"role": "assistant", "content": "Let me check."},
                ],
                "metadata": {"channel": rng.choice(["web", "app", "email"]), "turn": i % 7},
                "latency_ms": rng.randint(200, 3000),
            }
            out.write(encoder.encode(record) + b"\n")


class Small(msgspec.Struct):
    id: str
    output: str | None = None


def bare_loop(path: Path) -> tuple[float, int]:
    """Decode every line and run the five tests by hand; return (seconds, failures)."""
    decode = msgspec.json.Decoder(Small).decode
    json_decode = msgspec.json.decode
    thanks = re.compile(r"(?i)thank(s| you)")
    fired = 0
    start = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            out = decode(line).output or ""
            try:
                json_decode(out)
                is_json = True
            except msgspec.DecodeError:
                is_json = False
            ok = (
                "order" in out
                and thanks.search(out) is not None
                and not is_json
                and len(out) <= 600
                and "lawsuit" not in out.casefold()
            )
            fired += not ok
    return time.perf_counter() - start, fired


def run_check(spec: Path, jobs: int) -> tuple[float, int, float]:
    """Run `evalspec check`; return (wall seconds, exit code, peak MB of the process tree)."""
    argv = [sys.executable, "-m", "evalspec", "check", str(spec), "-j", str(jobs), "--no-baseline"]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    return wall, proc.returncode, peak / 1024


def _tree_rss(pid: int) -> int:
    """Resident KiB of a process and its children, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+)", status)
        total += int(match.group(1)) if match else 0
        stack += [int(c) for c in children]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "evalspec.toml").write_text("")
    for n in args.sizes:
        traces = DATA / f"traces-{n}.jsonl"
        if not traces.exists():
            make_traces(traces, n)
        spec = DATA / f"bench-{n}.eval"
        spec.write_text(SPEC.replace("traces-N", f"traces-{n}"))
        size_mb = traces.stat().st_size / 1e6
        bare, fired = bare_loop(traces)
        wall, code, peak = run_check(spec, args.jobs)
        print(
            f"{n:>9,} traces ({size_mb:,.0f} MB): bare loop {bare:6.2f} s ({fired:,} fired) | "
            f"check -j {args.jobs} {wall:6.2f} s (exit {code}) = {wall / bare:4.2f} x | "
            f"peak {peak:5.0f} MB"
        )
        if n <= 10_000:
            single, code, peak1 = run_check(spec, 1)
            print(
                f"{'':>9}  check -j 1 on {n:,} traces: {single:.2f} s wall (exit {code}), "
                f"peak {peak1:.0f} MB"
            )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
