"""Wall-clock time of ``evalspec lint DIR`` on 100 spec files with 50 modes each.

Run: ``python benchmarks/bench_lint.py [--files 100] [--modes 50] [--rounds 5]``. The specs are
generated into a temporary project: a suite with a review cadence and a reviewed trace sample,
and modes of a few statements each (why, severity, seen, examples, one or two guards, sometimes
a when clause, a judge or a human review), like the output of a taxonomy session. Each round
runs the real command in a fresh process (start-up included) and reports the median of:

* ``cold``: no syntax-tree cache (every file is parsed), default worker processes;
* ``warm``: the cache filled by a previous run;
* ``cold -j1``: no cache, one process (the sequential reference).

Target: under 1 s for the default run. Parsing is the main cost, which is what the cache and the
worker processes address; the machine is shared, so the minimum and the CPU time (all processes,
user + system) are printed too.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GUARDS = [
    "assert len(output) <= 1200",
    "assert words(output) <= 180",
    "assert output matches /(?i)(can only help with|not able to advise)/",
    "assert output is json",
    "assert output has no pii [email, phone]",
    'assert not tool_called "refund" or tool_called "lookup_order" before "refund"',
    'assert not output icontains any ["obviously", "as I said"]',
]


def mode(index: int, rnd: random.Random) -> str:
    """One realistic mode: 5 to 9 lines."""
    lines = [
        f'mode failure_{index:03d} "Failure mode {index} found while reading traces" {{',
        f'  why "Users reported problem {index} in the chat widget."',
        f"  seen {rnd.randint(1, 20)} of 100 on 2026-11-{rnd.randint(10, 26)}",
    ]
    if index % 3 == 0:
        lines.append(f'  example "tr_{index % 40:04d}"')
    if index % 4 == 0:
        lines.append("  when input matches /(?i)\\b(refund|return)\\b/")
    if index % 10 == 7:
        lines += ["  judge tone {", '    prompt "Is {{output}} curt? FAIL if so."', "  }",
                  '  todo "convert to code once 50 failures are labelled"']  # fmt: skip
    elif index % 10 == 9:
        lines.append('  human "Compare the amount with the refund table"')
    else:
        lines += rnd.sample(GUARDS, rnd.randint(1, 2))
    lines.append("}")
    return "\n".join(lines)


def spec(modes: int, seed: int) -> str:
    """A spec file: a suite and ``modes`` modes."""
    rnd = random.Random(seed)
    suite = 'suite s "Bench suite" {\n  examples "reviewed/*.jsonl"\n  review every 14d\n}\n\n'
    return suite + "\n\n".join(mode(i, rnd) for i in range(modes)) + "\n"


def make_project(root: Path, files: int, modes: int) -> int:
    """Write the project; return the number of spec lines."""
    (root / "evalspec.toml").write_text("[lint]\n", encoding="utf-8")
    (root / "reviewed").mkdir()
    records = [
        {
            "id": f"tr_{i:04d}",
            "input": "Can I get a refund?",
            "output": "Sure, here is how returns work. " * (i % 5 + 1),
        }
        for i in range(40)
    ]
    (root / "reviewed" / "sample.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")  # fmt: skip
    lines = 0
    for number in range(files):
        text = spec(modes, number)
        (root / "specs" / f"s{number // 10}").mkdir(parents=True, exist_ok=True)
        (root / "specs" / f"s{number // 10}" / f"spec_{number:03d}.eval").write_text(text)
        lines += text.count("\n")
    return lines


def run(root: Path, *args: str) -> tuple[float, float]:
    """Run one ``evalspec lint`` process (it must exit 0 or 1); return wall and CPU seconds."""
    command = [sys.executable, "-m", "evalspec", "lint", "specs", "--output-format", "concise",
               "--today", "2026-11-27", *args]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--modes", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        lines = make_project(root, args.files, args.modes)
        print(f"{args.files} files x {args.modes} modes, {lines} lines")
        cache = root / ".evalspec"
        for label, extra, warm in (("cold", (), False), ("warm", (), True),
                                   ("cold -j1", ("-j", "1"), False)):  # fmt: skip
            times, cpus = [], []
            for _ in range(args.rounds):
                if warm:
                    run(root)  # fill the cache
                else:
                    shutil.rmtree(cache, ignore_errors=True)
                wall, cpu = run(root, *extra)
                times.append(wall)
                cpus.append(cpu)
            print(
                f"{label:>9}: wall median {statistics.median(times):.3f} s, "
                f"min {min(times):.3f} s; CPU median {statistics.median(cpus):.3f} s"
            )


if __name__ == "__main__":
    main()
