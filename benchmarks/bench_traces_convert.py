"""Benchmark: ``evalspec traces convert`` of OpenAI chat JSONL against a bare msgspec decode loop.

Generates (once) an OpenAI-format JSONL file of the requested size under ``benchmarks/.data/``
(or ``--data-dir``), then, in the same process and interleaved round by round, times

  (a) a bare loop: ``for line in file: msgspec.json.Decoder().decode(line)``;
  (b) ``evalspec.traces.writer.convert`` of the same file to evalspec JSONL (format detected,
      output written to ``/dev/null`` or ``--out``).

It prints both throughputs and the ratio b/a (the target is at least 1/3). Usage::

    python benchmarks/bench_traces_convert.py                 # 1 GB, 3 rounds
    python benchmarks/bench_traces_convert.py --size 50MB --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import msgspec

from evalspec.traces.writer import convert

HERE = Path(__file__).resolve().parent
WORDS = (
    "order refund shipping parcel account invoice recipe pasta gluten vegan quick dinner help "
    "please thanks status delayed tracking number address change cancel subscription plan "
    "price discount coupon warranty replace broken missing item delivery courier today "
    "tomorrow week store pickup return label policy days within receipt card payment"
).split()


def parse_size(text: str) -> int:
    """Read ``1GB``, ``200MB``, ``512KB`` or a byte count."""
    units = {"GB": 1 << 30, "MB": 1 << 20, "KB": 1 << 10}
    for unit, factor in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _record(rng: random.Random, index: int, system: str) -> dict[str, object]:
    """One chat-completion log line: history, optional tool round trip, reply, usage."""
    messages: list[dict[str, object]] = [{"role": "system", "content": system}]
    for _ in range(rng.choice((0, 0, 0, 1, 2))):  # earlier turns
        messages.append({"role": "user", "content": _text(rng, rng.randint(5, 40))})
        messages.append({"role": "assistant", "content": _text(rng, rng.randint(20, 120))})
    messages.append({"role": "user", "content": _text(rng, rng.randint(5, 60))})
    if rng.random() < 0.5:
        call_id = f"call_{index}"
        arguments = json.dumps({"order_id": f"A{index}", "include_items": rng.random() < 0.5})
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "lookup_order", "arguments": arguments},
                    }
                ],
            }
        )
        result = {"status": rng.choice(WORDS), "items": [_text(rng, 4) for _ in range(5)]}
        messages.append({"role": "tool", "tool_call_id": call_id, "content": json.dumps(result)})
    if rng.random() < 0.01:  # a few multi-part contents, which take the general path
        messages[-1] = {
            "role": messages[-1]["role"],
            "content": [{"type": "text", "text": _text(rng, 10)}],
        }
    reply = {"role": "assistant", "content": _text(rng, rng.randint(40, 250))}
    return {
        "id": f"tr_{index:08d}",
        "request": {"model": "gpt-4.1-mini", "temperature": 0.2, "messages": messages},
        "response": {
            "id": f"chatcmpl-{index}",
            "object": "chat.completion",
            "created": 1_760_000_000 + index,
            "model": "gpt-4.1-mini-2025-04-14",
            "choices": [{"index": 0, "message": reply, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": rng.randint(200, 2000),
                "completion_tokens": rng.randint(20, 400),
                "total_tokens": 2400,
            },
        },
        "metadata": {"persona": rng.choice(("new", "returning", "vip")), "env": "prod"},
    }


def generate(path: Path, size: int, seed: int = 7) -> None:
    """Write OpenAI chat JSONL lines to ``path`` until it holds ``size`` bytes."""
    rng = random.Random(seed)
    systems = [_text(rng, n) for n in (80, 200, 400)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    written, index = 0, 0
    with tmp.open("wb") as out:
        while written < size:
            lines = [
                msgspec.json.encode(_record(rng, index + i, rng.choice(systems))) + b"\n"
                for i in range(1000)
            ]
            index += 1000
            chunk = b"".join(lines)
            out.write(chunk)
            written += len(chunk)
    tmp.replace(path)


def bare(path: Path) -> int:
    """The reference: decode every line with msgspec, nothing else."""
    decoder = msgspec.json.Decoder()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            decoder.decode(line)
            count += 1
    return count


def evalspec_convert(path: Path, out: Path) -> int:
    """Convert the file to evalspec JSONL with the library call the CLI makes."""
    with out.open("wb") as sink:
        return convert([str(path)], sink, base_dir=path.parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1GB", help="input size, e.g. 1GB, 100MB (default 1GB)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    parser.add_argument("--out", type=Path, default=Path(os.devnull), help="converted output")
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    path = args.data_dir / f"openai-chat-{args.size.lower()}.jsonl"
    if not path.exists():
        print(f"generating {path} ({size / 1e6:.0f} MB) ...", file=sys.stderr)
        generate(path, size)
    actual = path.stat().st_size
    times: dict[str, list[float]] = {"bare msgspec decode": [], "evalspec convert": []}
    counts: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, run in (
            ("bare msgspec decode", lambda: bare(path)),
            ("evalspec convert", lambda: evalspec_convert(path, args.out)),
        ):
            start = time.perf_counter()
            counts[name] = run()
            times[name].append(time.perf_counter() - start)
    print(f"input: {path} ({actual / 1e6:.1f} MB, {counts['bare msgspec decode']} lines)")
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        rates = f"best {actual / best / 1e6:7.1f} MB/s  median {actual / median / 1e6:7.1f} MB/s"
        print(f"{name:20s} {rates}  ({counts[name]} records)")
    a, b = times["bare msgspec decode"], times["evalspec convert"]
    print(
        f"ratio convert/bare: best {min(a) / min(b):.3f}  median "
        f"{statistics.median(a) / statistics.median(b):.3f}  (target >= 0.333)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
