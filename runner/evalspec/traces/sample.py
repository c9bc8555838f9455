"""Sampling traces in one pass with bounded memory: reservoir sampling, uniform or stratified.

Uniform: Li's Algorithm L keeps ``n`` traces and draws the gap to the next replacement, so
it needs few random numbers and streams over any number of traces. The result is the same
for the same input order and ``seed`` and is returned in input order.

Stratified (``by="metadata.persona"``): one reservoir of up to ``n`` traces per stratum
(so memory is ``n`` times the number of strata, capped at :data:`MAX_STRATA`), then each
stratum's share is drawn from its reservoir:

- ``proportional`` (default): shares proportional to the strata's sizes, rounded by
  largest remainder (ties to the stratum that sorts first);
- ``equal``: the same share for every stratum; a stratum smaller than its share gives the
  rest to the others.

Traces without the field form their own stratum (shown as ``(missing)``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable
from typing import Any, Generic, Literal, TypeVar

from evalspec.errors import UsageError
from evalspec.traces.record import TRACE_FIELDS, Trace
from evalspec.traces.values import json_text

T = TypeVar("T")
Allocation = Literal["proportional", "equal"]
MAX_STRATA = 1000


def _unit(rng: random.Random) -> float:
    """A uniform number in the open interval (0, 1), so its logarithm is finite."""
    while True:
        value = rng.random()
        if value > 0.0:
            return value


class Reservoir(Generic[T]):
    """A uniform sample of up to ``size`` items from a stream (Algorithm L).

    Example:
        >>> r = Reservoir(3, random.Random(1))
        >>> for i in range(100):
        ...     r.offer(i)
        >>> sorted(r.items), r.seen
        ([2, 59, 94], 100)
    """

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.items: list[T] = []
        self.seen = 0
        self._weight = 1.0
        self._next = 0

    def offer(self, item: T) -> None:
        """Consider one more item of the stream."""
        index = self.seen
        self.seen += 1
        if index < self.size:
            self.items.append(item)
            if index == self.size - 1:
                self._weight = math.exp(math.log(_unit(self.rng)) / self.size)
                self._advance(index)
        elif index == self._next and self.size:
            self.items[self.rng.randrange(self.size)] = item
            self._weight *= math.exp(math.log(_unit(self.rng)) / self.size)
            self._advance(index)

    def _advance(self, index: int) -> None:
        gap = math.log(_unit(self.rng)) / math.log1p(-self._weight) if self._weight < 1.0 else 0.0
        self._next = index + math.floor(gap) + 1


def sample(
    traces: Iterable[Trace],
    n: int,
    *,
    seed: int,
    by: str | None = None,
    allocation: Allocation = "proportional",
) -> list[Trace]:
    """Return ``n`` traces drawn uniformly (or stratified ``by`` a field), in input order.

    Raises:
        UsageError: ``n`` is negative, ``by`` names no trace field, or it has more than
            :data:`MAX_STRATA` distinct values.
    """
    if n < 0:
        raise UsageError(f"the sample size must be positive, not {n}")
    rng = random.Random(seed)
    if by is None:
        reservoir: Reservoir[tuple[int, Trace]] = Reservoir(n, rng)
        for item in enumerate(traces):
            reservoir.offer(item)
        return [trace for _, trace in sorted(reservoir.items, key=lambda pair: pair[0])]
    return _stratified(traces, n, rng, by, allocation)


def _stratified(
    traces: Iterable[Trace], n: int, rng: random.Random, by: str, allocation: Allocation
) -> list[Trace]:
    check_field(by)
    strata: dict[Hashable, Reservoir[tuple[int, Trace]]] = {}
    for index, trace in enumerate(traces):
        key = stratum(trace, by)
        if key not in strata:
            if len(strata) >= MAX_STRATA:
                raise UsageError(
                    f"{by} has more than {MAX_STRATA} distinct values; "
                    "stratify by a field with fewer values"
                )
            strata[key] = Reservoir(n, rng)
        strata[key].offer((index, trace))
    sizes = {key: reservoir.seen for key, reservoir in strata.items()}
    shares = allocate(sizes, n, allocation)
    chosen: list[tuple[int, Trace]] = []
    for key in sorted(strata, key=_order):
        chosen.extend(rng.sample(strata[key].items, shares[key]))
    return [trace for _, trace in sorted(chosen, key=lambda pair: pair[0])]


def allocate(sizes: dict[Hashable, int], n: int, allocation: Allocation) -> dict[Hashable, int]:
    """Split ``n`` over strata of the given sizes; no stratum gets more than it has.

    Example:
        >>> allocate({"a": 90, "b": 10}, 10, "proportional")
        {'a': 9, 'b': 1}
        >>> allocate({"a": 90, "b": 3}, 10, "equal")
        {'a': 7, 'b': 3}
    """
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    keys = sorted(sizes, key=_order)
    if allocation == "proportional":
        exact = {key: n * sizes[key] / total for key in keys}
        shares = {key: math.floor(value) for key, value in exact.items()}
        rest = n - sum(shares.values())
        by_remainder = sorted(keys, key=lambda key: (-(exact[key] - shares[key]), keys.index(key)))
        for key in by_remainder[:rest]:
            shares[key] += 1
        return shares
    return _equal(sizes, keys, n)


def _equal(sizes: dict[Hashable, int], keys: list[Hashable], n: int) -> dict[Hashable, int]:
    shares = dict.fromkeys(keys, 0)
    left = n
    while left:
        open_keys = [key for key in keys if shares[key] < sizes[key]]
        each, extra = divmod(left, len(open_keys))
        for position, key in enumerate(open_keys):
            give = min(each + (position < extra), sizes[key] - shares[key])
            shares[key] += give
            left -= give
    return shares


def check_field(path: str) -> None:
    """Reject a stratification field that is not a trace field (``metadata.persona``)."""
    head = path.split(".", 1)[0]
    if head not in TRACE_FIELDS:
        fields = ", ".join(sorted(TRACE_FIELDS))
        raise UsageError(f"cannot stratify by {path!r}: {head!r} is not a trace field ({fields})")


def field_value(trace: Trace, path: str) -> Any:
    """Return the value at a dotted path (``metadata.persona``, ``source.format``), or ``None``."""
    head, *rest = path.split(".")
    value: Any = getattr(trace, head, None)
    for part in rest:
        if isinstance(value, dict):
            value = value.get(part)
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            value = getattr(value, part, None) if hasattr(value, "__struct_fields__") else None
        if value is None:
            return None
    return value


def stratum(trace: Trace, path: str) -> Hashable:
    """Return the stratum key of a trace: its field value, JSON-encoded if not hashable."""
    value = field_value(trace, path)
    return (
        value if isinstance(value, (str, int, float, bool)) or value is None else json_text(value)
    )


def _order(key: Hashable) -> tuple[bool, str]:
    return (key is None, str(key))
