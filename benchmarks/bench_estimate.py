"""Time ``evalspec.judge.estimate.estimate`` on synthetic inputs (pure Python, no numpy).

Run: ``python benchmarks/bench_estimate.py [--iterations N] [--repeat R]``. Prints the best of
``R`` wall-clock and CPU times per (method, n) for 20,000 bootstrap iterations, |u| = 2,000, a
judge with TPR 0.9 and TNR 0.8 on balanced labels. Timings are measurements, not assertions.
"""

from __future__ import annotations

import argparse
import random
import time

from evalspec.judge.estimate import Method, estimate

POOL = 2000


def inputs(n: int, rng: random.Random) -> tuple[list[int], list[int], list[int]]:
    """Return balanced test labels, predictions of a 0.9/0.8 judge, and a 62%-pass pool."""
    labels = [i % 2 for i in range(n)]
    rng.shuffle(labels)
    preds = [int(rng.random() < 0.9) if y else int(rng.random() >= 0.8) for y in labels]
    pool = [int(rng.random() < 0.62) for _ in range(POOL)]
    return labels, preds, pool


def best_times(method: Method, n: int, iterations: int, repeat: int) -> tuple[float, float]:
    """Return the best wall-clock and CPU seconds of ``repeat`` runs (CPU is steadier on a
    shared machine)."""
    labels, preds, pool = inputs(n, random.Random(n))
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        estimate(labels, preds, pool, method=method, iterations=iterations, seed=0)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'method':<7} {'n':>5} {'|u|':>5} {'iterations':>10} {'wall s':>7} {'cpu s':>7}")
    for method in ("judgy", "full"):
        for n in (100, 1000):
            wall, cpu = best_times(method, n, args.iterations, args.repeat)
            print(f"{method:<7} {n:>5} {POOL:>5} {args.iterations:>10} {wall:>7.3f} {cpu:>7.3f}")


if __name__ == "__main__":
    main()
