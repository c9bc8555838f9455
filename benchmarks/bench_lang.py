"""Parse and compile speed of the language (issue #2: a 2,000-line spec in under 100 ms).

Builds a 2,000-line spec from the bundled example's modes, then times parse + compile in
process (the parser is built once per process, as in every command) and reports the median.

    python benchmarks/bench_lang.py [--lines 2000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from evalspec.lang.compiler import compile_file
from evalspec.lang.parser import parse

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "support"


def big_spec(lines: int) -> str:
    """The example's suite, then its modes renamed and repeated until ``lines`` lines."""
    text = (EXAMPLE / "support.eval").read_text(encoding="utf-8")
    head, modes = text[: text.index("\nmode ")], text[text.index("\nmode ") :]
    parts, copy = [head], 0
    while sum(p.count("\n") for p in parts) < lines:
        suffix = f"_{copy}"
        parts.append(re.sub(r"\nmode (\w+)", lambda m, s=suffix: f"\nmode {m.group(1)}{s}", modes))
        copy += 1
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    text = big_spec(args.lines)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for path in EXAMPLE.rglob("*"):
            if path.is_file() and path.suffix in (".json", ".jsonl", ".md"):
                target = root / path.relative_to(EXAMPLE)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        compile_file(parse(text, "big.eval"), "big.eval", root, root)  # warm: parser and caches
        parse_times, total_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            tree = parse(text, "big.eval")
            parsed = time.perf_counter()
            compile_file(tree, "big.eval", root, root)
            done = time.perf_counter()
            parse_times.append(parsed - start)
            total_times.append(done - start)
    print(
        f"{text.count(chr(10))} lines: parse {statistics.median(parse_times) * 1000:.1f} ms, "
        f"parse + compile {statistics.median(total_times) * 1000:.1f} ms "
        f"(median of {args.repeat}; best {min(total_times) * 1000:.1f} ms)"
    )


if __name__ == "__main__":
    main()
