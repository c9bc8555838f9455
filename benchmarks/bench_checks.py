"""Per-trace cost of compiled checks against the same tests written by hand in plain Python.

Run: ``python benchmarks/bench_checks.py [--traces N] [--rounds R]``. Each check is compiled from
``.eval`` text through the real compiler, then ``pred.test`` is timed over the same list of
Trace objects as a hand-written function doing the same test (None check included). Reported:
nanoseconds per trace for both and their ratio (target: within 1.3x). The cost of going through
``evaluate()`` (the engine's boundary: exception handling and the verdict tuple) is shown too.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import string
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from evalspec import ir
from evalspec.checks import CheckEnv, compile_expr, evaluate
from evalspec.lang.load import compile_text
from evalspec.traces.record import Trace

SPEC = """
mode bench {
  assert output contains "refund"
  assert output matches /(?i)(can only help with|not able to advise)/
  assert output is json
  assert len(output) <= 1200
  assert not output icontains "as an ai"
}
"""
_REFUSAL = re.compile(r"(?i)(can only help with|not able to advise)")
_DECODE = msgspec.json.decode


def hand_contains(t: Trace) -> bool:
    out = t.output
    if out is None:
        raise ValueError("output is missing")
    return "refund" in out


def hand_matches(t: Trace) -> bool:
    out = t.output
    if out is None:
        raise ValueError("output is missing")
    return _REFUSAL.search(out) is not None


def hand_is_json(t: Trace) -> bool:
    out = t.output
    if out is None:
        raise ValueError("output is missing")
    try:
        _DECODE(out)
    except msgspec.DecodeError:
        return False
    return True


def hand_length(t: Trace) -> bool:
    out = t.output
    if out is None:
        raise ValueError("output is missing")
    return len(out) <= 1200


def hand_not_icontains(t: Trace) -> bool:
    out = t.output
    if out is None:
        raise ValueError("output is missing")
    return "as an ai" not in out.casefold()


HAND: list[tuple[str, Callable[[Trace], bool]]] = [
    ("contains", hand_contains),
    ("matches", hand_matches),
    ("is json", hand_is_json),
    ("length bound", hand_length),
    ("not icontains", hand_not_icontains),
]


def make_traces(count: int, seed: int = 7) -> list[Trace]:
    """Outputs of 100-1500 characters; a third JSON cards, some refusals and refunds."""
    rng = random.Random(seed)
    words = ["the", "order", "refund", "policy", "ship", "days", "can", "help", "with", "your"]
    traces = []
    for i in range(count):
        size = rng.randint(100, 1500)
        if i % 3 == 0:
            steps = ", ".join(f'"{rng.choice(words)} {n}"' for n in range(size // 40))
            output = f'{{"title": "card {i}", "steps": [{steps}]}}'
        else:
            text = " ".join(rng.choice(words) for _ in range(size // 5))
            output = text + (" I can only help with orders." if i % 5 == 0 else "")
        extra = "".join(rng.choice(string.ascii_letters) for _ in range(8))
        traces.append(Trace(id=f"tr_{i}", input=f"question {extra}", output=output))
    return traces


def per_trace_ns(test: Callable[[Trace], Any], traces: list[Trace]) -> float:
    """Nanoseconds per trace of one pass of ``test`` over ``traces``."""
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for trace in traces:
            test(trace)
        return (time.perf_counter_ns() - start) / len(traces)
    finally:
        gc.enable()


def best_of(
    runs: dict[str, Callable[[Trace], Any]], traces: list[Trace], rounds: int
) -> dict[str, float]:
    """Best time of each function, measured in alternating rounds so that noise hits all alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, test in runs.items():
            best[name] = min(best[name], per_trace_ns(test, traces))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--traces", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    doc = compile_text(SPEC, "bench.eval", root=Path.cwd())
    env = CheckEnv(root=Path.cwd())
    guards = [g for g in doc.modes[0].guards if isinstance(g, ir.AssertGuard)]
    traces = make_traces(args.traces)
    print(f"{len(traces)} traces, best of {args.rounds} alternating rounds; ns per trace")
    print("evaluate(): pred.test plus the verdict tuple, and explain() on the traces that fail")
    print(f"{'check':<15}{'compiled':>10}{'by hand':>10}{'ratio':>8}{'evaluate()':>12}{'fails':>7}")
    for (name, hand), guard in zip(HAND, guards, strict=True):
        pred = compile_expr(guard.expr, env)
        verdicts = [pred.test(t) for t in traces]
        assert verdicts == [hand(t) for t in traces], name
        runs = {"ours": pred.test, "hand": hand, "evaluate": lambda t, p=pred: evaluate(p, t)}
        best = best_of(runs, traces, args.rounds)
        ratio = best["ours"] / best["hand"]
        fails = f"{verdicts.count(False) / len(verdicts):.0%}"
        print(f"{name:<15}{best['ours']:>10.0f}{best['hand']:>10.0f}{ratio:>8.2f}"
              f"{best['evaluate']:>12.0f}{fails:>7}")  # fmt: skip


if __name__ == "__main__":
    main()
