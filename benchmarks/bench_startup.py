"""Start-up time of commands that must feel instant (issue #2: under 200 ms wall).

Times whole processes, as a user sees them: `evalspec --version` and
`evalspec fmt --check examples/`. Reports the median and the best of N runs.

    python benchmarks/bench_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMANDS = {
    "evalspec --version": ["--version"],
    "evalspec fmt --check examples/": ["fmt", "--check", "examples/"],
}


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "evalspec", *args],
        cwd=REPO,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    base = [timed(["-c", "pass"][0:0] or ["--help"]) for _ in range(2)]  # warm the caches
    del base
    python = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python.append(time.perf_counter() - start)
    print(f"{'python -c pass':<34} median {statistics.median(python) * 1000:6.1f} ms")
    for name, argv in COMMANDS.items():
        runs = [timed(argv) for _ in range(args.repeat)]
        print(
            f"{name:<34} median {statistics.median(runs) * 1000:6.1f} ms, "
            f"best {min(runs) * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
